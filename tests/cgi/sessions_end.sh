# DELETE /sessions/{sessionId} and POST /logout-all (docs/API.md
# "Sessions a user can see and end"), with either access token: the
# ended sessions' three tokens answer 401 at once, in GET /session, in the
# authorizer role and at refresh-token; the other sessions keep working.
# A session of another user, or none, is 404 SESSION_NOT_FOUND, the same
# answer byte for byte.  Routing of the prefix route: 405 with Allow:
# DELETE for other methods, 404 for an empty or malformed id.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200 authorizer_token=any
user_add alice alice-pw
user_add bob bob-pw

# authz TOKEN: the FastCGI authorizer role asks about a protected URL.
authz() {
	cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=$1"
}
# refresh SID REFRESH: POST /refresh-token.
refresh() {
	cgi POST "$API/refresh-token" "$(jq -cn --arg s "$1" --arg r "$2" '{sessionId:$s,refreshToken:$r}')"
}

login alice alice-pw
S1=$SID A1=$AUTH C1=$CORBAN R1=$REFRESH
login alice alice-pw
S2=$SID A2=$AUTH C2=$CORBAN R2=$REFRESH
login bob bob-pw
SB=$SID AB=$AUTH

t_begin "two logins: GET /sessions lists both"
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A2"
t_status 200
t_eq sessions "$(jq -c '[.data.sessions[].sessionId] | sort' "$BODYF")" "$(jq -cn --arg a "$S1" --arg b "$S2" '[$a,$b] | sort')"
t_end

t_begin "DELETE /sessions/{S1} with S2's token -> 200 {sessionId}"
cgi DELETE "$API/sessions/$S1" "" "HTTP_AUTHORIZATION=$A2" -CONTENT_TYPE -CONTENT_LENGTH
t_status 200
t_json_ct
t_eq body "$(jq -c . "$BODYF")" "{\"success\":true,\"data\":{\"sessionId\":\"$S1\"}}"
t_end

t_begin "the ended session's tokens answer 401 at once, everywhere"
session_get "$A1"
t_eq "GET /session authorization" "$STATUS" 401
session_get "$C1"
t_eq "GET /session authorizationCorban" "$STATUS" 401
authz "$A1"
t_eq "authorizer authorization" "$STATUS" 401
authz "$C1"
t_eq "authorizer authorizationCorban" "$STATUS" 401
refresh "$S1" "$R1"
t_eq "refresh-token" "$STATUS" 401
t_eq "gone from the index" "$(rcli ZSCORE "$(ukey user-sessions "alice")" "$S1")" ""
t_end

t_begin "the other session still works"
session_get "$A2"
t_status 200
authz "$A2"
t_status 200
t_eq AUTH_USER "$(hdr Variable-AUTH_USER)" alice
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A2"
t_eq sessions "$(jq -c '[.data.sessions[].sessionId]' "$BODYF")" "[\"$S2\"]"
t_end

t_begin "DELETE with authorizationCorban works too"
login alice alice-pw
S3=$SID
cgi DELETE "$API/sessions/$S3" "" "HTTP_AUTHORIZATION=$C2"
t_status 200
session_get "$AUTH"
t_eq "S3 token" "$STATUS" 401
t_end

t_begin "another user's session answers exactly like a missing one (404), and stays"
cgi DELETE "$API/sessions/$SB" "" "HTTP_AUTHORIZATION=$A2"
t_error 404 SESSION_NOT_FOUND
cp "$OUT" "$T/foreign.out"
cgi DELETE "$API/sessions/AAAAAAAAAAAAAAAAAAAAAA" "" "HTTP_AUTHORIZATION=$A2"
t_error 404 SESSION_NOT_FOUND
cmp -s "$T/foreign.out" "$OUT" || t_fail "answers differ: $(diff <(tr -d '\r' <"$T/foreign.out") <(tr -d '\r' <"$OUT") | head -c 300)"
cgi DELETE "$API/sessions/$S1" "" "HTTP_AUTHORIZATION=$A2"
cmp -s "$T/foreign.out" "$OUT" || t_fail "an ended session answers differently"
session_get "$AB"
t_eq "bob's session" "$STATUS" 200
t_end

t_begin "DELETE without or with a dead token -> 401 INVALID_TOKEN"
cgi DELETE "$API/sessions/$S2"
t_error 401 INVALID_TOKEN
cgi DELETE "$API/sessions/$S2" "" "HTTP_AUTHORIZATION=$A1"
t_error 401 INVALID_TOKEN
session_get "$A2"
t_eq "S2 untouched" "$STATUS" 200
t_end

t_begin "routing: GET and POST /sessions/{id} -> 405 Allow: DELETE"
cgi GET "$API/sessions/$S2" "" "HTTP_AUTHORIZATION=$A2"
t_error 405 METHOD_NOT_ALLOWED
t_eq Allow "$(hdr Allow)" DELETE
cgi POST "$API/sessions/$S2" "" "HTTP_AUTHORIZATION=$A2"
t_error 405 METHOD_NOT_ALLOWED
t_end
for p in "sessions/" "sessions/a%20b" "sessions/$S2/x" "sessions/$(repeat a 257)" "sessionsX" "session/$S2"; do
	t_begin "routing: DELETE /$(short "$p") -> 404 NOT_FOUND"
	cgi DELETE "$API/$p" "" "HTTP_AUTHORIZATION=$A2"
	t_error 404 NOT_FOUND
	t_end
done
t_begin "DELETE /sessions (no id) -> 405 Allow: GET"
cgi DELETE "$API/sessions" "" "HTTP_AUTHORIZATION=$A2"
t_error 405 METHOD_NOT_ALLOWED
t_eq Allow "$(hdr Allow)" GET
t_end
t_begin "the log line names the session id by its first 8 characters only"
cgi DELETE "$API/sessions/ZZZZZZZZZZZZZZZZZZZZZZ" "" "HTTP_AUTHORIZATION=$A2"
t_match "log" "$CGI_ERR" "sessions/ZZZZZZZZ\\.\\.\\. 404"
t_nomatch "log" "$CGI_ERR" "ZZZZZZZZZ[^.]"
t_end

t_begin "POST /logout-all -> 200 {revoked: N}, every session of the user ends"
login alice alice-pw
S4=$SID A4=$AUTH C4=$CORBAN R4=$REFRESH
cgi POST "$API/logout-all" "" "HTTP_AUTHORIZATION=$C2" -CONTENT_TYPE -CONTENT_LENGTH
t_status 200
t_json_ct
t_eq body "$(jq -c . "$BODYF")" '{"success":true,"data":{"revoked":2}}'
for tok in "$A2" "$C2" "$A4" "$C4"; do
	session_get "$tok"
	t_eq "GET /session $(short "$tok")" "$STATUS" 401
	authz "$tok"
	t_eq "authorizer $(short "$tok")" "$STATUS" 401
done
refresh "$S4" "$R4"
t_eq "refresh-token" "$STATUS" 401
refresh "$S2" "$R2"
t_eq "refresh-token (current)" "$STATUS" 401
t_eq "index gone" "$(rcli EXISTS "$(ukey user-sessions "alice")")" 0
t_end

t_begin "logout-all leaves other users alone; again with the dead token -> 401"
session_get "$AB"
t_eq "bob" "$STATUS" 200
cgi POST "$API/logout-all" "" "HTTP_AUTHORIZATION=$A2"
t_error 401 INVALID_TOKEN
cgi POST "$API/logout-all"
t_error 401 INVALID_TOKEN
t_end

t_begin "GET /logout-all -> 405 Allow: POST"
cgi GET "$API/logout-all" "" "HTTP_AUTHORIZATION=$AB"
t_error 405 METHOD_NOT_ALLOWED
t_eq Allow "$(hdr Allow)" POST
t_end

t_begin "logout-all of a single session -> revoked 1; a new login works after"
cgi POST "$API/logout-all" "" "HTTP_AUTHORIZATION=$AB"
t_eq body "$(jq -c . "$BODYF")" '{"success":true,"data":{"revoked":1}}'
login bob bob-pw
t_status 200
session_get "$AUTH"
t_status 200
t_end
done_testing
