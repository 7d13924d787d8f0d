# conf/nginx-auth-request.conf for real: nginx (Debian's nginx package,
# with ngx_http_auth_request_module) running the shipped server block, with
# only its socket, listen and root lines pointed at this test, in front of
# the responder started by spawn-fcgi on a unix socket.  The API goes
# through fastcgi_pass; /protected/ is guarded by auth_request asking
# GET /api/v1/autenticacao/session.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer http

RECIPE=$ROOT_DIR/conf/nginx-auth-request.conf
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NG=$T/nginx
RESP_LOG=$T/responder.log
RESP_PID=
NGINX_PID=

t_begin "nginx: nginx and spawn-fcgi are installed, nginx has auth_request"
[ -x "$NGINX" ] || t_fail "nginx not found (Debian package nginx)"
command -v spawn-fcgi >/dev/null 2>&1 || t_fail "spawn-fcgi not found (Debian package spawn-fcgi)"
"$NGINX" -V 2>&1 | grep -q -- --with-http_auth_request_module ||
    t_fail "this nginx was built without --with-http_auth_request_module"
t_end
if ! [ -x "$NGINX" ] || ! command -v spawn-fcgi >/dev/null 2>&1; then
	done_testing
fi

redis_start || exit 1
RPORT=$REDIS_PORT
PAGE=http://127.0.0.1:3000
conf_write redis_timeout_ms=500 "cors_origins=$PAGE"
user_add ana ana-pw || done_testing

# ------------------------------------------------ the responder

# resp_start: autenticacao.fcgi on $T/aut.sock, as spawn-fcgi -n runs it
# (spawn-fcgi binds the socket and execs the responder in its place).
resp_start() {
	local i
	rm -f "$T/aut.sock"
	AUTENTICACAO_CONF=$CONF spawn-fcgi -n -s "$T/aut.sock" -M 0600 \
	    -- "$BUILD/autenticacao.fcgi" </dev/null >>"$RESP_LOG" 2>&1 &
	RESP_PID=$!
	BG_PIDS+=("$RESP_PID")
	for i in $(seq 1 100); do
		[ -S "$T/aut.sock" ] && return 0
		kill -0 "$RESP_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
resp_stop() {
	[ -n "$RESP_PID" ] || return 0
	kill "$RESP_PID" 2>/dev/null
	wait "$RESP_PID" 2>/dev/null
	RESP_PID=
}

t_begin "nginx: the responder starts under spawn-fcgi"
resp_start || t_fail "no socket: $(tail -n 3 "$RESP_LOG")"
t_end

# ------------------------------------------------ nginx

HTTP_PORT=$(free_port) || exit 1
APP_PORT=$(free_port) || exit 1
BASE=http://127.0.0.1:$HTTP_PORT
mkdir -p "$NG/tmp" "$NG/html/protected"
echo 'protected page' >"$NG/html/protected/page.txt"
echo 'protected index' >"$NG/html/protected/index.html"
cp /etc/nginx/fastcgi_params "$NG/fastcgi_params"

# The recipe with this test's socket, port and root; nothing else changed.
sed -e "s|unix:/run/autenticacao/autenticacao.sock|unix:$T/aut.sock|" \
    -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]:80;/d' \
    -e "s|root /var/www/html;|root $NG/html;|" \
    -e "s|proxy_pass http://127.0.0.1:8080;|proxy_pass http://127.0.0.1:$APP_PORT;|" \
    "$RECIPE" >"$NG/site.conf"
t_begin "nginx: the recipe has the socket, listen and root lines this test replaces"
grep -q "unix:$T/aut.sock;" "$NG/site.conf" || t_fail "no 'server unix:/run/autenticacao/autenticacao.sock;'"
grep -q "listen 127.0.0.1:$HTTP_PORT;" "$NG/site.conf" || t_fail "no 'listen 80;'"
grep -q "root $NG/html;" "$NG/site.conf" || t_fail "no 'root /var/www/html;'"
grep -q "proxy_pass http://127.0.0.1:$APP_PORT;" "$NG/site.conf" || t_fail "no 'proxy_pass http://127.0.0.1:8080;'"
t_end

# A minimal main config around it; nginx's workers run as the test's user
# (as root they would be nobody, who cannot enter $T).
cat >"$NG/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log info;
events { worker_connections 128; }
http {
	access_log $NG/access.log;
	client_body_temp_path $NG/tmp/body;
	fastcgi_temp_path $NG/tmp/fastcgi;
	proxy_temp_path $NG/tmp/proxy;
	scgi_temp_path $NG/tmp/scgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	types { text/plain txt; text/html html; }
	default_type application/octet-stream;
	include $NG/site.conf;
	# The application behind /app/: it answers with the identity headers
	# it received (every copy of each, in order).
	server {
		listen 127.0.0.1:$APP_PORT;
		location / {
			default_type text/plain;
			return 200 "user=[\$http_x_auth_user] sid=[\$http_x_auth_session_id]\n";
		}
	}
}
EOF

t_begin "nginx: nginx -t accepts the recipe"
out=$("$NGINX" -t -q -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" 2>&1) ||
    t_fail "nginx -t: $out"
t_end

"$NGINX" -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" -g 'daemon off;' \
    </dev/null >>"$NG/stderr.log" 2>&1 &
NGINX_PID=$!
BG_PIDS+=("$NGINX_PID")
disown "$NGINX_PID"
for i in $(seq 1 100); do
	port_busy "$HTTP_PORT" && break
	kill -0 "$NGINX_PID" 2>/dev/null || break
	sleep 0.05
done
if ! port_busy "$HTTP_PORT"; then
	notok "nginx: nginx starts" "$(tail -n 5 "$NG/error.log" "$NG/stderr.log")"
	done_testing
fi

# prot AUTHORIZATION [PATH] [curl args]: GET PATH (default
# /protected/page.txt) with that Authorization ("" sends none).
prot() {
	local a=$1 p=${2:-/protected/page.txt}
	shift
	[ $# -gt 0 ] && shift
	if [ -n "$a" ]; then
		http GET "$p" "" -H "Authorization: $a" "$@"
	else
		http GET "$p" "" "$@"
	fi
}

# t_refused STATUS CODE: the recipe's JSON answer, not the page; a 401
# carries the responder's WWW-Authenticate exactly once.
t_refused() {
	t_error "$1" "$2"
	t_nomatch "body (the page must not be served)" "$BODY" 'protected'
	if [ "$1" = 401 ]; then
		t_eq "WWW-Authenticate" "$(hdr WWW-Authenticate)" 'Bearer error="invalid_token"'
		t_eq "WWW-Authenticate count" "$(hdr_count WWW-Authenticate)" 1
	fi
}

t_begin "nginx: the API through fastcgi_pass (GET /health -> 200)"
http GET "$API/health"
t_status 200
t_eq "data.redis" "$(jget .data.redis)" ok
t_end

t_begin "nginx: a CORS preflight (OPTIONS) reaches the responder: 204 with the allow headers"
http OPTIONS "$API/refresh-session" "" -H "Origin: $PAGE" \
    -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: content-type'
t_status 204
t_eq "Access-Control-Allow-Origin" "$(hdr Access-Control-Allow-Origin)" "$PAGE"
t_eq "Access-Control-Allow-Methods" "$(hdr Access-Control-Allow-Methods)" POST
t_eq "Access-Control-Allow-Origin headers" "$(hdr_count Access-Control-Allow-Origin)" 1
http GET "$API/health" "" -H "Origin: $PAGE"
t_eq "Access-Control-Allow-Origin of GET /health" "$(hdr Access-Control-Allow-Origin)" "$PAGE"
t_end

t_begin "nginx: login through nginx -> 200 with tokens"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
t_status 200
take_tokens
t_token_shape authorization "$AUTH"
t_end

t_begin "nginx: login with a chunked request body -> 200 (nginx buffers it and sends CONTENT_LENGTH)"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}' -H 'Transfer-Encoding: chunked'
t_status 200
t_end

t_begin "nginx: protected, no Authorization header -> 401 INVALID_TOKEN JSON with WWW-Authenticate"
prot ""
t_refused 401 INVALID_TOKEN
t_eq "Cache-Control" "$(hdr Cache-Control)" no-store
t_end

t_begin "nginx: protected, Basic credentials -> 401"
prot "Basic $(printf 'ana:ana-pw' | base64)"
t_refused 401 INVALID_TOKEN
t_end

t_begin "nginx: protected, garbage and unknown tokens -> 401"
for v in 'Bearer' 'Bearer !!!not-a-token!!!' 'Bearer a.b' \
    "Bearer AAAAAAAAAAAAAAAAAAAAAA.$(repeat B 43)" "$REFRESH"; do
	prot "$v"
	[ "$STATUS" = 401 ] || t_fail "'$(short "$v")': status $STATUS"
done
prot 'Bearer !!!not-a-token!!!'
t_refused 401 INVALID_TOKEN
t_end

t_begin "nginx: protected, a 401 for an .html path is still JSON (not text/html)"
prot "" /protected/index.html
t_refused 401 INVALID_TOKEN
t_end

t_begin "nginx: protected, live authorization token -> 200 with the page, private"
prot "$AUTH"
t_status 200
t_eq body "$BODY" 'protected page'
t_eq "Cache-Control" "$(hdr Cache-Control)" 'private, no-store'
prot "$AUTH" /protected/
t_eq "index status" "$STATUS" 200
t_eq "index body" "$BODY" 'protected index'
t_end

t_begin "nginx: protected, authorizationCorban -> 200 (GET /session takes both access tokens)"
prot "$CORBAN"
t_status 200
t_end

t_begin "nginx: the application behind /app/ sees the user and session id (auth_request_set)"
prot "$AUTH" /app/whoami
t_status 200
t_eq body "$BODY" "user=[ana] sid=[$SID]"
prot "$CORBAN" /app/whoami
t_eq "with authorizationCorban" "$BODY" "user=[ana] sid=[$SID]"
t_end

t_begin "nginx: a forged X-Auth-User never reaches the application"
prot "$AUTH" /app/whoami -H "X-Auth-User: mallory" -H "X-Auth-Session-Id: forged"
t_status 200
t_eq "with a live token" "$BODY" "user=[ana] sid=[$SID]"
prot "" /app/whoami -H "X-Auth-User: mallory"
t_refused 401 INVALID_TOKEN
t_nomatch "without a token" "$BODY" "mallory"
prot "Bearer ${SID}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /app/whoami -H "X-Auth-User: mallory"
t_refused 401 INVALID_TOKEN
t_nomatch "with a dead token" "$BODY" "mallory"
t_end

t_begin "nginx: POST to the protected path: the auth subrequest is a GET without the body"
n0=$(grep -c 'GET /api/v1/autenticacao/session 200' "$RESP_LOG")
http POST /protected/page.txt '{"x":1}' -H "Authorization: $AUTH"
# the static files behind answer 405 to a POST: the request got past
# auth_request (a refused one is 401, a responder 405 would be a 500)
t_status 405
n1=$(grep -c 'GET /api/v1/autenticacao/session 200' "$RESP_LOG")
t_eq "responder log: one more GET /session 200" "$n1" $((n0 + 1))
http POST /protected/page.txt '{"x":1}'
t_refused 401 INVALID_TOKEN
t_end

t_begin "nginx: the internal auth location is not reachable from outside (404)"
http GET /_autenticacao/auth "" -H "Authorization: $AUTH"
t_status 404
t_end

t_begin "nginx: after logout the token -> 401"
http POST "$API/logout" "" -H "Authorization: $AUTH" --data-binary ''
t_eq "logout status" "$STATUS" 200
prot "$AUTH"
t_refused 401 INVALID_TOKEN
prot "$CORBAN"
t_eq "corban after logout" "$STATUS" 401
t_end

t_begin "nginx: refresh-token rotation -> old token 401, new token 200"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
take_tokens
OLD=$AUTH
prot "$OLD"
t_eq "before rotation" "$STATUS" 200
http POST "$API/refresh-token" "$(jq -cn --arg s "$SID" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
t_eq "refresh-token status" "$STATUS" 200
take_tokens
prot "$OLD"
t_refused 401 INVALID_TOKEN
prot "$AUTH"
t_eq "new token" "$STATUS" 200
t_end

redis_stop save
t_begin "nginx: Redis stopped -> 503 SERVICE_UNAVAILABLE JSON, never 200 or 401"
prot "$AUTH"
t_refused 503 SERVICE_UNAVAILABLE
prot "$AUTH" /protected/
t_eq "index status" "$STATUS" 503
t_end

redis_start "$RPORT" || t_fail "redis did not restart"
t_begin "nginx: Redis back -> 200 again without restarting nginx or the responder"
ok200=0
for i in $(seq 1 10); do
	prot "$AUTH"
	[ "$STATUS" = 200 ] && { ok200=1; break; }
	sleep 0.2
done
t_eq "a 200 within 10 tries" "$ok200" 1
kill -0 "$RESP_PID" 2>/dev/null || t_fail "the responder is gone"
t_end

resp_stop
t_begin "nginx: responder not running -> 500 INTERNAL_ERROR JSON, never 200 or 401"
prot "$AUTH"
t_refused 500 INTERNAL_ERROR
t_end

t_begin "nginx: no sanitizer report in the responder's log"
if grep -Eq "$SAN_PATTERN" "$RESP_LOG"; then
	t_fail "$(grep -Em1 "$SAN_PATTERN" "$RESP_LOG")"
fi
t_end

done_testing
