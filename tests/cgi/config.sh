# The responder's configuration (docs/API.md "Configuration", docs/design.md
# "Config"): AUTENTICACAO_CONF, and a bad file stops it at start with
# "file:line: key: reason" on stderr and exit 1.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write

bad() { # NAME KEYLINE-REGEX KEY [conf_write args]: one bad-config test
	local name=$1 key=$2 line
	shift 2
	conf_write "$T/bad.conf" "$@"
	line=$(grep -n "^$key\\b" "$T/bad.conf" | tail -n 1 | cut -d: -f1)
	t_begin "responder: $name -> exit 1, stderr names file:line: key"
	CONF=$T/bad.conf cgi POST "$API/login" '{"username":"a","password":"b"}'
	t_eq exit "$CGI_RC" 1
	t_match stderr "$CGI_ERR" "$T/bad.conf:$line: $key"
	t_nomatch "stdout (no 200)" "$(<"$OUT")" 'Status: 200'
	t_end
}
bad "unknown key" no_such_key "no_such_key = 1"
bad "misspelled key" redis_prot "redis_prot = 6379"
bad "bad number" redis_port redis_port=abc
bad "negative number" access_ttl access_ttl=-5
bad "number out of range" redis_port redis_port=70000
bad "number with a unit" redis_timeout_ms redis_timeout_ms=500ms
bad "scrypt_n not a power of two" scrypt_n scrypt_n=1000
bad "bad authorizer_token" authorizer_token authorizer_token=cookie
bad "bad session_limit_mode" session_limit_mode session_limit_mode=drop
bad "max_sessions_per_user over 100" max_sessions_per_user max_sessions_per_user=101
bad "cors_origins with a trailing slash" cors_origins "cors_origins=https://app.example.com/"
bad "cors_origins in upper case" cors_origins "cors_origins=http://App.example.com"
bad "cors_origins without a scheme" cors_origins "cors_origins=app.example.com"
bad "cors_origins '*' with an origin" cors_origins "cors_origins=*, http://localhost:3000"
t_begin "responder: a bad cors_origins entry is named with its reason"
conf_write "$T/bad.conf" "cors_origins=http://localhost:3000 https://app.example.com:443"
CONF=$T/bad.conf cgi GET "$API/health"
t_eq exit "$CGI_RC" 1
t_match stderr "$CGI_ERR" "cors_origins: https://app.example.com:443: default port of the scheme"
t_end
t_begin "responder: a key set twice -> exit 1, stderr names file:line: key"
conf_write "$T/twice.conf" max_body=100
echo "max_body = 200" >>"$T/twice.conf"
line=$(grep -c . "$T/twice.conf")
CONF=$T/twice.conf cgi POST "$API/login" '{"username":"a","password":"b"}'
t_eq exit "$CGI_RC" 1
t_match stderr "$CGI_ERR" "$T/twice.conf:$line: max_body"
t_end

t_begin "responder: missing config file -> exit 1, stderr names the file"
CONF=$T/missing.conf cgi POST "$API/login" '{}'
t_eq exit "$CGI_RC" 1
t_match stderr "$CGI_ERR" "$T/missing.conf"
t_end
t_begin "responder: a line without '=' -> exit 1, stderr names file:line"
printf 'redis_host = 127.0.0.1\njust some words\n' >"$T/bad2.conf"
CONF=$T/bad2.conf cgi POST "$API/login" '{}'
t_eq exit "$CGI_RC" 1
t_match stderr "$CGI_ERR" "$T/bad2.conf:2"
t_end
t_begin "responder: comments and blank lines are fine"
{ echo "# a comment"; echo; echo "   # indented comment"; cat "$CONF"; echo; } >"$T/comments.conf"
CONF=$T/comments.conf cgi GET "$API/health"
t_status 200
t_end
t_begin "responder: reads its config from AUTENTICACAO_CONF (key_prefix is used)"
user_add alice alice-pw
login alice alice-pw
t_status 200
t_eq "session under the prefix" "$(rcli EXISTS "$(skey "$SID")")" 1
t_end
t_begin "responder: without AUTENTICACAO_CONF it uses the compiled-in default path"
def=/usr/local/etc/autenticacao.conf
cgi GET "$API/health" "" -AUTENTICACAO_CONF
if [ -e "$def" ]; then
	t_match "answers from $def" "$STATUS" '^[0-9]{3}$'
else
	t_eq exit "$CGI_RC" 1
	t_match stderr "$CGI_ERR" "$def"
fi
t_end
t_begin "responder: an empty AUTENTICACAO_CONF means the compiled-in default path"
cgi GET "$API/health" "" AUTENTICACAO_CONF=
if [ -e "$def" ]; then
	t_match "answers from $def" "$STATUS" '^[0-9]{3}$'
else
	t_eq exit "$CGI_RC" 1
	t_match stderr "$CGI_ERR" "$def"
fi
t_end
t_begin "the shipped conf/autenticacao.conf is a valid config (its defaults)"
sed "s/^redis_port = .*/redis_port = $REDIS_PORT/" "$ROOT_DIR/conf/autenticacao.conf" >"$T/shipped.conf"
CONF=$T/shipped.conf cgi GET "$API/health"
t_status 200
t_end
t_begin "the shipped conf/autenticacao.conf documents every key of docs/API.md"
for k in redis_host redis_port redis_socket redis_password redis_username redis_db \
    redis_timeout_ms key_prefix access_ttl session_ttl scrypt_n scrypt_r scrypt_p \
    max_body body_timeout password_checks max_failures failure_window ban_time trusted_proxies \
    refresh_reuse_grace idle_ttl max_sessions_per_user session_limit_mode \
    authorizer_token cors_origins; do
	grep -Eq "^#? *$k *=" "$ROOT_DIR/conf/autenticacao.conf" || t_fail "no line for $k"
done
t_end
t_begin "redis_socket: the responder reaches Redis over a unix socket"
SOCKDIR=$T/rs
mkdir -p "$SOCKDIR"
sport=$(free_port)
redis-server --port 0 --unixsocket "$SOCKDIR/r.sock" --save '' --appendonly no \
    --dir "$SOCKDIR" --daemonize no --logfile "$SOCKDIR/log" >/dev/null 2>&1 &
SPID=$!
BG_PIDS+=("$SPID")
for i in $(seq 1 100); do [ -S "$SOCKDIR/r.sock" ] && break; sleep 0.05; done
conf_write "$T/sock.conf" "redis_socket=$SOCKDIR/r.sock" "redis_port=$sport"
CONF=$T/sock.conf cgi GET "$API/health"
t_status 200
t_end
t_begin "redis_db: the responder's keys go to the configured database"
conf_write "$T/db3.conf" redis_db=3
CONF=$T/db3.conf user_add dbuser dbpw
t_eq "user in db 3" "$(rcli -n 3 EXISTS "$(ukey user "dbuser")")" 1
t_eq "not in db 0" "$(rcli -n 0 EXISTS "$(ukey user "dbuser")")" 0
CONF=$T/db3.conf login dbuser dbpw
t_status 200
t_end
t_begin "redis_password: AUTH is sent (requirepass server)"
rcli CONFIG SET requirepass 's3cr3t#pw' >/dev/null
conf_write "$T/nopw.conf"
CONF=$T/nopw.conf cgi GET "$API/health"
t_eq "without the password" "$STATUS" 503
conf_write "$T/pw.conf" 'redis_password=s3cr3t#pw'
CONF=$T/pw.conf cgi GET "$API/health"
t_eq "with the password ('#' included)" "$STATUS" 200
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -a 's3cr3t#pw' --no-auth-warning CONFIG SET requirepass '' >/dev/null
t_end
# ---- the config file itself (autenticacao.conf(5), "FILE")
t_begin "a config file that group or others may write is refused: 500, the reason in the log"
conf_write "$T/ww.conf"
for m in 0620 0602 0666; do
	chmod "$m" "$T/ww.conf"
	CONF=$T/ww.conf cgi GET "$API/health"
	t_eq "mode $m: status" "$STATUS" 500
	t_match "mode $m: log" "$CGI_ERR" 'ww\.conf: writable by group or others'
done
chmod 0644 "$T/ww.conf"
CONF=$T/ww.conf cgi GET "$API/health"
t_eq "mode 0644: status" "$STATUS" 200
t_end
t_begin "a config readable by others that holds redis_password loads with a warning"
conf_write "$T/or.conf" 'redis_password=unused-here'
chmod 0644 "$T/or.conf"
CONF=$T/or.conf cgi GET "$API/health"
t_match "log" "$CGI_ERR" 'or\.conf: readable by others and holds redis_password'
chmod 0640 "$T/or.conf"
CONF=$T/or.conf cgi GET "$API/health"
t_nomatch "mode 0640: no warning" "$CGI_ERR" 'readable by others'
t_end
t_begin "a FIFO or a device as the config answers 500 at once (no hang)"
mkfifo "$T/cfg.fifo"
CONF=$T/cfg.fifo cgi GET "$API/health"
t_eq "FIFO: status" "$STATUS" 500
t_match "FIFO: log" "$CGI_ERR" 'cfg\.fifo: not a regular file'
t_le "FIFO: ms" "$CGI_MS" 5000
CONF=/dev/zero cgi GET "$API/health"
t_eq "/dev/zero: status" "$STATUS" 500
t_match "/dev/zero: log" "$CGI_ERR" '/dev/zero: not a regular file'
t_le "/dev/zero: ms" "$CGI_MS" 5000
t_end
t_begin "an over-long AUTENTICACAO_CONF answers a 500 with a JSON body"
long=/tmp/$(printf 'x%.0s' $(seq 1 5000))
CONF=$long cgi GET "$API/health"
t_eq status "$STATUS" 500
t_error 500 INTERNAL_ERROR
t_match log "$CGI_ERR" 'AUTENTICACAO_CONF longer than'
t_end
done_testing
