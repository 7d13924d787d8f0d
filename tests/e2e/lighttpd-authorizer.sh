# conf/lighttpd-authorizer.conf for real: lighttpd with the shipped
# conf/lighttpd.conf (the API) plus the authorizer snippet protecting
# /protected/, where a small CGI script (mod_cgi) prints what it was given.
# The wrapper config loads mod_cgi BEFORE mod_fastcgi, the order in which a
# careless authorizer would be skipped, so every test here also checks that
# the snippet's "check-local" => "disable" holds the door.
#
# docs/API.md, "FastCGI authorizer role": 200 + AUTH_USER/AUTH_SESSION_ID for a
# live token of the type authorizer_token allows; 401 + WWW-Authenticate
# for everything else; 503 (never 200/401) when Redis fails.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
RPORT=$REDIS_PORT
conf_write redis_timeout_ms=500
conf_write "$T/any.conf" redis_timeout_ms=500 authorizer_token=any
conf_write "$T/corban.conf" redis_timeout_ms=500 authorizer_token=authorizationCorban
conf_write "$T/short.conf" redis_timeout_ms=500 access_ttl=1
user_add ana ana-pw || done_testing
LIMIT=2.5	# seconds: redis_timeout_ms 500 + slack
[ "$SANITIZE" = 1 ] && LIMIT=5
fast() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# The protected application: one CGI script printing its environment's
# view of the authorizer's variables and the request body it was given.
APPDIR=$T/lt/htdocs/protected
mkdir -p "$APPDIR"
cat >"$APPDIR/app.cgi" <<'EOF'
#!/bin/sh
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n'
printf 'AUTH_USER=%s\n' "${AUTH_USER-<unset>}"
printf 'AUTH_SESSION_ID=%s\n' "${AUTH_SESSION_ID-<unset>}"
printf 'REMOTE_USER=%s\n' "${REMOTE_USER-<unset>}"
printf 'HTTP_AUTHORIZATION=%s\n' "${HTTP_AUTHORIZATION-<unset>}"
printf 'REQUEST_METHOD=%s\n' "$REQUEST_METHOD"
printf 'BODY=%s\n' "$(head -c "${CONTENT_LENGTH:-0}")"
EOF
echo 'static protected file' >"$APPDIR/static.txt"

# lt_start CONF: lighttpd on a free port with the wrapper config, the
# responder and the authorizer reading CONF.  Sets what
# lighttpd_start (tests/lib/lighttpd.sh) sets (HTTP_PORT, BASE,
# LIGHTTPD_PID, LIGHTTPD_LOG), so lighttpd_stop and the cleanup stop it.
lt_start() {
	local i dir=$T/lt
	HTTP_PORT=$(free_port) || return 1
	BASE=http://127.0.0.1:$HTTP_PORT
	LIGHTTPD_LOG=$dir/error.log
	: >>"$LIGHTTPD_LOG"
	LIGHTTPD_CONF=$T/lighttpd-wrapper.conf
	cat >"$LIGHTTPD_CONF" <<EOF
# mod_cgi before mod_fastcgi (conf/lighttpd.conf appends mod_fastcgi)
server.modules = ( "mod_cgi" )
include "$ROOT_DIR/conf/lighttpd.conf"
cgi.assign = ( ".cgi" => "/bin/sh" )
include "$ROOT_DIR/conf/lighttpd-authorizer.conf"
EOF
	AUT_PORT=$HTTP_PORT AUT_BIN=$BUILD/autenticacao.fcgi AUT_CONF=$1 \
	AUT_DIR=$dir lighttpd -D -f "$LIGHTTPD_CONF" </dev/null >>"$LIGHTTPD_LOG" 2>&1 &
	LIGHTTPD_PID=$!
	disown "$LIGHTTPD_PID"	# as lighttpd_start does: no bare `wait` waits for it
	for i in $(seq 1 100); do
		if port_busy "$HTTP_PORT"; then return 0; fi
		kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	LIGHTTPD_PID=
	return 1
}

# lt_login: POST /login (ana) through lighttpd; sets SID, AUTH,
# CORBAN, REFRESH on 200.
lt_login() {
	http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
	take_tokens
}

# app GET|POST AUTHORIZATION [BODY]: one request to the protected script;
# "" as AUTHORIZATION sends no header.  Sets APP_* from the body on 200.
app() {
	local -a h=()
	[ -n "$2" ] && h=(-H "Authorization: $2")
	if [ -n "${3-}" ]; then
		http "$1" /protected/app.cgi "$3" "${h[@]}"
	else
		http "$1" /protected/app.cgi "" "${h[@]}"
	fi
	APP_USER=$(sed -n 's/^AUTH_USER=//p' <<<"$BODY")
	APP_SID=$(sed -n 's/^AUTH_SESSION_ID=//p' <<<"$BODY")
	APP_RUSER=$(sed -n 's/^REMOTE_USER=//p' <<<"$BODY")
	APP_AUTHZ=$(sed -n 's/^HTTP_AUTHORIZATION=//p' <<<"$BODY")
	APP_BODY=$(sed -n 's/^BODY=//p' <<<"$BODY")
}

# t_denied STATUS CODE: the last answer is the responder's error (not the
# application's output); for 401 with the Bearer challenge.
t_denied() {
	t_error "$1" "$2"
	t_nomatch "body (the application must not run)" "$BODY" 'AUTH_USER='
	if [ "$1" = 401 ]; then
		t_eq "WWW-Authenticate" "$(hdr WWW-Authenticate)" 'Bearer error="invalid_token"'
	fi
}

# ------------------------------------------------ authorizer_token default

t_begin "lighttpd-authz: conf/lighttpd.conf + conf/lighttpd-authorizer.conf pass lighttpd -tt"
printf 'include "%s"\ninclude "%s"\n' "$ROOT_DIR/conf/lighttpd.conf" \
    "$ROOT_DIR/conf/lighttpd-authorizer.conf" >"$T/plain.conf"
out=$(AUT_PORT=1 AUT_BIN=$BUILD/autenticacao.fcgi AUT_CONF=$CONF AUT_DIR=$T/lt \
    lighttpd -tt -f "$T/plain.conf" 2>&1) || t_fail "lighttpd -tt: $out"
t_end

if ! lt_start "$CONF"; then
	notok "lighttpd-authz: lighttpd starts" "$(tail -n 5 "$T/lt/error.log" 2>/dev/null)"
	done_testing
fi

t_begin "lighttpd-authz: no Authorization header -> 401 INVALID_TOKEN with WWW-Authenticate"
app GET ""
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: Authorization: Basic ... -> 401"
app GET "Basic $(printf 'ana:ana-pw' | base64)"
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: garbage bearer tokens -> 401"
for v in 'Bearer' 'Bearer ' 'Bearer !!!not-a-token!!!' 'Bearer a.b' "Bearer $(repeat x 300)" 'bearer'; do
	app GET "$v"
	[ "$STATUS" = 401 ] || t_fail "'$(short "$v")': status $STATUS"
done
app GET 'Bearer !!!not-a-token!!!'
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: well-formed token of an unknown session -> 401"
app GET "Bearer AAAAAAAAAAAAAAAAAAAAAA.$(repeat B 43)"
t_denied 401 INVALID_TOKEN
t_end

lt_login
t_begin "lighttpd-authz: login through the same lighttpd -> 200"
t_status 200
t_end

t_begin "lighttpd-authz: live authorization token -> 200, the app sees AUTH_USER and AUTH_SESSION_ID"
app GET "$AUTH"
t_status 200
t_eq AUTH_USER "$APP_USER" ana
t_eq AUTH_SESSION_ID "$APP_SID" "$SID"
t_eq "HTTP_AUTHORIZATION (the app gets the header too)" "$APP_AUTHZ" "$AUTH"
t_end

t_begin "lighttpd-authz: REMOTE_USER stays unset (lighttpd sets it only for mod_auth; documented)"
t_eq REMOTE_USER "$APP_RUSER" '<unset>'
t_end

t_begin "lighttpd-authz: the authorizer's own headers do not leak into the app's answer"
t_eq "Cache-Control count" "$(hdr_count Cache-Control)" 0
t_eq "WWW-Authenticate count" "$(hdr_count WWW-Authenticate)" 0
t_end

t_begin "lighttpd-authz: POST with a body -> 200, the app reads the whole body"
app POST "$AUTH" '{"hello":"world"}'
t_status 200
t_eq "body seen by the app" "$APP_BODY" '{"hello":"world"}'
t_eq AUTH_USER "$APP_USER" ana
t_end

t_begin "lighttpd-authz: static file under the path -> 200 with a token, 401 without"
http GET /protected/static.txt "" -H "Authorization: $AUTH"
t_status 200
t_eq body "$BODY" 'static protected file'
http GET /protected/static.txt
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: tampered secret of a live token -> 401"
s=$(secret_of "$AUTH")
app GET "Bearer $SID.${s:0:-2}xx"
t_denied 401 INVALID_TOKEN
app GET "Bearer $SID.$(secret_of "$REFRESH")"
[ "$STATUS" = 401 ] || t_fail "refresh token as bearer: status $STATUS"
t_end

t_begin "lighttpd-authz: authorizationCorban is rejected under authorizer_token=authorization (default)"
app GET "$CORBAN"
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: other spellings of the path stay protected (mod_cgi loaded before mod_fastcgi)"
for p in //protected/app.cgi /./protected/app.cgi /x/../protected/app.cgi \
    /%70rotected/app.cgi /protected%2fapp.cgi /protected/app.cgi/extra \
    '/protected/app.cgi?AUTH_USER=ana' /protected/ /protected/nothing-here; do
	c=$(curl -s --path-as-is -m 10 -o /dev/null -w '%{http_code}' "$BASE$p")
	[ "$c" = 401 ] || t_fail "GET $p without a token: HTTP $c"
done
c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -I "$BASE/protected/app.cgi")
[ "$c" = 401 ] || t_fail "HEAD without a token: HTTP $c"
for m in POST PUT DELETE OPTIONS; do
	# (a POST or PUT without Content-Length gets lighttpd's own 411)
	c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X "$m" \
	    -H 'Content-Length: 0' "$BASE/protected/app.cgi")
	[ "$c" = 401 ] || t_fail "$m without a token: HTTP $c"
done
t_end

t_begin "lighttpd-authz: the API itself stays open (health without a token -> 200)"
http GET "$API/health"
t_status 200
t_end

t_begin "lighttpd-authz: after logout the token -> 401"
lt_login
A1=$AUTH
app GET "$A1"
t_eq "before logout" "$STATUS" 200
# (an empty body, sent: lighttpd answers 411 to a POST without Content-Length)
http POST "$API/logout" "" -H "Authorization: $A1" --data-binary ''
t_eq "logout status" "$STATUS" 200
app GET "$A1"
t_denied 401 INVALID_TOKEN
t_end

t_begin "lighttpd-authz: refresh-token rotation -> old token 401, new token 200 with the same session"
lt_login
OLD=$AUTH OSID=$SID
http POST "$API/refresh-token" "$(jq -cn --arg s "$SID" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
t_eq "refresh-token status" "$STATUS" 200
take_tokens
t_ne "new token" "$AUTH" "$OLD"
app GET "$OLD"
t_denied 401 INVALID_TOKEN
app GET "$AUTH"
t_eq "new token status" "$STATUS" 200
t_eq "AUTH_SESSION_ID after rotation" "$APP_SID" "$OSID"
t_end

t_begin "lighttpd-authz: refresh-session rotation -> old token 401, new token 200"
OLD=$AUTH
http POST "$API/refresh-session" "$(jq -cn --arg s "$SID" '{sessionId:$s,username:"ana",password:"ana-pw"}')"
t_eq "refresh-session status" "$STATUS" 200
take_tokens
app GET "$OLD"
t_denied 401 INVALID_TOKEN
app GET "$AUTH"
t_eq "new token status" "$STATUS" 200
t_end

t_begin "lighttpd-authz: session revoked by autenticacao-admin -> 401"
lt_login
adm revoke "$SID"
t_eq "admin revoke exit" "$ADM_RC" 0
app GET "$AUTH"
t_denied 401 INVALID_TOKEN
t_end

# ------------------------------------------------ Redis down, and back

lt_login
LIVE=$AUTH LIVE_SID=$SID
# every authorizer and responder worker holds a Redis connection now
for i in 1 2 3 4; do app GET "$LIVE"; done
redis_stop save
t_begin "lighttpd-authz: Redis stopped -> 503 SERVICE_UNAVAILABLE, never 200 or 401, within the timeout"
for i in 1 2 3; do
	app GET "$LIVE"
	[ "$STATUS" = 503 ] || t_fail "request $i: HTTP $STATUS"
	fast "$HTTP_S" "$LIMIT" || t_fail "request $i took ${HTTP_S}s (limit ${LIMIT}s)"
done
t_denied 503 SERVICE_UNAVAILABLE
t_end
t_begin "lighttpd-authz: Redis stopped -> a request without a token is still 401 (no Redis needed)"
app GET ""
t_denied 401 INVALID_TOKEN
t_end

LPID_BEFORE=$LIGHTTPD_PID
redis_start "$RPORT" || t_fail "redis did not restart"
t_begin "lighttpd-authz: Redis back -> 200 again without restarting lighttpd"
ok200=0
for i in $(seq 1 10); do
	app GET "$LIVE"
	[ "$STATUS" = 200 ] && { ok200=1; break; }
	sleep 0.2
done
t_eq "a 200 within 10 tries" "$ok200" 1
t_eq AUTH_SESSION_ID "$APP_SID" "$LIVE_SID"
t_eq "same lighttpd" "$LIGHTTPD_PID" "$LPID_BEFORE"
kill -0 "$LIGHTTPD_PID" 2>/dev/null || t_fail "lighttpd is gone"
t_end
t_begin "lighttpd-authz: Redis back -> every worker answers 200 (no stale connection)"
# (wait for these pids only: a bare `wait` would wait for lighttpd too)
pids=()
for i in 1 2 3 4 5 6; do
	curl -s -m 10 -o /dev/null -w '%{http_code}\n' -H "Authorization: $LIVE" \
	    "$BASE/protected/app.cgi" >"$T/par$i" &
	pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4 5 6; do
	c=$(<"$T/par$i")
	[ "$c" = 200 ] || t_fail "request $i: HTTP $c"
done
t_end

t_begin "lighttpd-authz: no sanitizer report in the log (default config)"
t_lighttpd_clean
t_end
lighttpd_stop

# ------------------------------------------------ authorizer_token=any

if ! lt_start "$T/any.conf"; then
	notok "lighttpd-authz: lighttpd starts with authorizer_token=any" "$(tail -n 5 "$T/lt/error.log" 2>/dev/null)"
	done_testing
fi
lt_login
t_begin "lighttpd-authz: authorizer_token=any -> authorizationCorban 200"
app GET "$CORBAN"
t_status 200
t_eq AUTH_USER "$APP_USER" ana
t_eq AUTH_SESSION_ID "$APP_SID" "$SID"
t_end
t_begin "lighttpd-authz: authorizer_token=any -> authorization 200, refresh token 401"
app GET "$AUTH"
t_eq "authorization" "$STATUS" 200
app GET "$REFRESH"
t_denied 401 INVALID_TOKEN
t_end
lighttpd_stop

# ------------------------------------------------ authorizer_token=authorizationCorban

if ! lt_start "$T/corban.conf"; then
	notok "lighttpd-authz: lighttpd starts with authorizer_token=authorizationCorban" "$(tail -n 5 "$T/lt/error.log" 2>/dev/null)"
	done_testing
fi
lt_login
t_begin "lighttpd-authz: authorizer_token=authorizationCorban -> corban 200, authorization 401"
app GET "$CORBAN"
t_eq "authorizationCorban" "$STATUS" 200
t_eq AUTH_USER "$APP_USER" ana
app GET "$AUTH"
t_denied 401 INVALID_TOKEN
t_end
lighttpd_stop

# ------------------------------------------------ expiry (access_ttl = 1)

if ! lt_start "$T/short.conf"; then
	notok "lighttpd-authz: lighttpd starts with access_ttl=1" "$(tail -n 5 "$T/lt/error.log" 2>/dev/null)"
	done_testing
fi
lt_login
t_begin "lighttpd-authz: expired authorization token (access_ttl=1) -> 401"
app GET "$AUTH"
[ "$STATUS" = 200 ] || [ "$STATUS" = 401 ] || t_fail "fresh token: HTTP $STATUS"
sleep 2.2
app GET "$AUTH"
t_denied 401 INVALID_TOKEN
t_end
t_begin "lighttpd-authz: no sanitizer report in the log"
t_lighttpd_clean
t_end
lighttpd_stop

# ------------------------------------------------ mod_proxy behind the path

# The snippet's advice for a proxied application: mod_fastcgi loaded
# before mod_proxy.  The backend is a second, plain lighttpd serving files.
BE_PORT=$(free_port) || exit 1
mkdir -p "$T/be/protected"
echo 'proxied backend' >"$T/be/protected/x.txt"
printf 'server.bind = "127.0.0.1"\nserver.port = %s\nserver.document-root = "%s"\nserver.errorlog = "%s"\n' \
    "$BE_PORT" "$T/be" "$T/be/error.log" >"$T/be.conf"
lighttpd -D -f "$T/be.conf" </dev/null >>"$T/be/error.log" 2>&1 &
BE_PID=$!
BG_PIDS+=("$BE_PID")
disown "$BE_PID"
for i in $(seq 1 100); do port_busy "$BE_PORT" && break; sleep 0.05; done
cat >"$T/proxy-extra.conf" <<EOF
proxy.server = ( "/protected/" => (( "host" => "127.0.0.1", "port" => $BE_PORT )) )
EOF
# lt_start's wrapper, with mod_fastcgi and mod_proxy first and the proxy
# mapping added (conf/lighttpd.conf's += "mod_fastcgi" is then a harmless
# repeat).
lt_start_proxy() {
	local i dir=$T/lt
	HTTP_PORT=$(free_port) || return 1
	BASE=http://127.0.0.1:$HTTP_PORT
	LIGHTTPD_LOG=$dir/error.log
	cat >"$T/lighttpd-proxy.conf" <<EOF
server.modules = ( "mod_fastcgi", "mod_proxy" )
include "$ROOT_DIR/conf/lighttpd.conf"
include "$ROOT_DIR/conf/lighttpd-authorizer.conf"
include "$T/proxy-extra.conf"
EOF
	AUT_PORT=$HTTP_PORT AUT_BIN=$BUILD/autenticacao.fcgi AUT_CONF=$CONF \
	AUT_DIR=$dir lighttpd -D -f "$T/lighttpd-proxy.conf" </dev/null >>"$LIGHTTPD_LOG" 2>&1 &
	LIGHTTPD_PID=$!
	disown "$LIGHTTPD_PID"
	for i in $(seq 1 100); do
		port_busy "$HTTP_PORT" && return 0
		kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	LIGHTTPD_PID=
	return 1
}
if ! port_busy "$BE_PORT" || ! lt_start_proxy; then
	notok "lighttpd-authz: lighttpd with a proxy.server under the path starts" \
	    "$(tail -n 5 "$T/lt/error.log" "$T/be/error.log" 2>/dev/null)"
	done_testing
fi
t_begin "lighttpd-authz: proxy.server under the path, mod_fastcgi loaded first -> 401 without a token, 200 with"
http GET /protected/x.txt
t_denied 401 INVALID_TOKEN
lt_login
http GET /protected/x.txt "" -H "Authorization: $AUTH"
t_status 200
t_eq body "$BODY" 'proxied backend'
t_end

done_testing
