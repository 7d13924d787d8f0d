# The other endpoints of docs/API.md that the token flows rely on: GET /session,
# GET /health, POST /logout, POST /refresh-token (single use, RFC 9700
# 4.14.2 reuse detection, refresh_reuse_grace).
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

t_begin "GET /health -> 200 {success:true, data:{redis:\"ok\"}}"
cgi GET "$API/health"
t_status 200
t_json_ct
t_eq body "$(jq -c . "$BODYF")" '{"success":true,"data":{"redis":"ok"}}'
t_end

login alice alice-pw
S=$SID A=$AUTH C=$CORBAN R=$REFRESH
t_begin "GET /session with authorization -> 200 with the five data fields"
session_get "$A"
t_status 200
t_json_ct
t_eq success "$(jget .success)" true
t_eq "data keys" "$(jq -c '.data | keys | sort' "$BODYF")" '["expiresAt","sessionExpiresAt","sessionId","tokenType","username"]'
t_eq sessionId "$(jget .data.sessionId)" "$S"
t_eq username "$(jget .data.username)" alice
t_eq "tokenType type" "$(jget '.data.tokenType | type')" string
t_end
TT_A=$(jget .data.tokenType)
t_begin "GET /session with authorizationCorban -> 200, another tokenType"
session_get "$C"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S"
t_ne tokenType "$(jget .data.tokenType)" "$TT_A"
t_end
t_begin "GET /session without Authorization -> 401 INVALID_TOKEN + WWW-Authenticate: Bearer"
cgi GET "$API/session"
t_error 401 INVALID_TOKEN
t_match WWW-Authenticate "$(hdr WWW-Authenticate)" '^Bearer'
t_end
for bad in "Bearer" "Bearer " "Basic YWxpY2U6cHc=" "bearer-$(bare "$A")" \
    "Bearer $(bare "$A")x" "Bearer ${S}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
    "Bearer AAAAAAAAAAAAAAAAAAAAAA.$(secret_of "$A")" "$R" "Bearer $(repeat a 300)"; do
	t_begin "GET /session with Authorization '$(short "$bad")' -> 401 INVALID_TOKEN"
	session_get "$bad"
	t_error 401 INVALID_TOKEN
	t_match WWW-Authenticate "$(hdr WWW-Authenticate)" '^Bearer'
	t_end
done

# ---- refresh-token
rt() { cgi POST "$API/refresh-token" "$(jq -cn --arg s "$1" --arg r "$2" '{sessionId:$s,refreshToken:$r}')" "${@:3}"; }
t_begin "refresh-token -> 200, same sessionId, three new tokens"
rt "$S" "$R"
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S"
t_ne authorization "$(jget .data.authorization)" "$A"
t_ne refreshToken "$(jget .data.refreshToken)" "$R"
t_token_shape authorization "$(jget .data.authorization)"
t_eq Cache-Control "$(hdr Cache-Control)" no-store
t_end
take_tokens
A1=$AUTH R1=$REFRESH
t_begin "refresh-token: the previous authorization is dead, the new one live"
session_get "$A"
t_eq old "$STATUS" 401
session_get "$A1"
t_eq new "$STATUS" 200
t_end
t_begin "refresh-token does not extend the session (refreshExpiresIn <= session_ttl)"
rt "$S" "$R1"
t_status 200
t_le refreshExpiresIn "$(jget .data.refreshExpiresIn)" 7200
take_tokens
t_end
A2=$AUTH R2=$REFRESH
t_begin "refresh-token accepts the bare token (without 'Bearer ')"
rt "$S" "$(bare "$R2")"
t_status 200
take_tokens
t_end
A3=$AUTH R3=$REFRESH
t_begin "refresh-token with a wrong token of a live session -> 401 INVALID_TOKEN, session kept"
rt "$S" "Bearer ${S}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
t_error 401 INVALID_TOKEN
session_get "$A3"
t_eq "session still live" "$STATUS" 200
t_end
t_begin "refresh-token of a missing session -> 401 INVALID_TOKEN"
rt AAAAAAAAAAAAAAAAAAAAAA "$R3"
t_error 401 INVALID_TOKEN
t_end
t_begin "refresh-token validation: missing refreshToken -> MISSING_FIELD refreshToken"
cgi POST "$API/refresh-token" "{\"sessionId\":\"$S\"}"
t_error 400 MISSING_FIELD refreshToken
t_end
t_begin "refresh-token validation: 257-byte refreshToken -> INVALID_FIELD refreshToken"
rt "$S" "$(repeat a 257)"
t_error 400 INVALID_FIELD refreshToken
t_end
t_begin "refresh-token: a spent refresh token revokes the whole session (401)"
rt "$S" "$R2"
t_error 401 INVALID_TOKEN
session_get "$A3"
t_eq "newest authorization after the reuse" "$STATUS" 401
rt "$S" "$R3"
t_eq "newest refresh token after the reuse" "$STATUS" 401
t_end

GR=$T/grace.conf
conf_write "$GR" refresh_reuse_grace=30
CONF=$GR login alice alice-pw
SG=$SID RG0=$REFRESH
CONF=$GR rt "$SG" "$RG0"
AG1=$(jget .data.authorization) RG1=$(jget .data.refreshToken)
t_begin "refresh_reuse_grace: a just-spent refresh token -> 409 REFRESH_CONFLICT"
CONF=$GR rt "$SG" "$RG0"
t_error 409 REFRESH_CONFLICT
t_end
t_begin "refresh_reuse_grace: the 409 mints nothing and revokes nothing"
CONF=$GR session_get "$AG1"
t_eq "current authorization" "$STATUS" 200
CONF=$GR rt "$SG" "$RG1"
t_eq "current refresh token" "$STATUS" 200
t_end

# ---- logout
login alice alice-pw
SL=$SID AL=$AUTH CL=$CORBAN RL=$REFRESH
t_begin "logout -> 200 {success:true, data:{sessionId}}"
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AL"
t_status 200
t_eq body "$(jq -c . "$BODYF")" "{\"success\":true,\"data\":{\"sessionId\":\"$SL\"}}"
t_end
t_begin "after logout every token of the session is dead"
session_get "$AL"
t_eq authorization "$STATUS" 401
session_get "$CL"
t_eq authorizationCorban "$STATUS" 401
rt "$SL" "$RL"
t_eq refreshToken "$STATUS" 401
t_eq "session key" "$(rcli EXISTS "${PREFIX}session:$SL")" 0
t_end
t_begin "logout again with the same token -> 401 INVALID_TOKEN"
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AL"
t_error 401 INVALID_TOKEN
t_end
t_begin "logout without Authorization -> 401 INVALID_TOKEN + WWW-Authenticate: Bearer"
cgi POST "$API/logout" ""
t_error 401 INVALID_TOKEN
t_match WWW-Authenticate "$(hdr WWW-Authenticate)" '^Bearer'
t_end
t_begin "logout needs no Content-Type (takes no body)"
login alice alice-pw
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH" -CONTENT_TYPE -CONTENT_LENGTH
t_status 200
t_end

# ---- endpoints without a body check no Content-Type
t_begin "GET /health ignores Content-Type and a body (takes none)"
cgi GET "$API/health" "garbage" CONTENT_TYPE=text/plain
t_status 200
t_end
t_begin "POST /logout ignores Content-Type and a body (takes none)"
login alice alice-pw
cgi POST "$API/logout" "not json" "HTTP_AUTHORIZATION=$AUTH" CONTENT_TYPE=text/plain
t_status 200
t_end
t_begin "GET /session ignores Content-Type (takes no body)"
login alice alice-pw
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$AUTH" CONTENT_TYPE=text/plain
t_status 200
t_end

# ---- 500 INTERNAL_ERROR: details go to the log, never to the client
t_begin "a malformed session record -> 500 INTERNAL_ERROR without details"
login alice alice-pw
rcli SET "${PREFIX}session:$SID" not-a-hash >/dev/null
session_get "$AUTH"
t_error 500 INTERNAL_ERROR
t_nomatch body "$BODY" 'WRONGTYPE|[Rr]edis|HGET|HMGET|EVAL|script|lua'
t_end
t_begin "a malformed user record -> 500 INTERNAL_ERROR (never 401, never 200)"
rcli SET "${PREFIX}user:broken" not-a-hash >/dev/null
login broken whatever
t_error 500 INTERNAL_ERROR
t_nomatch body "$BODY" 'WRONGTYPE|[Rr]edis|HGET|HMGET'
t_end

# ---- access tokens expire, the refresh token outlives them
SH=$T/short.conf
conf_write "$SH" access_ttl=1 session_ttl=60
CONF=$SH login alice alice-pw
SE=$SID AE=$AUTH RE=$REFRESH
sleep 2.2
t_begin "an expired authorization -> 401 INVALID_TOKEN"
CONF=$SH session_get "$AE"
t_error 401 INVALID_TOKEN
t_end
t_begin "after the access tokens expire the refresh token still rotates the session"
CONF=$SH rt "$SE" "$RE"
t_status 200
t_end
# ---- spent refresh tokens are never forgotten while the session lives:
# after 64 rotations without a password check the next rotation is
# refused, so a thief cannot rotate a victim's spent token out of memory
login alice alice-pw
SR=$SID R0=$REFRESH cur=$REFRESH
for i in $(seq 1 64); do
	VG_SKIP=1 rt "$SR" "$cur"	# set-up: not under valgrind (tests/lib/cgi.sh)
	[ "$STATUS" = 200 ] || { notok "rotation $i of 64 answers 200" "status $STATUS"; break; }
	cur=$(jget .data.refreshToken) curauth=$(jget .data.authorization)
done
t_begin "after 64 rotations without a password check the next one is refused (401) and changes nothing"
rt "$SR" "$cur"
t_error 401 INVALID_TOKEN
session_get "$curauth"
t_eq "latest authorization still live" "$STATUS" 200
t_end
t_begin "the first spent refresh token still revokes the session after 64 rotations"
rt "$SR" "$R0"
t_error 401 INVALID_TOKEN
session_get "$curauth"
t_eq "latest authorization after the reuse" "$STATUS" 401
t_end
login alice alice-pw
SP=$SID cur=$REFRESH
for i in $(seq 1 64); do
	VG_SKIP=1 rt "$SP" "$cur"
	cur=$(jget .data.refreshToken)
done
t_begin "refresh-session (a password check) lets a session rotate again after 64 rotations"
refresh_session "$SP" alice alice-pw
t_status 200
rt "$SP" "$REFRESH"
t_status 200
t_end
done_testing
