# GET /session (docs/API.md): a live authorization or authorizationCorban
# answers 200 with the session's five data fields; anything else in
# Authorization (none, another scheme, a changed, foreign or refresh token)
# answers 401 INVALID_TOKEN with WWW-Authenticate: Bearer (RFC 6750).  It
# takes no body, so Content-Type is ignored.  Expiry of the access tokens:
# tests/cgi/refresh_token.sh.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

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
t_begin "a 200 from GET /session carries X-Auth-User and X-Auth-Session-Id, once each"
session_get "$A"
t_eq X-Auth-User "$(hdr X-Auth-User)" alice
t_eq X-Auth-Session-Id "$(hdr X-Auth-Session-Id)" "$S"
t_eq "X-Auth-User count" "$(hdr_count X-Auth-User)" 1
t_eq "X-Auth-Session-Id count" "$(hdr_count X-Auth-Session-Id)" 1
t_end
t_begin "no other answer carries X-Auth-* (401, login, GET /sessions, the authorizer)"
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=Bearer ${S}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" HTTP_X_AUTH_USER=alice
t_status 401
t_eq "401" "$(hdr_count X-Auth-User)$(hdr_count X-Auth-Session-Id)" 00
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A"
t_status 200
t_eq "GET /sessions" "$(hdr_count X-Auth-User)$(hdr_count X-Auth-Session-Id)" 00
cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=$A"
t_status 200
t_eq "authorizer" "$(hdr_count X-Auth-User)$(hdr_count X-Auth-Session-Id)" 00
login alice alice-pw
t_eq "login" "$(hdr_count X-Auth-User)$(hdr_count X-Auth-Session-Id)" 00
t_end
t_begin "X-Auth-User comes from the session, never from the request"
session_get "$A" 
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$A" "HTTP_X_AUTH_USER=mallory" "HTTP_X_AUTH_SESSION_ID=forged"
t_eq X-Auth-User "$(hdr X-Auth-User)" alice
t_eq X-Auth-Session-Id "$(hdr X-Auth-Session-Id)" "$S"
t_end
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

t_begin "GET /session ignores Content-Type (takes no body)"
login alice alice-pw
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$AUTH" CONTENT_TYPE=text/plain
t_status 200
t_end
done_testing
