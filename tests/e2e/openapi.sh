# docs/openapi.yaml against real answers: every endpoint and error of the
# contract, through the shipped lighttpd recipe, checked with
# tests/lib/openapi_check.py (the documented status, Content-Type, the
# required headers, and the body against its JSON Schema).
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

SPEC=$ROOT_DIR/docs/openapi.yaml
redis_start || exit 1
python3 -c 'import jsonschema, yaml' 2>/dev/null ||
    { notok "python3 jsonschema and yaml are installed (make deps)" "import failed"; done_testing; }
conf_write metrics=on max_failures=3 max_sessions_per_user=3 session_limit_mode=refuse
user_add eva eva-pw-12345
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi

# t_spec METHOD PATH: the last answer (http) agrees with the spec.
t_spec() {
	local out
	out=$(python3 "$ROOT_DIR/tests/lib/openapi_check.py" "$SPEC" "$1" "$2" "$STATUS" "$HDRF" "$BODYF" 2>&1)
	t_eq "answer agrees with docs/openapi.yaml" "$?:$out" "0:"
}
# case NAME WANT-STATUS METHOD PATH [BODY] [curl args...]: one test.
case_() {
	local name=$1 want=$2 m=$3 p=$4 b=${5-}
	shift 4
	[ $# -gt 0 ] && shift
	t_begin "openapi: $name"
	http "$m" "$p" "$b" "$@"
	t_status "$want"
	t_spec "$m" "$p"
	t_end
}
L='{"username":"eva","password":"eva-pw-12345"}'

case_ "POST /login 200" 200 POST "$API/login" "$L"
SID=$(jget .data.sessionId) AUTH=$(jget .data.authorization) CORBAN=$(jget .data.authorizationCorban) REFRESH=$(jget .data.refreshToken)
case_ "GET /session 200 (X-Auth-* headers)" 200 GET "$API/session" "" -H "Authorization: $CORBAN"
case_ "GET /sessions 200" 200 GET "$API/sessions" "" -H "Authorization: $AUTH"
case_ "POST /refresh-session 200" 200 POST "$API/refresh-session" \
    "$(jq -cn --arg s "$SID" '{sessionId:$s,username:"eva",password:"eva-pw-12345"}')"
AUTH=$(jget .data.authorization) REFRESH=$(jget .data.refreshToken)
case_ "POST /refresh-token 200" 200 POST "$API/refresh-token" \
    "$(jq -cn --arg s "$SID" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
OLD=$REFRESH AUTH=$(jget .data.authorization)
case_ "GET /health 200" 200 GET "$API/health"
case_ "GET /metrics 200 (text/plain)" 200 GET "$API/metrics"
case_ "POST /login 400 INVALID_JSON" 400 POST "$API/login" '{"username":'
case_ "POST /login 400 MISSING_FIELD" 400 POST "$API/login" '{"username":"eva"}'
case_ "POST /login 400 INVALID_FIELD" 400 POST "$API/login" '{"username":"eva","password":7}'
case_ "POST /login 401 INVALID_CREDENTIALS" 401 POST "$API/login" '{"username":"eva","password":"wrong-pw-1"}'
case_ "POST /login 415" 415 POST "$API/login" "" -H 'Content-Type: text/plain' --data-binary "$L"
case_ "POST /login 413" 413 POST "$API/login" "{\"username\":\"$(head -c 20000 /dev/zero | tr '\0' a)\"}"
case_ "GET /login 405 (Allow)" 405 GET "$API/login"
case_ "GET /nope 404 NOT_FOUND" 404 GET "$API/nope"
case_ "GET /session 401 (WWW-Authenticate)" 401 GET "$API/session" "" -H "Authorization: Bearer nope.nope"
case_ "POST /refresh-session 404 SESSION_NOT_FOUND" 404 POST "$API/refresh-session" \
    '{"sessionId":"AAAAAAAAAAAAAAAAAAAAAA","username":"eva","password":"eva-pw-12345"}'
case_ "DELETE /sessions/{id} 404" 404 DELETE "$API/sessions/AAAAAAAAAAAAAAAAAAAAAA" "" -H "Authorization: $AUTH"
for i in 2 3; do http POST "$API/login" "$L"; done
case_ "POST /login 409 SESSION_LIMIT_REACHED" 409 POST "$API/login" "$L"
http POST "$API/login" '{"username":"eva","password":"wrong-pw-2"}'
http POST "$API/login" '{"username":"eva","password":"wrong-pw-3"}'
case_ "POST /login 429 (Retry-After)" 429 POST "$API/login" '{"username":"eva","password":"wrong-pw-4"}'
adm unban eva
adm unban 127.0.0.1
case_ "DELETE /sessions/{id} 200" 200 DELETE "$API/sessions/$SID" "" -H "Authorization: $AUTH"
case_ "POST /refresh-token 401 after the session ended" 401 POST "$API/refresh-token" \
    "$(jq -cn --arg s "$SID" --arg r "$OLD" '{sessionId:$s,refreshToken:$r}')"
http POST "$API/login" "$L"
AUTH=$(jget .data.authorization)
case_ "POST /logout 200" 200 POST "$API/logout" "" -H "Authorization: $AUTH" -H 'Content-Length: 0'
http POST "$API/login" "$L"
AUTH=$(jget .data.authorization)
case_ "POST /logout-all 200" 200 POST "$API/logout-all" "" -H "Authorization: $AUTH" -H 'Content-Length: 0'
redis_stop
case_ "GET /health 503" 503 GET "$API/health"
case_ "POST /login 503" 503 POST "$API/login" "$L"

t_begin "openapi: the checker itself refuses an answer that disagrees"
printf 'Content-Type: application/json; charset=utf-8\n' >"$T/h"
printf '{"success":true,"data":{"sessionId":"x y"}}' >"$T/b"
out=$(python3 "$ROOT_DIR/tests/lib/openapi_check.py" "$SPEC" POST "$API/login" 200 "$T/h" "$T/b" 2>&1)
t_eq "exit" "$?" 1
t_match "a missing token" "$out" "authorization' is a required property"
t_match "a missing header" "$out" 'header Cache-Control is missing'
t_end

done_testing
