# Password hashes from elsewhere (docs/API.md): a user whose stored hash
# is bcrypt ($2y$ $2b$ $2a$), sha512crypt, yescrypt, Apache $apr1$ or
# {SHA}, or argon2id, each made here by its real tool (htpasswd, mkpasswd,
# argon2), logs in with the right password (200); a wrong one answers the
# same 401 as an unknown user and changes nothing; the first login leaves
# a $s1$ hash at the configured cost in its place.  refresh-session
# upgrades too; a bcrypt cost 31 is refused before any work; regulation
# and the unknown-user timing are those of every other user.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write
S1='^\$s1\$0a0801\$'	# N=2^10 r=8 p=1: conf_write's cost

# hash_of KIND PASSWORD: the hash the real tool makes of PASSWORD.
hash_of() {
	case $1 in
	bcrypt-2y) htpasswd -nbB u "$2" | sed -n 's/^u://p' ;;
	bcrypt-2b) mkpasswd -m bcrypt -R 5 "$2" ;;
	bcrypt-2a) mkpasswd -m bcrypt-a -R 5 "$2" ;;
	apr1) htpasswd -nbm u "$2" | sed -n 's/^u://p' ;;
	sha1) htpasswd -nbs u "$2" | sed -n 's/^u://p' ;;
	sha512crypt) mkpasswd -m sha-512 "$2" ;;
	yescrypt) mkpasswd -m yescrypt "$2" ;;
	argon2id) printf %s "$2" | argon2 "salt-$RANDOM-$RANDOM" -id -e ;;
	esac
}
KINDS="bcrypt-2y bcrypt-2b bcrypt-2a apr1 sha1 sha512crypt yescrypt argon2id"
declare -A PREFIX_OF=([bcrypt-2y]='^\$2y\$05\$' [bcrypt-2b]='^\$2b\$05\$'
    [bcrypt-2a]='^\$2a\$05\$' [apr1]='^\$apr1\$' [sha1]='^\{SHA\}'
    [sha512crypt]='^\$6\$' [yescrypt]='^\$y\$j9T\$'
    [argon2id]='^\$argon2id\$v=19\$m=4096,t=3,p=1\$')

# stored NAME: the user's stored hash.
stored() {
	rcli HGET "$(ukey user "$1")" mcf
}

login nosuchuser 'no such pw'
UNK_S=$STATUS UNK_B=$BODY UNK_H=$HEADERS

for k in $KINDS; do
	u=user-$k
	pw="pw of $k ç"
	h=$(hash_of "$k" "$pw")
	t_begin "$k: the tool made a hash of the format, and useradd --hash stores it"
	t_match "hash" "$h" "${PREFIX_OF[$k]}"
	adm useradd --hash "$h" "$u"
	t_eq "useradd exit" "$ADM_RC" 0
	t_eq "useradd says" "$ADM_OUT" "added $u"
	t_eq "stored as given" "$(stored "$u")" "$h"
	t_end

	t_begin "$k: a wrong password answers 401 exactly like an unknown user, and changes nothing"
	login "$u" "pw of $k c"
	t_error 401 INVALID_CREDENTIALS
	t_eq status "$STATUS" "$UNK_S"
	t_eq body "$BODY" "$UNK_B"
	t_eq headers "$HEADERS" "$UNK_H"
	login "$u" "${pw% ç}"
	t_error 401 INVALID_CREDENTIALS
	t_eq "stored" "$(stored "$u")" "$h"
	t_end

	t_begin "$k: the right password logs in (200) and the stored hash is now \$s1\$ at the configured cost"
	login "$u" "$pw"
	t_status 200
	t_token_shape authorization "$AUTH"
	new=$(stored "$u")
	t_match "stored after the first login" "$new" "$S1"
	t_end
	sid=$SID

	t_begin "$k: after the upgrade the same password logs in, refresh-session works, a wrong one is 401"
	login "$u" "$pw"
	t_status 200
	t_eq "stored again" "$(stored "$u")" "$new"
	refresh_session "$sid" "$u" "$pw"
	t_status 200
	login "$u" "pw of $k c"
	t_error 401 INVALID_CREDENTIALS
	t_end
done

t_begin "refresh-session with a foreign stored hash answers 200 and upgrades it"
user_add rita rita-pw-1
login rita rita-pw-1
rsid=$SID
h=$(hash_of sha512crypt rita-pw-2)
rcli HSET "$(ukey user "rita")" mcf "$h" >/dev/null
refresh_session "$rsid" rita rita-pw-1
t_error 401 INVALID_CREDENTIALS
t_eq "stored after a wrong password" "$(stored rita)" "$h"
refresh_session "$rsid" rita rita-pw-2
t_status 200
t_eq sessionId "$SID" "$rsid"
t_match "stored" "$(stored rita)" "$S1"
t_end

t_begin "a disabled user with a foreign hash answers like an unknown user and keeps the hash"
h=$(hash_of apr1 dis-pw)
adm useradd --hash "$h" dis
adm disable dis
login dis dis-pw
t_error 401 INVALID_CREDENTIALS
t_eq body "$BODY" "$UNK_B"
t_eq "stored" "$(stored dis)" "$h"
t_end

# ---- costs read from a hash are capped

b5=$(hash_of bcrypt-2y cost-pw)
b31=${b5/\$05\$/\$31\$}
t_begin "useradd --hash refuses a bcrypt of cost 31 (usage error) and adds nobody"
adm useradd --hash "$b31" costly
t_eq exit "$ADM_RC" 2
t_match stderr "$ADM_ERR" 'invalid hash: bcrypt: cost 31 is over the cap of 14'
t_eq "user" "$(rcli EXISTS "$(ukey user "costly")")" 0
t_end
t_begin "a bcrypt of cost 31 planted in Redis is a 401 at once, not 2^31 rounds"
user_add planted some-pw
rcli HSET "$(ukey user "planted")" mcf "$b31" >/dev/null
login planted cost-pw
t_error 401 INVALID_CREDENTIALS
t_le "ms" "$CGI_MS" 3000
t_eq "stored" "$(stored planted)" "$b31"
t_end
t_begin "a sha512crypt of rounds=999999999 and a yescrypt of 1 GiB planted in Redis are a 401 at once"
s=$(hash_of sha512crypt cost-pw)
rcli HSET "$(ukey user "planted")" mcf "\$6\$rounds=999999999\$${s#\$6\$}" >/dev/null
login planted cost-pw
t_error 401 INVALID_CREDENTIALS
t_le "ms (sha512crypt)" "$CGI_MS" 3000
y=$(hash_of yescrypt cost-pw)
rcli HSET "$(ukey user "planted")" mcf "\$y\$jFT${y#\$y\$j9T}" >/dev/null
login planted cost-pw
t_error 401 INVALID_CREDENTIALS
t_le "ms (yescrypt)" "$CGI_MS" 3000
t_end
t_begin "a plain-text value planted as a hash never logs in"
rcli HSET "$(ukey user "planted")" mcf "cost-pw" >/dev/null
login planted cost-pw
t_error 401 INVALID_CREDENTIALS
t_end

# ---- regulation counts foreign checks like any other

RG=$T/regulation.conf
conf_write "$RG" max_failures=3 failure_window=300 ban_time=60
CONF=$RG adm useradd --hash "$(hash_of apr1 reg-pw)" reggie
t_begin "failed checks of a foreign hash are counted: the 4th attempt is 429 even with the right password"
for i in 1 2 3; do
	CONF=$RG login reggie wrong "REMOTE_ADDR=192.0.2.$i"
	[ "$STATUS" = 401 ] || t_fail "attempt $i: status $STATUS"
done
CONF=$RG login reggie reg-pw REMOTE_ADDR=192.0.2.9
t_error 429 TOO_MANY_ATTEMPTS
t_match "stored (not upgraded while banned)" "$(stored reggie)" '^\$apr1\$'
adm unban reggie
CONF=$RG login reggie reg-pw REMOTE_ADDR=192.0.2.9
t_status 200
t_match "stored" "$(stored reggie)" "$S1"
t_end

# ---- timing: an unknown user runs the dummy check at the configured cost;
# a user whose stored hash is cheaper answers faster until the first login

VG_SKIP=1
SLOW=$T/slow.conf
conf_write "$SLOW" scrypt_n=16384 scrypt_r=8 scrypt_p=1
CONF=$SLOW adm useradd --hash "$(hash_of sha1 sam-pw)" sam
# The three kinds run interleaved, five rounds, and each keeps its median
# (as in login.sh): a machine that slows down for a while slows all three
# alike.  MS_B (no check), MS_U (unknown user), MS_W (sam, wrong password).
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
rounds() {
	local i b=() u=() w=()
	for i in 1 2 3 4 5; do
		CONF=$SLOW cgi POST "$API/login" '{}'; b+=("$CGI_MS")
		CONF=$SLOW login nosuchuser-sam wrong-pw; u+=("$CGI_MS")
		CONF=$SLOW login sam wrong-pw; w+=("$CGI_MS")
	done
	MS_B=$(median5 "${b[@]}") MS_U=$(median5 "${u[@]}") MS_W=$(median5 "${w[@]}")
}
rounds
base=$MS_B unknown=$MS_U before=$MS_W
CONF=$SLOW login sam sam-pw
up=$STATUS
rounds
t_begin "a {SHA} user answers a wrong password faster than an unknown user until the first login, then like one"
t_eq "login" "$up" 200
t_match "stored" "$(stored sam)" '^\$s1\$0e0801\$'
t_ge "unknown-user ms ($unknown) above a request without a check ($base) (the dummy check runs)" \
    "$unknown" $((base + 20))
t_le "{SHA} wrong-password ms ($before) below unknown-user ms ($unknown)" \
    $((before + 10)) "$unknown"
t_ge "after the upgrade: wrong-password ms - no-check ms ($MS_W - $MS_B), doubled, vs unknown-user's ($MS_U - $MS_B)" \
    $(( (MS_W - MS_B) * 2 )) $(( MS_U - MS_B ))
t_end
echo "# note: login ms, medians of 5: no check $base, unknown user $unknown, {SHA} user $before; after its upgrade to N=16384: no check $MS_B, unknown user $MS_U, the user $MS_W"
VG_SKIP=0
done_testing
