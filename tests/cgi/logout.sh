# POST /logout (docs/API.md): the authorization in Authorization ends its
# session, and with it every token of the session; no or a dead token
# answers 401 INVALID_TOKEN with WWW-Authenticate: Bearer.  It takes no
# body, so Content-Type and a body are ignored.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

login alice alice-pw
SL=$SID AL=$AUTH CL=$CORBAN RL=$REFRESH
t_begin "login indexes the session under its end"
t_eq "index entry" "$(rcli ZSCORE "$(ukey user-sessions "alice")" "$SL")" "$(rcli HGET "$(skey "$SL")" sexp)"
t_end
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
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SL" --arg r "$RL" '{sessionId:$s,refreshToken:$r}')"
t_eq refreshToken "$STATUS" 401
t_eq "session key" "$(rcli EXISTS "$(skey "$SL")")" 0
t_eq "index entry" "$(rcli ZSCORE "$(ukey user-sessions "alice")" "$SL")" ""
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
t_begin "POST /logout ignores Content-Type and a body (takes none)"
login alice alice-pw
cgi POST "$API/logout" "not json" "HTTP_AUTHORIZATION=$AUTH" CONTENT_TYPE=text/plain
t_status 200
t_end
done_testing
