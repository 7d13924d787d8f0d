# Real answers against docs/openapi.yaml: through a real lighttpd (the
# shipped conf/lighttpd.conf) and a real redis-server, every endpoint
# answers its success and its errors (bad JSON, missing and invalid
# fields, wrong method and media type, too large a body, bad token,
# unknown session, refresh conflict, session limit, ban, CORS preflight,
# Redis down), each answer is recorded (status, headers, body) and
# tools/openapi/validate.mjs checks it against the document: the status
# is documented for that operation, the required headers are there and
# every declared header and the body match their schemas.  The validator
# must also refuse answers that break the document.  INTERNAL_ERROR has no
# honest way to happen here and is not provoked.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http openapi

openapi_tools || { notok "openapi: npm ci installs tools/openapi" "see stderr"; done_testing; }
redis_start || exit 1
ORIGIN=http://app.example
conf_write max_failures=3 max_sessions_per_user=2 session_limit_mode=refuse \
    refresh_reuse_grace=30 "cors_origins=$ORIGIN"
user_add alice alice-password-1
user_add bob bob-password-1
user_add carol carol-password-1
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
mkdir -p "$T/rec"
NREC=0

# rec NAME METHOD PATH [BODY] [curl args...]: one request through lighttpd,
# its answer kept as $T/rec/NNN.json for the validator.  COMPONENT=NAME
# before it: a request outside the document's operations, to be checked
# against components/responses/NAME.
rec() {
	local name=$1 method=$2 path=$3
	shift 3
	http "$method" "$path" "$@"
	NREC=$((NREC + 1))
	jq -n --arg name "$name ($STATUS)" --arg method "$method" --arg path "$path" \
	    --argjson status "${STATUS:-0}" --rawfile body "$BODYF" \
	    --argjson headers "$(awk '{
		i = index($0, ":"); if (i == 0) next
		k = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1)
		sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
		if (!(k in seen)) { seen[k] = 1; printf "%s\t%s\n", k, v }
	    }' "$HDRF" | jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): (.[1:] | join("\t"))}) | add // {}')" \
	    --arg component "${COMPONENT:-}" \
	    '{name: $name, method: $method, path: $path, status: $status, headers: $headers, body: $body}
	     + (if $component == "" then {} else {component: $component} end)' \
	    >"$T/rec/$(printf '%03d' "$NREC").json"
}
body_login() { jq -cn --arg u "$1" --arg p "$2" '{username: $u, password: $p}'; }
tok() { jget ".data.$1"; }

rec "login" POST "$API/login" "$(body_login alice alice-password-1)" -H "Origin: $ORIGIN"
SID1=$(tok sessionId) AUTH1=$(tok authorization) CORBAN1=$(tok authorizationCorban) REFRESH1=$(tok refreshToken)
rec "login, second session" POST "$API/login" "$(body_login alice alice-password-1)"
SID2=$(tok sessionId)
rec "login at max_sessions_per_user (refuse)" POST "$API/login" "$(body_login alice alice-password-1)"
rec "session with authorization" GET "$API/session" "" -H "Authorization: $AUTH1"
rec "session with authorizationCorban" GET "$API/session" "" -H "Authorization: $CORBAN1" -H "Origin: $ORIGIN"
rec "sessions" GET "$API/sessions" "" -H "Authorization: $AUTH1"
rec "refresh-session" POST "$API/refresh-session" \
    "$(jq -cn --arg s "$SID1" '{sessionId: $s, username: "alice", password: "alice-password-1"}')"
AUTH1=$(tok authorization) REFRESH1=$(tok refreshToken)
rec "refresh-token" POST "$API/refresh-token" \
    "$(jq -cn --arg s "$SID1" --arg r "$REFRESH1" '{sessionId: $s, refreshToken: $r}')"
SPENT=$REFRESH1 AUTH1=$(tok authorization)
rec "refresh-token, spent inside refresh_reuse_grace" POST "$API/refresh-token" \
    "$(jq -cn --arg s "$SID1" --arg r "$SPENT" '{sessionId: $s, refreshToken: $r}')"
rec "refresh-token, unknown token" POST "$API/refresh-token" \
    "$(jq -cn --arg s "$SID1" '{sessionId: $s, refreshToken: "nope.nope"}')"
rec "refresh-session, unknown session" POST "$API/refresh-session" \
    '{"sessionId":"no-such-session","username":"alice","password":"alice-password-1"}'
rec "delete session" DELETE "$API/sessions/$SID2" "" -H "Authorization: $AUTH1"
rec "delete session, unknown" DELETE "$API/sessions/no-such-session" "" -H "Authorization: $AUTH1"
rec "logout" POST "$API/logout" "" -H "Authorization: $AUTH1" -d ''
rec "session after logout" GET "$API/session" "" -H "Authorization: $AUTH1"
rec "session without a token" GET "$API/session"
rec "login bob" POST "$API/login" "$(body_login bob bob-password-1)"
BOB=$(tok authorization)
rec "logout-all" POST "$API/logout-all" "" -H "Authorization: $BOB" -d ''
rec "health" GET "$API/health" "" -H "Origin: $ORIGIN"
rec "metrics (off)" GET "$API/metrics"
COMPONENT=NotFound rec "unknown endpoint" GET "$API/nope"
COMPONENT=MethodNotAllowed rec "wrong method" GET "$API/login"
COMPONENT=MethodNotAllowed rec "wrong method, DELETE endpoint" GET "$API/sessions/x"
rec "wrong media type" POST "$API/login" "" -H 'Content-Type: text/plain' --data-binary 'x'
head -c 9000 /dev/zero | tr '\0' a >"$T/big"
rec "body too large" POST "$API/login" "" -H 'Content-Type: application/json' --data-binary @"$T/big"
rec "not JSON" POST "$API/login" '{'
rec "missing field" POST "$API/login" '{"username":"alice"}'
rec "invalid field" POST "$API/login" "$(body_login "$(printf 'u%.0s' $(seq 65))" x)"
rec "preflight, allowed origin" OPTIONS "$API/login" "" -H "Origin: $ORIGIN" \
    -H 'Access-Control-Request-Method: POST'
rec "preflight, other origin" OPTIONS "$API/session" "" -H "Origin: http://evil.example" \
    -H 'Access-Control-Request-Method: GET'
rec "wrong password" POST "$API/login" "$(body_login alice wrong-password)"
for i in 1 2 3 4 5 6; do
	http POST "$API/login" "$(body_login carol "wrong-$i")"
	[ "$STATUS" = 429 ] && break
done
rec "banned" POST "$API/login" "$(body_login carol carol-password-1)"
redis_stop
rec "health, Redis down" GET "$API/health"
rec "login, Redis down" POST "$API/login" "$(body_login bob bob-password-1)"

t_begin "openapi: $NREC answers recorded, with the statuses asked for"
want="200 200 409 200 200 200 200 200 409 401 404 200 404 200 401 401 200 200 200 404 404 405 405 415 413 400 400 400 204 204 401 429 503 503"
got=$(for f in "$T"/rec/*.json; do jq -r .status "$f"; done | tr '\n' ' ')
t_eq statuses "${got% }" "$want"
t_end

# Every record: one test of its own.
node "$OPENAPI_DIR/validate.mjs" "$OPENAPI_DOC" "$T"/rec/*.json >"$T/validate.out" 2>&1
vrc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "openapi: ${line#ok }" ;;
	"not ok "*) n=${line#not ok }; notok "openapi: ${n%%: *}" "${n#*: }" ;;
	*) notok "openapi: validator output" "$line" ;;
	esac
done <"$T/validate.out"
t_begin "openapi: the validator exits 0 and checked every record"
[ "$vrc" -eq 0 ] || t_fail "exit $vrc"
t_eq "records checked" "$(grep -c '^\(not \)\{0,1\}ok ' "$T/validate.out")" "$NREC"
t_end

# The validator must refuse what breaks the document.
first=$T/rec/001.json
jq '.body |= (fromjson | del(.data.sessionId) | tojson) | .name = "login without sessionId"' "$first" >"$T/bad1.json"
jq '.headers |= del(."cache-control") | .name = "login without Cache-Control"' "$first" >"$T/bad2.json"
jq '.status = 418 | .name = "an undocumented status"' "$first" >"$T/bad3.json"
jq '.body |= (fromjson | .data.authorization = "token-without-Bearer" | tojson) | .name = "a token without Bearer"' "$first" >"$T/bad4.json"
for b in bad1 bad2 bad3 bad4; do
	t_begin "openapi: the validator refuses $(jq -r .name "$T/$b.json")"
	node "$OPENAPI_DIR/validate.mjs" "$OPENAPI_DOC" "$T/$b.json" >"$T/$b.out" 2>&1 &&
	    t_fail "accepted: $(cat "$T/$b.out")"
	grep -q '^not ok ' "$T/$b.out" || t_fail "no 'not ok' line: $(cat "$T/$b.out")"
	t_end
done

done_testing
