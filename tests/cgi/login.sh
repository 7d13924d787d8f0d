# POST /login (docs/API.md "Endpoints", "Semantics"): the success shape, the
# headers, new sessions, identical INVALID_CREDENTIALS answers, the dummy
# scrypt check and re-hashing.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice 'alice-pw-1'
user_add bob 'bob pw ç 2'
user_add carol 'carol-pw-3'
adm disable carol
[ "$ADM_RC" = 0 ] || notok "setup: disable carol" "exit $ADM_RC: $ADM_ERR"

t_begin "login of a known user answers 200 with success true"
login alice alice-pw-1
t_status 200
t_json_ct
t_eq "success" "$(jget .success)" true
t_end
t_begin "login answer has exactly the six data fields, in the decided order"
t_eq "top-level keys" "$(jq -c 'keys_unsorted' "$BODYF")" '["success","data"]'
t_eq "data keys" "$(jq -c '.data | keys_unsorted' "$BODYF")" \
    '["sessionId","authorization","authorizationCorban","refreshToken","expiresIn","refreshExpiresIn"]'
t_end
t_begin "login field types: four strings and two numbers"
t_eq "types" "$(jq -c '[.data[] | type]' "$BODYF")" '["string","string","string","string","number","number"]'
t_end
t_begin "login tokens are 'Bearer ' + URL-safe tokens with >= 128 random bits"
t_token_shape authorization "$AUTH"
t_token_shape authorizationCorban "$CORBAN"
t_token_shape refreshToken "$REFRESH"
t_end
t_begin "login sessionId is >= 22 URL-safe characters, at most 256, no Bearer"
t_match sessionId "$SID" '^[A-Za-z0-9._~-]{22,256}$'
t_end
t_begin "login's three tokens are different from each other and from the sessionId"
t_ne "authorization vs authorizationCorban" "$(bare "$AUTH")" "$(bare "$CORBAN")"
t_ne "authorization vs refreshToken" "$(bare "$AUTH")" "$(bare "$REFRESH")"
t_ne "authorizationCorban vs refreshToken" "$(bare "$CORBAN")" "$(bare "$REFRESH")"
t_ne "authorization vs sessionId" "$(bare "$AUTH")" "$SID"
t_ne "secrets" "$(secret_of "$AUTH")" "$(secret_of "$CORBAN")"
t_end
t_begin "login expiresIn is access_ttl and refreshExpiresIn is session_ttl (from the config)"
t_ge expiresIn "$(jget .data.expiresIn)" 599
t_le expiresIn "$(jget .data.expiresIn)" 600
t_ge refreshExpiresIn "$(jget .data.refreshExpiresIn)" 7199
t_le refreshExpiresIn "$(jget .data.refreshExpiresIn)" 7200
t_end
t_begin "login success carries Cache-Control: no-store and Pragma: no-cache (RFC 6749 5.1)"
t_eq Cache-Control "$(hdr Cache-Control)" no-store
t_eq Pragma "$(hdr Pragma)" no-cache
t_eq "Content-Type" "$(hdr Content-Type)" "application/json; charset=utf-8"
t_end
t_begin "login success has no WWW-Authenticate, Allow or Retry-After header"
t_eq WWW-Authenticate "$(hdr_count WWW-Authenticate)" 0
t_eq Allow "$(hdr_count Allow)" 0
t_eq Retry-After "$(hdr_count Retry-After)" 0
t_end
S1=$SID A1=$AUTH C1=$CORBAN R1=$REFRESH

t_begin "a second login opens a new session with new tokens"
login alice alice-pw-1
t_status 200
t_ne sessionId "$SID" "$S1"
t_ne authorization "$AUTH" "$A1"
t_ne authorizationCorban "$CORBAN" "$C1"
t_ne refreshToken "$REFRESH" "$R1"
t_end
S2=$SID A2=$AUTH
t_begin "both sessions of alice are live (admin sessions lists both)"
adm sessions alice
t_eq "exit" "$ADM_RC" 0
t_match "lists the first" "$ADM_OUT" "(^|$NL)${S1}[ ,	]"
t_match "lists the second" "$ADM_OUT" "(^|$NL)${S2}[ ,	]"
t_eq "lines" "$(printf '%s\n' "$ADM_OUT" | grep -c .)" 2
t_end
t_begin "the login's authorization is accepted by GET /session"
session_get "$A1"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S1"
t_eq username "$(jget .data.username)" alice
t_end
t_begin "the login's authorizationCorban is accepted by GET /session"
session_get "$C1"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S1"
t_end
t_begin "a login stores the SHA-256 of each token in its session, not the token"
t_eq "ah" "$(rcli HGET "$(skey "$S1")" ah)" "$(sha256 "$(bare "$A1")")"
t_eq "ch" "$(rcli HGET "$(skey "$S1")" ch)" "$(sha256 "$(bare "$C1")")"
t_eq "rh" "$(rcli HGET "$(skey "$S1")" rh)" "$(sha256 "$(bare "$R1")")"
t_eq "user" "$(rcli HGET "$(skey "$S1")" user)" alice
t_end
t_begin "a session key expires (TTL about session_ttl)"
ttl=$(rcli TTL "$(skey "$S1")")
t_ge TTL "$ttl" 7100
t_le TTL "$ttl" 7200
t_end
t_begin "every key written starts with key_prefix"
t_eq "keys outside the prefix" "$(rcli --scan | grep -vc "^$PREFIX")" 0
t_end

t_begin "a user name and password with non-ASCII characters and spaces log in"
login bob 'bob pw ç 2'
t_status 200
t_end
t_begin "a 1024-byte password works end to end (useradd, login)"
user_add dave "$(repeat d 1024)"
login dave "$(repeat d 1024)"
t_status 200
t_end
t_begin "a password differing in its last byte of 1024 is wrong"
login dave "$(repeat d 1023)e"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "user names are case-sensitive (Alice is not alice)"
login Alice alice-pw-1
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "a password is not trimmed (trailing space is wrong)"
login alice 'alice-pw-1 '
t_error 401 INVALID_CREDENTIALS
t_end

# ---- INVALID_CREDENTIALS: unknown user, wrong password, disabled user

login nosuchuser alice-pw-1
UNK_S=$STATUS UNK_B=$BODY UNK_H=$HEADERS
t_begin "unknown user -> 401 INVALID_CREDENTIALS"
t_error 401 INVALID_CREDENTIALS
t_end
login alice wrong-password
t_begin "wrong password -> 401 INVALID_CREDENTIALS"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "wrong password answers exactly like an unknown user (status, headers, body)"
t_eq status "$STATUS" "$UNK_S"
t_eq body "$BODY" "$UNK_B"
t_eq headers "$HEADERS" "$UNK_H"
t_end
login carol carol-pw-3
t_begin "disabled user with the right password -> 401 INVALID_CREDENTIALS"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "disabled user answers exactly like an unknown user (status, headers, body)"
t_eq status "$STATUS" "$UNK_S"
t_eq body "$BODY" "$UNK_B"
t_eq headers "$HEADERS" "$UNK_H"
t_end
login carol wrong
t_begin "disabled user with a wrong password answers exactly like an unknown user"
t_eq status "$STATUS" "$UNK_S"
t_eq body "$BODY" "$UNK_B"
t_end
t_begin "INVALID_CREDENTIALS has no WWW-Authenticate: Bearer error=\"invalid_token\""
t_nomatch WWW-Authenticate "$(hdr WWW-Authenticate)" invalid_token
t_end
t_begin "a disabled user opens no session"
adm sessions carol
t_eq "sessions of carol" "$ADM_OUT" ""
t_end

# ---- timing: unknown users cost a scrypt check too (a dummy one)

# These runs measure time, not memory: under valgrind (tests/lib/cgi.sh) they
# run without it, which also keeps the comparison meaningful.
VG_SKIP=1
SLOW=$T/slow.conf
conf_write "$SLOW" scrypt_n=16384 scrypt_r=8 scrypt_p=1
CONF=$SLOW user_add erin erin-pw
# The three kinds run interleaved, five rounds, and each keeps its median:
# a machine that slows down for a while slows all three alike.
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
ms_w=() ms_u=() ms_b=()
for i in 1 2 3 4 5; do
	CONF=$SLOW login erin wrong-pw; ms_w+=("$CGI_MS")
	CONF=$SLOW login nosuchuser-erin wrong-pw; ms_u+=("$CGI_MS")
	CONF=$SLOW cgi POST "$API/login" '{}'; ms_b+=("$CGI_MS")
done
wrong=$(median5 "${ms_w[@]}")
unknown=$(median5 "${ms_u[@]}")
base=$(median5 "${ms_b[@]}")
t_begin "unknown user takes about as long as a wrong password (dummy scrypt check)"
# the scrypt part of a wrong password must show in an unknown user's time
t_ge "unknown-user ms - no-check ms ($unknown - $base) vs half of wrong-password ($wrong - $base)" \
    $(( (unknown - base) * 2 )) $(( wrong - base ))
t_ge "wrong-password ms above a request without a check (the cost is measurable)" \
    "$wrong" $((base + 20))
t_end
VG_SKIP=0

# ---- re-hash on login when the stored cost is below the configured one

t_begin "login re-hashes a password stored with a cheaper cost than configured"
RH=$T/rehash.conf
conf_write "$RH" scrypt_n=1024
CONF=$RH user_add frank frank-pw
old=$(rcli HGET "$(ukey user "frank")" mcf)
t_match "stored hash is libscrypt MCF at N=2^10" "$old" '^\$s1\$0a0801\$'
conf_write "$RH" scrypt_n=2048
CONF=$RH login frank frank-pw
t_status 200
new=$(rcli HGET "$(ukey user "frank")" mcf)
t_match "hash now at N=2^11" "$new" '^\$s1\$0b0801\$'
CONF=$RH login frank frank-pw
t_status 200
t_end
t_begin "login with the stored cost equal to the configured one keeps the hash"
CONF=$RH login frank frank-pw
t_eq mcf "$(rcli HGET "$(ukey user "frank")" mcf)" "$new"
t_end
done_testing
