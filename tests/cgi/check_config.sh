# autenticacao-admin check-config (docs/API.md "Programs"): exit 0 for a
# good config, else exit 1 with one "file:line: key: reason" line on stderr
# for every problem of the file, not only the first; Redis is not needed.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

# No redis_start: the check never connects (REDIS_PORT names a port
# nothing listens on).
REDIS_PORT=$(free_port)
conf_write

t_begin "check-config of a good config exits 0 and says ok"
adm check-config
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "$CONF: ok"
t_eq stderr "$ADM_ERR" ""
t_end

t_begin "check-config FILE checks FILE rather than -c's config"
conf_write "$T/other.conf" "redis_port=abc"
adm check-config "$T/other.conf"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "^$T/other.conf:[0-9]+: redis_port: not a decimal number"
t_end

# One file, one problem a line (line numbers as written below), and two
# rules over several keys that only the whole file can break.
BAD=$T/bad.conf
cat >"$BAD" <<'CONF'
# several problems, each on its own line
redis_port = abc
no_such_key = 1
access_ttl = 99999
session_ttl = 100
max_body = 1
max_body = 2048
just some words
redis_username = bob
authorizer_token = cookie
scrypt_n = 1000
redis_host = 127.0.0.1
CONF
chmod 600 "$BAD"
want=(
	"$BAD:2: redis_port: not a decimal number, expected 1..65535"
	"$BAD:3: no_such_key: unknown key"
	"$BAD:6: max_body: out of range, expected 64..1048576"
	"$BAD:7: max_body: duplicate key (first set on line 6)"
	"$BAD:8: just: missing '='"
	"$BAD:10: authorizer_token: expected authorization, authorizationCorban or any"
	"$BAD:11: scrypt_n: not a power of two"
	"$BAD:5: session_ttl: access_ttl (99999) exceeds session_ttl (100)"
	"$BAD:9: redis_username: redis_username needs redis_password"
)
t_begin "check-config names every problem of a file, in file order, then the rules over several keys"
adm check-config "$BAD"
t_eq exit "$ADM_RC" 1
t_eq stdout "$ADM_OUT" ""
expect=$(printf '%s\n' "${want[@]}" "autenticacao-admin: check-config: $BAD: ${#want[@]} problems")
t_eq stderr "$ADM_ERR" "$expect"
t_end

t_begin "every problem line has the form file:line: key: reason"
n=$(grep -Ec "^$BAD:[0-9]+: [a-z_]+: .+" "$ADM_ERRF")
t_eq "problem lines" "$n" "${#want[@]}"
t_end

t_begin "the responder stops at the first of the same problems"
CONF=$BAD cgi GET "$API/health"
t_eq exit "$CGI_RC" 1
t_match stderr "$CGI_ERR" "$BAD:2: redis_port"
t_nomatch stderr "$CGI_ERR" "$BAD:3:"
t_end

t_begin "check-config of a config that group may write: named, and its lines still checked"
conf_write "$T/gw.conf" "max_body=1"
chmod 620 "$T/gw.conf"
adm check-config "$T/gw.conf"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "^$T/gw.conf: writable by group or others"
t_match stderr "$ADM_ERR" "$T/gw.conf:[0-9]+: max_body: out of range"
t_end

t_begin "check-config of a missing file exits 1 naming the file"
adm check-config "$T/missing.conf"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "^$T/missing.conf: No such file or directory"
t_end

t_begin "check-config takes at most one argument (exit 2)"
adm check-config "$CONF" "$CONF"
t_eq exit "$ADM_RC" 2
t_match stderr "$ADM_ERR" "usage: .*check-config \\[FILE\\]"
t_end

t_begin "check-config never prints the value of redis_password"
conf_write "$T/pw.conf" "redis_password=s3cr3t-Pa55" "redis_port=abc" "max_body=x"
chmod 600 "$T/pw.conf"
adm check-config "$T/pw.conf"
t_eq exit "$ADM_RC" 1
t_nomatch "stderr and stdout" "$ADM_ERR$ADM_OUT" 's3cr3t-Pa55'
t_end

done_testing
