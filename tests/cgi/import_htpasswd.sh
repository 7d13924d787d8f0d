# autenticacao-admin import-htpasswd FILE and useradd --hash HASH NAME
# (docs/API.md "Programs", "Password hashes from elsewhere"): a file of
# NAME:HASH lines made by htpasswd, mkpasswd and argon2 imports every user,
# who then log in; a file with one bad line (plain text, an unknown
# format, a malformed line or hash, a bad name, a name given twice or
# already taken, a cost over its cap) imports nothing and names the line;
# one summary line; exit status 0, 1, 2.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write

# hp FLAG NAME PASSWORD: the NAME:HASH line of htpasswd -nb FLAG (which
# prints a blank line after it).
hp() {
	htpasswd -nb "$1" "$2" "$3" | sed -n 1p
}

# users: the names in Redis, one a line, sorted.
users() {
	adm list
	printf '%s\n' "$ADM_OUT"
}

F=$T/users.htpasswd
{
	echo '# exported from Apache'
	echo
	hp -B ana 'ana pw 1'
	hp -m bea 'bea-pw-2'
	hp -s caio 'caio-pw-3'
	printf '%s:%s\r\n' dani "$(mkpasswd -m sha-512 'dani-pw-4')"
	printf '   # indented comment\n\t\n'
	printf '%s:%s\n' 'eva-ç' "$(mkpasswd -m yescrypt 'eva-pw-5')"
	printf '%s:%s\n' fabio "$(printf %s fabio-pw-6 | argon2 saltsaltsalt -id -e)"
	printf '%s:%s' gil "$(mkpasswd -m bcrypt -R 5 gil-pw-7)"	# no newline at the end
} >"$F"

t_begin "import-htpasswd of a good file adds every user, prints one summary line, exits 0"
adm import-htpasswd "$F"
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "imported 7 users"
t_eq stderr "$ADM_ERR" ""
t_eq users "$(users)" "$(printf '%s\n' ana bea caio dani 'eva-ç' fabio gil)"
t_end
t_begin "imported users log in with their passwords (and get \$s1\$ hashes)"
for up in 'ana|ana pw 1' 'bea|bea-pw-2' 'caio|caio-pw-3' 'dani|dani-pw-4' \
    'eva-ç|eva-pw-5' 'fabio|fabio-pw-6' 'gil|gil-pw-7'; do
	login "${up%%|*}" "${up#*|}"
	[ "$STATUS" = 200 ] || t_fail "${up%%|*}: status $STATUS"
	[[ $(rcli HGET "$(ukey user "${up%%|*}")" mcf) == '$s1$'* ]] ||
	    t_fail "${up%%|*}: stored hash is not \$s1\$"
done
t_end
t_begin "an imported user is enabled and has a created time"
t_eq disabled "$(rcli HGET "$(ukey user "ana")" disabled)" 0
t_match created "$(rcli HGET "$(ukey user "ana")" created)" '^[0-9]{10}$'
t_end
t_begin "importing the same file again refuses every line (users exist) and changes nothing"
before=$(rcli HGET "$(ukey user "ana")" mcf)
adm import-htpasswd "$F"
t_eq exit "$ADM_RC" 1
t_eq stdout "$ADM_OUT" ""
t_match "line 3" "$ADM_ERR" "import-htpasswd: $F:3: user exists: ana($NL|\$)"
t_match "line 11" "$ADM_ERR" "$F:11: user exists: gil"
t_match "summary" "$ADM_ERR" "$F: 7 lines refused, nothing imported"
t_eq "ana's hash" "$(rcli HGET "$(ukey user "ana")" mcf)" "$before"
t_end

# bad_file BAD-LINE: write a new file BADF of good lines for new users
# new$N-a and new$N-b (N counts the files) with BAD-LINE as its third line.
N=0
BADF=
bad_file() {
	N=$((N + 1))
	BADF=$T/bad$N.htpasswd
	{
		hp -m "new$N-a" 'new-pw-a'
		echo '# comment'
		printf '%s\n' "$1"
		hp -B "new$N-b" 'new-pw-b'
	} >"$BADF"
}

# refused NAME BAD-LINE REASON-ERE: one test: the file with BAD-LINE
# imports nothing and names line 3 with REASON (the whole rest of its
# line).
refused() {
	local f
	bad_file "$2"
	f=$BADF
	t_begin "a file with one bad line imports nothing: $1"
	adm import-htpasswd "$f"
	t_eq exit "$ADM_RC" 1
	t_eq stdout "$ADM_OUT" ""
	t_match "names line 3" "$ADM_ERR" "import-htpasswd: $f:3: $3(\$|$NL)"
	t_match "summary" "$ADM_ERR" "$f: 1 line refused, nothing imported"
	t_nomatch "users" "$(users)" "new$N-"
	t_end
}

b5=$(hp -B x 'some-pw' | sed -n 's/^x://p')
refused "a password in plain text" 'hugo:hugo-secret-pw' \
    'hugo: not a hash of a supported format \(a password in plain text\?\)'
t_begin "the refusal of a plain-text line does not print the password"
t_nomatch stderr "$ADM_ERR" 'hugo-secret-pw'
t_end
refused "an unknown format (md5crypt \$1\$)" "iris:$(mkpasswd -m md5crypt iris-pw)" \
    'iris: unsupported hash format \$1\$'
refused "an unknown format (sha256crypt \$5\$)" "iris:$(mkpasswd -m sha256crypt iris-pw)" \
    'iris: unsupported hash format \$5\$'
refused "an unknown format (argon2i)" "iris:$(printf %s iris-pw | argon2 saltsaltsalt -i -e)" \
    'iris: unsupported hash format \$argon2i\$'
refused "a malformed hash (one character cut)" "jon:${b5%?}" 'jon: bcrypt: malformed'
refused "a line without ':'" 'just-a-name' "not NAME:HASH \\(no ':'\\)"
refused "an /etc/shadow line" "kai:$(mkpasswd -m sha-512 kai-pw):19700:0:99999:7:::" \
    'kai: more than NAME:HASH \(from /etc/shadow\? keep the first two fields\)'
refused "a name with a space" "li a:$b5" 'invalid name: contains a space or other white space'
refused "an empty name" ":$b5" 'invalid name: empty'
refused "a 65-byte name" "$(repeat n 65):$b5" 'invalid name: longer than 64 bytes'
refused "a name with a control character" "$(printf 'm\001o'):$b5" 'invalid name: contains a control character'
refused "a bcrypt of cost 31" "max:${b5/\$05\$/\$31\$}" 'max: bcrypt: cost 31 is over the cap of 14'
refused "a yescrypt of 1 GiB" "ned:$(mkpasswd -m yescrypt -R 11 ned-pw)" \
    'ned: yescrypt: memory 128 \* N \* r is over the cap of 256 MiB'
refused "a name that exists" "ana:$b5" 'user exists: ana'
refused "a name that exists in another case" "ANA:$b5" \
    'ANA: a user whose name differs only in case exists: ana'
refused "a name not in NFC" "$(printf 'jose\314\201'):$b5" \
    'invalid name: not in Unicode normalization form C'
bad_file "new$((N + 1))-a:$b5"
f=$BADF
t_begin "a file with a name given twice imports nothing and names the second line"
adm import-htpasswd "$f"
t_eq exit "$ADM_RC" 1
t_match "names line 3" "$ADM_ERR" "$f:3: new$N-a: also on line 1"
t_nomatch "users" "$(users)" "new$N-"
t_end
bad_file "NEW$((N + 1))-A:$b5"
f=$BADF
t_begin "a file with a name given twice in two cases imports nothing"
adm import-htpasswd "$f"
t_eq exit "$ADM_RC" 1
t_match "names line 3" "$ADM_ERR" "$f:3: NEW$N-A: differs only in case from new$N-a on line 1"
t_nomatch "users" "$(users)" "new$N-"
t_end

t_begin "a file with several bad lines names each of them, in order"
{
	echo 'p1:plain-one'
	hp -m okuser 'ok-pw'
	echo 'p2:plain-two'
	echo 'nocolon'
} >"$T/several.htpasswd"
adm import-htpasswd "$T/several.htpasswd"
t_eq exit "$ADM_RC" 1
t_eq "lines" "$(printf '%s\n' "$ADM_ERR" | sed -n 's/.*several.htpasswd:\([0-9]*\): .*/\1/p' | tr '\n' ' ')" "1 3 4 "
t_match "summary" "$ADM_ERR" '3 lines refused, nothing imported'
t_nomatch "users" "$(users)" okuser
t_end

t_begin "an empty file, or one of comments only, imports 0 users (exit 0)"
: >"$T/empty.htpasswd"
adm import-htpasswd "$T/empty.htpasswd"
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "imported 0 users"
printf '# nothing\n\n' >"$T/comments.htpasswd"
adm import-htpasswd "$T/comments.htpasswd"
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "imported 0 users"
t_end
t_begin "a missing file fails (exit 1) and names it"
adm import-htpasswd "$T/no-such-file"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "import-htpasswd: $T/no-such-file: No such file or directory"
t_end
t_begin "import-htpasswd without a file, or with two, is a usage error (exit 2)"
adm import-htpasswd
t_eq "no file" "$ADM_RC" 2
adm import-htpasswd "$F" "$F"
t_eq "two files" "$ADM_RC" 2
adm import-htpasswd ''
t_eq "empty name" "$ADM_RC" 2
t_end
t_begin "with Redis unreachable, import-htpasswd fails (exit 1) and writes nothing"
conf_write "$T/down.conf" redis_port="$(free_port)"
bad_file "down-c:$b5"
f=$BADF
CONF=$T/down.conf adm import-htpasswd "$f"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" 'redis unavailable'
t_nomatch "users" "$(users)" "new$N-|down-c"
t_end

# An add that fails after others went in: the Redis user of this config
# may read every key but write only the keys of names starting "ok-", so
# the add of the last line's user fails (NOPERM) after two were added.
rcli ACL SETUSER "imp$N" on '>imp-pw' resetkeys '%R~*' \
    "~${PREFIX}user:{????}ok-*" "~${PREFIX}user-sessions:*" "~${PREFIX}session:*" \
    '+@all' >/dev/null
conf_write "$T/acl.conf" redis_username="imp$N" redis_password=imp-pw
{
	hp -m ok-1 'ok-pw-1'
	hp -B ok-2 'ok-pw-2'
	hp -s zz-denied 'zz-pw-3'
} >"$T/undo.htpasswd"
t_begin "an add that fails after others were added takes them back: nothing imported"
CONF=$T/acl.conf adm import-htpasswd "$T/undo.htpasswd"
t_eq exit "$ADM_RC" 1
t_eq stdout "$ADM_OUT" ""
t_match "reason" "$ADM_ERR" 'unexpected reply from redis'
t_match "summary" "$ADM_ERR" "$T/undo.htpasswd: nothing imported"
t_nomatch "users" "$(users)" 'ok-1|ok-2|zz-denied'
t_eq "keys" "$(rcli EXISTS "$(ukey user "ok-1")" "$(ukey user "ok-2")")" 0
login ok-1 ok-pw-1
t_error 401 INVALID_CREDENTIALS
t_end
rcli ACL DELUSER "imp$N" >/dev/null

# ---- useradd --hash

t_begin "useradd --hash HASH NAME adds an enabled user with that hash; the password logs in"
h=$(mkpasswd -m yescrypt 'olga-pw')
adm useradd --hash "$h" olga
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "added olga"
t_eq stored "$(rcli HGET "$(ukey user "olga")" mcf)" "$h"
login olga olga-pw
t_status 200
t_end
t_begin "useradd --hash does not read stdin"
adm_in $'typed-pw\n' useradd --hash "$(hp -s x 'pia-pw' | sed -n 's/^x://p')" pia
t_eq exit "$ADM_RC" 0
login pia typed-pw
t_error 401 INVALID_CREDENTIALS
login pia pia-pw
t_status 200
t_end
t_begin "useradd --hash of a plain-text or over-cap hash is a usage error (exit 2) and adds nobody"
adm useradd --hash 'rui-secret-pw' rui
t_eq "plain text" "$ADM_RC" 2
t_match stderr "$ADM_ERR" 'useradd: invalid hash: not a hash of a supported format'
t_nomatch "password not printed" "$ADM_ERR" 'rui-secret-pw'
adm useradd --hash "${b5/\$05\$/\$15\$}" rui
t_eq "cost 15" "$ADM_RC" 2
t_match stderr "$ADM_ERR" 'bcrypt: cost 15 is over the cap of 14'
t_match usage "$ADM_ERR" 'usage: autenticacao-admin \[-c CONF\] useradd \[--hash HASH\] NAME'
t_nomatch "users" "$(users)" rui
t_end
t_begin "useradd --hash of an existing user fails (exit 1) and keeps the old hash"
before=$(rcli HGET "$(ukey user "olga")" mcf)
adm useradd --hash "$b5" olga
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" 'user exists: olga'
t_eq stored "$(rcli HGET "$(ukey user "olga")" mcf)" "$before"
t_end
t_begin "useradd --hash without a name is a usage error; a user named --hash can still be added"
adm useradd --hash "$b5"
t_eq "no name" "$ADM_RC" 2
adm_in $'dash-pw\n' useradd --hash
t_eq "user --hash" "$ADM_RC" 0
login --hash dash-pw
t_status 200
t_end
done_testing
