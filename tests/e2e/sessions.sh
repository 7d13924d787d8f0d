# The sessions a user can see and end (docs/API.md "Sessions a user can
# see and end") through the shipped lighttpd recipe with two FastCGI
# workers: two logins are listed, DELETE /sessions/{id} ends one (its
# tokens answer 401 at once, on either worker), the other keeps working,
# and POST /logout-all ends the rest.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
conf_write
user_add eva eva-pw
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi

login_http() {
	http POST "$API/login" '{"username":"eva","password":"eva-pw"}'
	[ "$STATUS" = 200 ] || notok "setup: login through lighttpd" "status $STATUS: $BODY"
	SID=$(jget .data.sessionId)
	AUTH=$(jget .data.authorization)
}
login_http
S1=$SID A1=$AUTH
login_http
S2=$SID A2=$AUTH

t_begin "e2e sessions: GET /sessions lists both, the caller's marked current"
http GET "$API/sessions" "" -H "Authorization: $A2"
t_status 200
t_eq "ids" "$(jq -c '[.data.sessions[].sessionId] | sort' "$BODYF")" \
    "$(jq -cn --arg a "$S1" --arg b "$S2" '[$a,$b] | sort')"
t_eq "current" "$(jq -r '.data.sessions[] | select(.current) | .sessionId' "$BODYF")" "$S2"
t_end
t_begin "e2e sessions: DELETE /sessions/{id} ends it; its token answers 401 on every request"
http DELETE "$API/sessions/$S1" "" -H "Authorization: $A2"
t_status 200
for i in 1 2 3 4; do
	http GET "$API/session" "" -H "Authorization: $A1"
	t_eq "GET /session $i" "$STATUS" 401
done
t_end
t_begin "e2e sessions: the other session keeps working"
http GET "$API/session" "" -H "Authorization: $A2"
t_status 200
t_end
t_begin "e2e sessions: POST /logout-all ends the rest"
login_http
S3=$SID A3=$AUTH
http POST "$API/logout-all" "" -H "Authorization: $A3" -H 'Content-Length: 0'
t_status 200
http GET "$API/session" "" -H "Authorization: $A2"
t_eq "S2" "$STATUS" 401
http GET "$API/session" "" -H "Authorization: $A3"
t_eq "S3" "$STATUS" 401
t_end
t_lighttpd_clean
done_testing
