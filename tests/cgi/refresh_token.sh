# POST /refresh-token (docs/API.md): the refresh token alone rotates the
# session (same sessionId, three new tokens, the previous authorization
# dead at once) without extending it; a wrong token or a missing session
# answers 401 INVALID_TOKEN and changes nothing; its fields are checked;
# the refresh token outlives the access tokens.  What a spent refresh
# token does: tests/cgi/reuse_detection.sh.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

# rt SID REFRESH [VAR=VALUE...]: POST /refresh-token
rt() { cgi POST "$API/refresh-token" "$(jq -cn --arg s "$1" --arg r "$2" '{sessionId:$s,refreshToken:$r}')" "${@:3}"; }

login alice alice-pw
S=$SID A=$AUTH R=$REFRESH
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
R2=$REFRESH
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
done_testing
