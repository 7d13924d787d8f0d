# POST /refresh-session, the seed page: same sessionId, three new tokens,
# the old ones dead at once; password first, then the session (docs/API.md
# "Semantics"); SESSION_NOT_FOUND for a missing or someone else's session.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw
user_add bob bob-pw
user_add carol carol-pw

login alice alice-pw
S0=$SID A0=$AUTH C0=$CORBAN R0=$REFRESH
[ "$STATUS" = 200 ] || notok "setup: login alice" "status $STATUS: $BODY"

refresh_session "$S0" alice alice-pw
t_begin "refresh-session answers 200 with success true"
t_status 200
t_json_ct
t_eq success "$(jget .success)" true
t_end
t_begin "refresh-session keeps the sessionId (seed: 'O mesmo sessionId fornecido')"
t_eq sessionId "$(jget .data.sessionId)" "$S0"
t_end
t_begin "refresh-session answer has the six data fields in the decided order"
t_eq "top-level keys" "$(jq -c 'keys_unsorted' "$BODYF")" '["success","data"]'
t_eq "data keys" "$(jq -c '.data | keys_unsorted' "$BODYF")" \
    '["sessionId","authorization","authorizationCorban","refreshToken","expiresIn","refreshExpiresIn"]'
t_eq "types" "$(jq -c '[.data[] | type]' "$BODYF")" '["string","string","string","string","number","number"]'
t_end
t_begin "refresh-session tokens are 'Bearer ' + URL-safe tokens with >= 128 random bits"
t_token_shape authorization "$AUTH"
t_token_shape authorizationCorban "$CORBAN"
t_token_shape refreshToken "$REFRESH"
t_end
t_begin "refresh-session changes all three tokens"
t_ne authorization "$AUTH" "$A0"
t_ne authorizationCorban "$CORBAN" "$C0"
t_ne refreshToken "$REFRESH" "$R0"
t_ne "new authorization vs new authorizationCorban" "$AUTH" "$CORBAN"
t_ne "new authorization vs new refreshToken" "$AUTH" "$REFRESH"
t_end
t_begin "refresh-session expiresIn/refreshExpiresIn are the full ttls (password checked again)"
t_ge expiresIn "$(jget .data.expiresIn)" 599
t_le expiresIn "$(jget .data.expiresIn)" 600
t_ge refreshExpiresIn "$(jget .data.refreshExpiresIn)" 7199
t_le refreshExpiresIn "$(jget .data.refreshExpiresIn)" 7200
t_end
t_begin "refresh-session success carries Cache-Control: no-store and Pragma: no-cache"
t_eq Cache-Control "$(hdr Cache-Control)" no-store
t_eq Pragma "$(hdr Pragma)" no-cache
t_end
A1=$AUTH C1=$CORBAN R1=$REFRESH

t_begin "after refresh-session the old authorization is dead (GET /session 401 INVALID_TOKEN)"
session_get "$A0"
t_error 401 INVALID_TOKEN
t_match WWW-Authenticate "$(hdr WWW-Authenticate)" '^Bearer .*error="invalid_token"'
t_end
t_begin "after refresh-session the old authorizationCorban is dead (GET /session 401)"
session_get "$C0"
t_error 401 INVALID_TOKEN
t_end
t_begin "after refresh-session the new authorization is live (GET /session 200, same sessionId)"
session_get "$A1"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S0"
t_eq username "$(jget .data.username)" alice
t_end
t_begin "after refresh-session the new authorizationCorban is live (GET /session 200)"
session_get "$C1"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S0"
t_end
t_begin "after refresh-session Redis holds the hashes of the new tokens only"
h=$(rcli HGETALL "$(skey "$S0")")
t_eq ah "$(rcli HGET "$(skey "$S0")" ah)" "$(sha256 "$(bare "$A1")")"
t_eq ch "$(rcli HGET "$(skey "$S0")" ch)" "$(sha256 "$(bare "$C1")")"
t_eq rh "$(rcli HGET "$(skey "$S0")" rh)" "$(sha256 "$(bare "$R1")")"
t_nomatch "old authorization hash" "$h" "$(sha256 "$(bare "$A0")")"
t_nomatch "old authorizationCorban hash" "$h" "$(sha256 "$(bare "$C0")")"
t_end
t_begin "the session stays one: admin sessions lists it once"
adm sessions alice
t_eq exit "$ADM_RC" 0
t_eq lines "$(printf '%s\n' "$ADM_OUT" | grep -c .)" 1
t_match "the sessionId" "$ADM_OUT" "^${S0}[ ,	]"
t_end
t_begin "the new refreshToken works with POST /refresh-token"
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$S0" --arg r "$R1" '{sessionId:$s,refreshToken:$r}')"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S0"
t_end
take_tokens
A2=$AUTH C2=$CORBAN R2=$REFRESH

t_begin "refresh-session twice in a row: each answer rotates, the last one is live"
refresh_session "$S0" alice alice-pw
A3=$AUTH
refresh_session "$S0" alice alice-pw
A4=$AUTH
t_ne "3rd vs 4th authorization" "$A3" "$A4"
session_get "$A3"
t_eq "previous authorization" "$STATUS" 401
session_get "$A4"
t_eq "last authorization" "$STATUS" 200
t_end

# ---- the old refresh token of a refresh-session is spent

login alice alice-pw
SX=$SID RX0=$REFRESH
refresh_session "$SX" alice alice-pw
RX1=$REFRESH AX1=$AUTH
t_begin "after refresh-session the old refreshToken is spent: presenting it -> 401 INVALID_TOKEN"
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SX" --arg r "$RX0" '{sessionId:$s,refreshToken:$r}')"
t_error 401 INVALID_TOKEN
t_end
t_begin "a spent refresh token of a live session revokes the session (RFC 9700 4.14.2)"
session_get "$AX1"
t_eq "GET /session with the newest authorization" "$STATUS" 401
refresh_session "$SX" alice alice-pw
t_error 404 SESSION_NOT_FOUND
t_end

# ---- password first, then the session (docs/API.md "Semantics")

login bob bob-pw
SB=$SID AB=$AUTH
login alice alice-pw
SA=$SID AA=$AUTH
NOSID=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')

refresh_session "$NOSID" alice alice-pw
MISS_S=$STATUS MISS_B=$BODY MISS_H=$HEADERS
t_begin "right password, missing session -> 404 SESSION_NOT_FOUND"
t_error 404 SESSION_NOT_FOUND
t_end
refresh_session "$SB" alice alice-pw
t_begin "right password, another user's session -> 404 SESSION_NOT_FOUND"
t_error 404 SESSION_NOT_FOUND
t_end
t_begin "another user's session answers exactly like a missing one (status, headers, body)"
t_eq status "$STATUS" "$MISS_S"
t_eq body "$BODY" "$MISS_B"
t_eq headers "$HEADERS" "$MISS_H"
t_end
t_begin "a refused refresh-session on another user's session leaves that session alone"
session_get "$AB"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$SB"
t_eq username "$(jget .data.username)" bob
t_end
t_begin "the attacker's own session is untouched by the refusal too"
session_get "$AA"
t_status 200
t_end
t_begin "the owner can still refresh the session after another user's attempt"
refresh_session "$SB" bob bob-pw
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$SB"
t_end
SB_AUTH=$AUTH

refresh_session "$SA" alice wrong-pw
t_begin "wrong password on one's own live session -> 401 INVALID_CREDENTIALS (password first)"
t_error 401 INVALID_CREDENTIALS
t_end
WRONG_B=$BODY
refresh_session "$NOSID" alice wrong-pw
t_begin "wrong password on a missing session -> 401 INVALID_CREDENTIALS, not 404"
t_error 401 INVALID_CREDENTIALS
t_eq "body like any wrong password" "$BODY" "$WRONG_B"
t_end
refresh_session "$SB" alice wrong-pw
t_begin "wrong password on another user's session -> 401 INVALID_CREDENTIALS, not 404"
t_error 401 INVALID_CREDENTIALS
t_eq "body like any wrong password" "$BODY" "$WRONG_B"
t_end
refresh_session "$SA" nosuchuser alice-pw
t_begin "unknown user on a live session -> 401, the same body as a wrong password"
t_error 401 INVALID_CREDENTIALS
t_eq body "$BODY" "$WRONG_B"
t_end
t_begin "a failed refresh-session does not rotate: the session's authorization still works"
session_get "$AA"
t_status 200
t_end
adm disable alice
refresh_session "$SA" alice alice-pw
t_begin "disabled user on own session -> 401, the same body as a wrong password"
t_error 401 INVALID_CREDENTIALS
t_eq body "$BODY" "$WRONG_B"
t_end
adm enable alice
t_begin "after enable, alice can log in again"
login alice alice-pw
t_status 200
t_end
SA=$SID

t_begin "refresh-session of a session revoked by the admin -> 404 SESSION_NOT_FOUND"
adm revoke "$SA"
t_eq "revoke exit" "$ADM_RC" 0
refresh_session "$SA" alice alice-pw
t_error 404 SESSION_NOT_FOUND
t_end
t_begin "refresh-session of a logged-out session -> 404 SESSION_NOT_FOUND"
login carol carol-pw
SC=$SID
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH"
t_status 200
refresh_session "$SC" carol carol-pw
t_error 404 SESSION_NOT_FOUND
t_end
t_begin "refresh-session of an expired session -> 404 SESSION_NOT_FOUND"
SHORT=$T/short.conf
conf_write "$SHORT" access_ttl=1 session_ttl=1
CONF=$SHORT login carol carol-pw
SE=$SID
sleep 2.2
CONF=$SHORT refresh_session "$SE" carol carol-pw
t_error 404 SESSION_NOT_FOUND
t_end
t_begin "refresh-session renews the session's life (sexp moves to now + session_ttl)"
login carol carol-pw
SR=$SID
rcli EXPIRE "$(skey "$SR")" 100 >/dev/null
refresh_session "$SR" carol carol-pw
t_status 200
t_ge "TTL after refresh" "$(rcli TTL "$(skey "$SR")")" 7100
t_end
done_testing
