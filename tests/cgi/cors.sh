# Browsers on other origins (docs/API.md "Browsers on other origins
# (CORS)", the config key cors_origins): with cors_origins set, OPTIONS on
# an endpoint is the preflight (204, with the allow headers only for an
# allowed Origin and the endpoint's method), and every other answer to an
# allowed Origin, errors included, carries Access-Control-Allow-Origin,
# Vary: Origin and Access-Control-Expose-Headers.  Origins are compared
# byte for byte after their syntax is checked: a malformed Origin, or one
# that differs in case or by a trailing slash, is not allowed and never
# written back.  No answer carries Access-Control-Allow-Credentials; the
# authorizer role carries no CORS header; unset, nothing changes.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

O1=http://127.0.0.1:3000
O2=https://app.example.com
redis_start || exit 1
conf_write "cors_origins=$O1, $O2" access_ttl=600 session_ttl=7200 refresh_reuse_grace=0
OFF=$T/off.conf
conf_write "$OFF" access_ttl=600 session_ttl=7200
STAR=$T/star.conf
conf_write "$STAR" "cors_origins=*" access_ttl=600 session_ttl=7200
user_add alice alice-pw
EXPOSE='Retry-After, WWW-Authenticate, X-Auth-User, X-Auth-Session-Id'

# ---- what an answer carries

# t_no_credentials: no Access-Control-Allow-Credentials, ever.
t_no_credentials() {
	t_eq "Access-Control-Allow-Credentials headers" \
	    "$(hdr_count Access-Control-Allow-Credentials)" 0
}

# t_cors ORIGIN: the last answer is for ORIGIN: each CORS header once.
t_cors() {
	t_eq "Access-Control-Allow-Origin" "$(hdr Access-Control-Allow-Origin)" "$1"
	t_eq "Access-Control-Allow-Origin headers" "$(hdr_count Access-Control-Allow-Origin)" 1
	t_eq "Vary" "$(hdr Vary)" Origin
	t_eq "Vary headers" "$(hdr_count Vary)" 1
	t_eq "Access-Control-Expose-Headers" "$(hdr Access-Control-Expose-Headers)" "$EXPOSE"
	t_eq "Access-Control-Expose-Headers headers" "$(hdr_count Access-Control-Expose-Headers)" 1
	t_eq "preflight-only headers" "$(hdr_count Access-Control-Allow-Methods)$(hdr_count Access-Control-Max-Age)" 00
	t_no_credentials
}

# t_no_cors [TEXT]: no Access-Control-* or Vary header in the last answer,
# and TEXT (the Origin sent) nowhere in it, headers or body.
t_no_cors() {
	t_nomatch "headers" "$HEADERS" $'(^|\n)([Aa]ccess-[Cc]ontrol-|[Vv]ary:)'
	if [ -n "${1-}" ] && grep -qF -- "$1" "$OUT"; then
		t_fail "the Origin '$(short "$1")' is written back"
	fi
	t_eq "X-Injected headers" "$(hdr_count X-Injected)" 0
}

# t_preflight ORIGIN METHOD: the last answer is the preflight's 204 with
# the allow headers for ORIGIN and METHOD.
t_preflight() {
	t_status 204
	t_eq "body" "$BODY" ""
	t_eq "Content-Type headers (no body)" "$(hdr_count Content-Type)" 0
	t_eq "Access-Control-Allow-Origin" "$(hdr Access-Control-Allow-Origin)" "$1"
	t_eq "Access-Control-Allow-Origin headers" "$(hdr_count Access-Control-Allow-Origin)" 1
	t_eq "Access-Control-Allow-Methods" "$(hdr Access-Control-Allow-Methods)" "$2"
	t_eq "Access-Control-Allow-Headers" "$(hdr Access-Control-Allow-Headers)" "Authorization, Content-Type"
	t_eq "Access-Control-Max-Age" "$(hdr Access-Control-Max-Age)" 600
	t_eq "Vary" "$(hdr Vary)" Origin
	t_no_credentials
}

# t_bare_preflight [TEXT]: the preflight's 204 without any CORS header.
t_bare_preflight() {
	t_status 204
	t_eq "body" "$BODY" ""
	t_no_cors "${1-}"
}

# preflight ROUTE ORIGIN METHOD [cgi args]: OPTIONS ROUTE as a browser
# sends it (an empty ORIGIN or METHOD leaves that header out).
preflight() {
	local route=$1 origin=$2 method=$3
	shift 3
	local -a h=()
	[ -n "$origin" ] && h+=("HTTP_ORIGIN=$origin")
	[ -n "$method" ] && h+=("HTTP_ACCESS_CONTROL_REQUEST_METHOD=$method")
	cgi OPTIONS "$API/$route" "" -CONTENT_TYPE -CONTENT_LENGTH \
	    HTTP_ACCESS_CONTROL_REQUEST_HEADERS=content-type "${h[@]}" "$@"
}

# ---- cors_origins unset: exactly as before

for r in login:POST refresh-session:POST refresh-token:POST logout:POST session:GET health:GET sessions:GET sessions/AAAAAAAAAAAAAAAAAAAAAA:DELETE logout-all:POST; do
	t_begin "unset: OPTIONS /${r%:*} from an Origin -> 405, Allow: ${r#*:}, no CORS header"
	CONF=$OFF preflight "${r%:*}" "$O1" "${r#*:}"
	t_error 405 METHOD_NOT_ALLOWED
	t_eq Allow "$(hdr Allow)" "${r#*:}"
	t_no_cors "$O1"
	t_end
done
# Each answer with an Origin is the same bytes as without one.
same() { # NAME [cgi args]
	local name=$1
	shift
	t_begin "unset: $name with an Origin is byte for byte the answer without one"
	CONF=$OFF cgi "$@"
	cp "$OUT" "$T/without.out"
	CONF=$OFF cgi "$@" "HTTP_ORIGIN=$O1"
	cmp -s "$T/without.out" "$OUT" || t_fail "answers differ: $(diff <(tr -d '\r' <"$T/without.out") <(tr -d '\r' <"$OUT") | head -c 300)"
	t_no_cors "$O1"
	t_end
}
same "GET /health (200)" GET "$API/health"
same "login with a wrong password (401)" POST "$API/login" '{"username":"alice","password":"wrong"}'
same "GET /session without a token (401 + WWW-Authenticate)" GET "$API/session"
same "an unknown route (404)" GET "$API/nope"
same "GET /login (405 + Allow)" GET "$API/login"
same "login with '{}' (400)" POST "$API/login" '{}'

# ---- the preflight of every endpoint

for r in login:POST refresh-session:POST refresh-token:POST logout:POST session:GET health:GET sessions:GET sessions/AAAAAAAAAAAAAAAAAAAAAA:DELETE logout-all:POST; do
	t_begin "OPTIONS /${r%:*} from an allowed Origin asking ${r#*:} -> 204 with the allow headers"
	preflight "${r%:*}" "$O1" "${r#*:}"
	t_preflight "$O1" "${r#*:}"
	t_end
done
t_begin "OPTIONS /refresh-session from the list's second origin -> 204 for that origin"
preflight refresh-session "$O2" POST
t_preflight "$O2" POST
t_end
t_begin "OPTIONS /session asking GET with Authorization -> 204 with the allow headers"
preflight session "$O1" GET HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization
t_preflight "$O1" GET
t_end
t_begin "the preflight is logged as OPTIONS ... 204"
preflight login "$O1" POST
t_match "log line" "$CGI_ERR" "OPTIONS $API/login 204 "
t_end
for m in GET DELETE PUT post OPTIONS; do
	t_begin "OPTIONS /login asking $m (not its method) -> 204 without CORS headers"
	preflight login "$O1" "$m"
	t_bare_preflight
	t_end
done
t_begin "OPTIONS /health asking POST (not its method) -> 204 without CORS headers"
preflight health "$O1" POST
t_bare_preflight
t_end
t_begin "OPTIONS /login without Access-Control-Request-Method -> 204 without CORS headers"
preflight login "$O1" ""
t_bare_preflight
t_end
t_begin "OPTIONS /login without an Origin -> 204 without CORS headers"
preflight login "" POST
t_bare_preflight
t_end
for o in http://127.0.0.1:3001 https://evil.example; do
	t_begin "OPTIONS /login from an Origin not in cors_origins ($o) -> 204 without CORS headers"
	preflight login "$o" POST
	t_bare_preflight "$o"
	t_end
done
t_begin "OPTIONS on an unknown route from an allowed Origin -> 404 NOT_FOUND with the CORS headers"
preflight nope "$O1" POST
t_error 404 NOT_FOUND
t_cors "$O1"
t_end

# ---- every other answer to an allowed Origin

t_begin "login from an allowed Origin -> 200 with the CORS headers (and still no-store)"
login alice alice-pw "HTTP_ORIGIN=$O1"
t_status 200
t_cors "$O1"
t_eq Cache-Control "$(hdr Cache-Control)" no-store
t_json_ct
t_end
S=$SID
t_begin "refresh-session from an allowed Origin -> 200 with the CORS headers, same sessionId"
refresh_session "$S" alice alice-pw "HTTP_ORIGIN=$O2"
t_status 200
t_eq sessionId "$SID" "$S"
t_cors "$O2"
t_end
t_begin "refresh-token from an allowed Origin -> 200 with the CORS headers"
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$S" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')" "HTTP_ORIGIN=$O1"
t_status 200
t_cors "$O1"
take_tokens
t_end
t_begin "GET /session from an allowed Origin -> 200 with the CORS headers"
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$AUTH" "HTTP_ORIGIN=$O1"
t_status 200
t_cors "$O1"
t_end
t_begin "GET /health from an allowed Origin -> 200 with the CORS headers"
cgi GET "$API/health" "" "HTTP_ORIGIN=$O1"
t_status 200
t_cors "$O1"
t_end

cors_error() { # NAME STATUS CODE METHOD PATH BODY [cgi args]: an error, with the CORS headers of O1
	local name=$1 st=$2 code=$3
	shift 3
	t_begin "$name -> $st $code with the CORS headers"
	cgi "$@" "HTTP_ORIGIN=$O1"
	t_error "$st" "$code"
	t_cors "$O1"
	t_end
}
t_begin "login with '{}' -> 400 MISSING_FIELD username with the CORS headers"
cgi POST "$API/login" '{}' "HTTP_ORIGIN=$O1"
t_error 400 MISSING_FIELD username
t_cors "$O1"
t_end
cors_error "login with a broken body" 400 INVALID_JSON POST "$API/login" '{"username":'
cors_error "login with a wrong password" 401 INVALID_CREDENTIALS POST "$API/login" '{"username":"alice","password":"wrong"}'
cors_error "refresh-session of a session that is not there" 404 SESSION_NOT_FOUND \
    POST "$API/refresh-session" '{"sessionId":"nosuchsession","username":"alice","password":"alice-pw"}'
cors_error "an unknown route" 404 NOT_FOUND GET "$API/nope" ""
cors_error "a body too large" 413 PAYLOAD_TOO_LARGE POST "$API/login" "" CONTENT_LENGTH=999999
cors_error "login as text/plain" 415 UNSUPPORTED_MEDIA_TYPE POST "$API/login" '{}' CONTENT_TYPE=text/plain
t_begin "GET /session without a token -> 401 INVALID_TOKEN with WWW-Authenticate and the CORS headers"
cgi GET "$API/session" "" "HTTP_ORIGIN=$O1"
t_error 401 INVALID_TOKEN
t_match WWW-Authenticate "$(hdr WWW-Authenticate)" '^Bearer'
t_cors "$O1"
t_end
t_begin "DELETE /login -> 405 with Allow: POST and the CORS headers"
cgi DELETE "$API/login" "" "HTTP_ORIGIN=$O1"
t_error 405 METHOD_NOT_ALLOWED
t_eq Allow "$(hdr Allow)" POST
t_cors "$O1"
t_end
t_begin "logout from an allowed Origin -> 200 with the CORS headers"
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH" "HTTP_ORIGIN=$O1"
t_status 200
t_cors "$O1"
t_end
BAN=$T/ban.conf
conf_write "$BAN" "cors_origins=$O1" max_failures=2
user_add bob bob-pw
t_begin "a ban -> 429 TOO_MANY_ATTEMPTS with Retry-After and the CORS headers"
for i in 1 2; do
	CONF=$BAN cgi POST "$API/login" '{"username":"bob","password":"wrong"}' REMOTE_ADDR=192.0.2.$i
done
CONF=$BAN cgi POST "$API/login" '{"username":"bob","password":"bob-pw"}' REMOTE_ADDR=192.0.2.3 "HTTP_ORIGIN=$O1"
t_error 429 TOO_MANY_ATTEMPTS
t_match Retry-After "$(hdr Retry-After)" '^[0-9]+$'
t_cors "$O1"
t_end
DOWN=$T/down.conf
conf_write "$DOWN" "cors_origins=$O1" "redis_port=$(free_port)" redis_timeout_ms=300
t_begin "Redis down -> 503 SERVICE_UNAVAILABLE with the CORS headers"
CONF=$DOWN cgi GET "$API/health" "" "HTTP_ORIGIN=$O1"
t_error 503 SERVICE_UNAVAILABLE
t_cors "$O1"
t_end
t_begin "a malformed record -> 500 INTERNAL_ERROR with the CORS headers"
rcli SET "$(ukey user "broken")" not-a-hash >/dev/null
cgi POST "$API/login" '{"username":"broken","password":"x"}' "HTTP_ORIGIN=$O1"
t_error 500 INTERNAL_ERROR
t_cors "$O1"
t_end

# ---- Origins that are not allowed: never written back

# Not in the list, though well-formed.
for o in http://127.0.0.1:3001 http://127.0.0.1:30000 http://127.0.0.1 \
    https://127.0.0.1:3000 http://localhost:3000 http://app.example.com \
    https://app.example.com:8443 https://www.app.example.com \
    https://app.example.com.evil.example; do
	t_begin "Origin $o (not in cors_origins) -> no CORS header, not written back"
	cgi GET "$API/health" "" "HTTP_ORIGIN=$o"
	t_status 200
	t_no_cors "$o"
	t_end
done
# Differing from an entry only in case or by a trailing slash.
for o in "HTTP://127.0.0.1:3000" "https://App.example.com" "HTTPS://APP.EXAMPLE.COM" \
    "$O1/" "$O2/"; do
	t_begin "Origin '$o' (an entry in other case or with a trailing slash) -> not allowed, not written back"
	cgi GET "$API/health" "" "HTTP_ORIGIN=$o"
	t_status 200
	t_no_cors "$o"
	preflight login "$o" POST
	t_bare_preflight "$o"
	t_end
done
# Malformed.
LONG="http://$(repeat a 300).example"
for o in null "$O1, $O2" "$O1 $O2" "$O1 " " $O1" "$O1"$'\r\nX-Injected: 1' \
    "$O1"$'\t' "http://127.0.0.1:03000" "https://app.example.com:443" \
    "http://user@127.0.0.1:3000" "$O1?x=1" "$O1#" "$O1/login" "127.0.0.1:3000" \
    "//127.0.0.1:3000" "http:/127.0.0.1:3000" "*" "$LONG" ""; do
	t_begin "malformed Origin '$(short "$o")' -> not allowed, not written back"
	login alice wrong "HTTP_ORIGIN=$o"
	t_error 401 INVALID_CREDENTIALS
	t_no_cors "$o"
	preflight login "$o" POST "HTTP_ORIGIN=$o"
	t_bare_preflight "$o"
	t_end
done

# ---- cors_origins = *

for o in http://anything.example:8080 https://x.y.z "http://[::1]:5173" "$O1"; do
	t_begin "*: Origin $o -> its preflight and its answers carry that origin (never a literal *)"
	CONF=$STAR preflight refresh-session "$o" POST
	t_preflight "$o" POST
	CONF=$STAR cgi POST "$API/login" '{"username":"alice","password":"wrong"}' "HTTP_ORIGIN=$o"
	t_error 401 INVALID_CREDENTIALS
	t_cors "$o"
	t_end
done
for o in null "$O1/" "HTTP://127.0.0.1:3000" "$O1, $O2" "$O1"$'\r\nX-Injected: 1'; do
	t_begin "*: malformed Origin '$(short "$o")' -> not allowed, not written back"
	CONF=$STAR cgi GET "$API/health" "" "HTTP_ORIGIN=$o"
	t_status 200
	t_no_cors "$o"
	CONF=$STAR preflight login "$o" POST
	t_bare_preflight "$o"
	t_end
done
t_begin "*: no Origin -> no CORS header"
CONF=$STAR cgi GET "$API/health"
t_status 200
t_no_cors
t_end

# ---- the FastCGI authorizer role is not affected

login alice alice-pw
t_begin "authorizer role with an allowed Origin, live token -> 200 with only Status and the Variables"
cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=$AUTH" "HTTP_ORIGIN=$O1"
t_status 200
t_eq "header names" "$(cut -d: -f1 "$HDRF" | tr '\n' ' ')" "Status Variable-AUTH_USER Variable-AUTH_SESSION_ID "
t_no_cors "$O1"
t_end
t_begin "authorizer role with an allowed Origin, no token -> 401 without CORS headers"
cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_ORIGIN=$O1"
t_error 401 INVALID_TOKEN
t_no_cors "$O1"
t_end
t_begin "authorizer role, OPTIONS from an allowed Origin -> a bearer check (401), not a preflight"
cgi OPTIONS "$API/login" "" FCGI_ROLE=AUTHORIZER "HTTP_ORIGIN=$O1" HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST
t_error 401 INVALID_TOKEN
t_no_cors "$O1"
t_end
done_testing
