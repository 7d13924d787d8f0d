#!/bin/bash
# shellcheck disable=SC2317 # ap_stop and ap_cleanup run from the EXIT trap
# tests/e2e/apache.sh - the Apache httpd 2.4 recipes of conf/, tested
# against a real Apache, a real redis-server and the real responder.
#
#	bash tests/e2e/apache.sh		(BUILD=build by default)
#
# Starts, all private and on free loopback ports, all stopped at exit:
#   - redis-server (tests/lib/redis.sh);
#   - two responders under spawn-fcgi: one on a unix socket for
#     conf/apache-proxy-fcgi.conf, one on TCP for
#     conf/apache-authnz-fcgi.conf (mod_authnz_fcgi speaks TCP only);
#   - Apache "A" (mod_fcgid loaded): a virtual host that includes both
#     recipes as shipped (placeholders set with Define before Include),
#     plus /protected/app.cgi, a CGI that prints what the authorizer told
#     it; and a virtual host whose web root holds the shipped
#     conf/htaccess-shared-hosting as .htaccess and the binary, run by
#     mod_fcgid;
#   - Apache "B" (no mod_fcgid): the same web root layout, run by the
#     .htaccess's mod_cgi fallback.
# Apache runs as www-data when the script runs as root (Debian's apache2
# refuses to serve as root), so the test directory is made readable to it.
#
# One line per test, "ok - NAME" or "not ok - NAME: WHY", then
# "# counts PASSED FAILED" (tests/lib/core.sh).  APACHE2 and APACHE_MODULES
# override the binary and the module directory (default: Debian's).

. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer http

PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
APACHE2=${APACHE2:-$(command -v apache2 || command -v httpd)}
APACHE_MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}
AP=$T/apache
USER_NAME=alice
USER_PASS='correct horse'
APA_PID=
APB_PID=

# ---------------------------------------------------------------- cleanup

# ap_stop PID: stop the Apache of PID (SIGTERM, up to 10 s, then
# SIGKILL), then any process still running a program from $AP (what
# mod_fcgid and mod_cgi started there).
ap_stop() {
	local pid=$1 i p exe
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in "$AP"/*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
	done
}

ap_cleanup() {
	ap_stop "$APA_PID"
	ap_stop "$APB_PID"
	APA_PID='' APB_PID=''
}
# The cleanup of tests/lib/core.sh reads the exit status first: keep it for it.
# shellcheck disable=SC2154
trap 'rc_=$?; ap_cleanup; (exit $rc_); cleanup' EXIT

# ---------------------------------------------------------------- helpers

# setup_fail WHAT: report a failed setup step and stop (the EXIT trap
# reports the rest).
setup_fail() {
	notok "setup: $1" "${2:-}"
	exit 1
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local n=$(($1 * 10)) _
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# json_body NAME VALUE...: {"NAME":"VALUE",...} for pairs of arguments.
json_body() {
	local args=() k
	while [ $# -ge 2 ]; do
		args+=(--arg "$1" "$2")
		k+="${k:+,}\"$1\":\$$1"
		shift 2
	done
	jq -cn "${args[@]}" "{$k}"
}

# ap_login BASE: POST /login as USER_NAME; sets SID AUTH CORBAN REFRESH on
# 200.
ap_login() {
	BASE=$1
	http POST "$API/login" "$(json_body username "$USER_NAME" password "$USER_PASS")"
	take_tokens
}

# app VAR: the value of VAR in the protected app's last answer.
app() {
	sed -n "s/^$1=//p" "$BODYF" | head -n 1
}

# exe_running DIR: true if some process runs a program from DIR; prints
# the first one's pid.
exe_running() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in "$1"/*) printf '%s\n' "${p#/proc/}"; return 0 ;; esac
	done
	return 1
}

# t_refused: the last answer refused a file (403 or 404) and did not
# contain its content.
t_refused() {
	case $STATUS in
	403|404) ;;
	*) t_fail "status: got '$STATUS', want 403 or 404" ;;
	esac
	t_nomatch "body" "$BODY" 'decoy-secret|AddHandler|RewriteRule'
}

# ---------------------------------------------------------------- setup

[ -x "$APACHE2" ] || setup_fail "apache2 is installed" "no apache2/httpd in PATH"
for m in mod_mpm_prefork mod_authn_core mod_authz_core mod_mime mod_dir \
    mod_alias mod_env mod_setenvif mod_headers mod_rewrite mod_cgi \
    mod_proxy mod_proxy_fcgi mod_authnz_fcgi mod_fcgid; do
	[ -f "$APACHE_MODULES/$m.so" ] ||
	    setup_fail "Apache module $m" "$APACHE_MODULES/$m.so is missing"
done
for b in spawn-fcgi redis-server curl jq; do
	command -v "$b" >/dev/null || setup_fail "$b is installed"
done
[ -x "$BUILD/autenticacao.fcgi" ] || setup_fail "responder built" "no $BUILD/autenticacao.fcgi (run make)"

# Apache's workers (www-data when root) must reach the test directory.
chmod 0755 "$T"
mkdir -p "$AP"/{a,b}/{logs,run,fcgid} "$AP"/{htdocs,protected,private,sock} \
    "$AP"/site-fcgid "$AP"/site-cgi
chmod -R a+rX "$AP"
RUN_USER=
if [ "$(id -u)" = 0 ]; then
	RUN_USER=www-data
	id "$RUN_USER" >/dev/null 2>&1 || setup_fail "user www-data exists"
	chown "$RUN_USER" "$AP"/a/fcgid "$AP"/b/fcgid
fi

redis_start || setup_fail "redis-server starts"
# $CONF for the admin tool and the spawn-fcgi responders; the same
# settings (same key_prefix) in SITE_CONF for the shared-hosting ones,
# outside every web root as the recipe wants it.
PAGE=http://127.0.0.1:3000
conf_write body_timeout=2 "cors_origins=$PAGE"
SITE_CONF=$AP/private/autenticacao.conf
conf_write "$SITE_CONF" body_timeout=2 "cors_origins=$PAGE"
if [ -n "$RUN_USER" ]; then
	# readable by the user the scripts run as, and nobody else
	chown "$RUN_USER" "$SITE_CONF"
	chmod 0600 "$SITE_CONF"
fi
user_add "$USER_NAME" "$USER_PASS" || exit 1

# Responders: unix socket for mod_proxy_fcgi, TCP for mod_authnz_fcgi.
SOCK=$AP/sock/autenticacao.sock
AUTHZ_PORT=$(free_port) || setup_fail "a free port"
env AUTENTICACAO_CONF="$CONF" spawn-fcgi -n -s "$SOCK" -M 0666 \
    -- "$BUILD/autenticacao.fcgi" </dev/null >>"$AP/responder-sock.log" 2>&1 &
BG_PIDS+=($!)
env AUTENTICACAO_CONF="$CONF" spawn-fcgi -n -a 127.0.0.1 -p "$AUTHZ_PORT" \
    -- "$BUILD/autenticacao.fcgi" </dev/null >>"$AP/responder-tcp.log" 2>&1 &
BG_PIDS+=($!)
wait_for 10 test -S "$SOCK" ||
    setup_fail "responder on $SOCK" "$(cat "$AP/responder-sock.log")"
wait_for 10 port_busy "$AUTHZ_PORT" ||
    setup_fail "responder on 127.0.0.1:$AUTHZ_PORT" "$(cat "$AP/responder-tcp.log")"

# The protected application: a CGI that shows what it was given.
cat >"$AP/protected/app.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
for v in REMOTE_USER AUTH_TYPE AUTH_USER AUTH_SESSION_ID HTTP_AUTHORIZATION \
    REDIRECT_AUTH_USER REDIRECT_AUTH_SESSION_ID; do
	eval "printf '%s=%s\n' $v \"\${$v-<unset>}\""
done
EOF
cp "$AP/protected/app.cgi" "$AP/protected/index.cgi"
# and one that echoes its request body
cat >"$AP/protected/echo.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf 'REMOTE_USER=%s\nBODY=' "$REMOTE_USER"
head -c "${CONTENT_LENGTH:-0}"
printf '\n'
EOF
chmod 0755 "$AP/protected/"*.cgi

# The binary of the mod_fcgid site carries its config path, as the
# recipe says for FastCGI under an .htaccess: SetEnv reaches only the
# requests, and a request never names the config.  Built as the recipe
# builds it (CONFDIR), the same way as $BUILD otherwise.
SITE_BUILD=$T/site-build
make -s -C "$ROOT_DIR" BUILD="$SITE_BUILD" SANITIZE="${SANITIZE:-0}" \
    CONFDIR="$AP/private" "$SITE_BUILD/autenticacao.fcgi" \
    >"$T/site-build.log" 2>&1 ||
    setup_fail "the shared-hosting binary builds" "$(tail -n 5 "$T/site-build.log")"

# Two shared-hosting web roots: the shipped .htaccess with only the
# config path changed, the binary, and a decoy config where it must not
# be (a mistake the .htaccess must survive).
HTACCESS_SRC=$ROOT_DIR/conf/htaccess-shared-hosting
for site in site-fcgid site-cgi; do
	sed "s|^SetEnv AUTENTICACAO_CONF .*|SetEnv AUTENTICACAO_CONF $SITE_CONF|" \
	    "$HTACCESS_SRC" >"$AP/$site/.htaccess"
	if [ "$site" = site-fcgid ]; then
		cp "$SITE_BUILD/autenticacao.fcgi" "$AP/$site/autenticacao.fcgi"
	else
		cp "$BUILD/autenticacao.fcgi" "$AP/$site/autenticacao.fcgi"
	fi
	printf 'redis_password = decoy-secret\n' >"$AP/$site/autenticacao.conf"
	printf 'REDIS_PASSWORD=decoy-secret\n' >"$AP/$site/.env"
	mkdir -p "$AP/$site/.git" "$AP/$site/.well-known/acme-challenge"
	printf '[remote "origin"] decoy-secret\n' >"$AP/$site/.git/config"
	printf 'acme-token\n' >"$AP/$site/.well-known/acme-challenge/t1"
	chmod -R a+rX "$AP/$site"
	chmod 0755 "$AP/$site/autenticacao.fcgi"
done
if [ "$(diff "$HTACCESS_SRC" "$AP/site-fcgid/.htaccess" | grep -c '^>')" != 1 ]; then
	setup_fail ".htaccess differs from the recipe in the config path only" \
	    "$(diff "$HTACCESS_SRC" "$AP/site-fcgid/.htaccess")"
fi

# compiled_in: the modules built into this apache2 binary.
COMPILED_IN=$("$APACHE2" -l 2>/dev/null)

# load_modules NAME...: LoadModule lines (mod_NAME.so, NAME_module) for
# the modules not built in.
load_modules() {
	local m
	for m in "$@"; do
		case $COMPILED_IN in *"mod_$m.c"*) continue ;; esac
		printf 'LoadModule %s_module %s/mod_%s.so\n' "$m" "$APACHE_MODULES" "$m"
	done
}

# httpd_conf DIR PORT...: the common part of an instance's httpd.conf.
httpd_conf() {
	local dir=$1 p
	shift
	echo "# written by tests/e2e/apache.sh"
	echo "ServerRoot \"$dir\""
	echo "ServerName 127.0.0.1"
	for p in "$@"; do echo "Listen 127.0.0.1:$p"; done
	echo "PidFile \"$dir/run/httpd.pid\""
	echo "DefaultRuntimeDir \"$dir/run\""
	echo "ErrorLog \"$dir/logs/error.log\""
	echo "LogLevel warn"
	[ -n "$RUN_USER" ] && printf 'User %s\nGroup %s\n' "$RUN_USER" "$(id -gn "$RUN_USER")"
	load_modules mpm_prefork unixd log_config authn_core authz_core mime \
	    dir alias env setenvif headers rewrite cgi proxy proxy_fcgi authnz_fcgi
	cat <<EOF
StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 16
Timeout 20
KeepAlive Off
LogFormat "%h %u \"%r\" %>s %b" short
CustomLog "$dir/logs/access.log" short
TypesConfig /etc/mime.types
<Directory />
    AllowOverride None
    Options None
    Require all denied
</Directory>
EOF
}

# shared_site DIR: the <Directory> of a shared-hosting web root: what a
# host allows in .htaccess (exactly what the recipe says it needs).
shared_site() {
	cat <<EOF
    DocumentRoot "$1"
    <Directory "$1">
        Options FollowSymLinks
        AllowOverride FileInfo AuthConfig Options=ExecCGI,Indexes
        Require all granted
    </Directory>
EOF
}

if ! { PA=$(free_port) && PA2=$(free_port) && PB=$(free_port); }; then
	setup_fail "free ports"
fi
if [ "$PA" = "$PA2" ] || [ "$PA" = "$PB" ] || [ "$PA2" = "$PB" ]; then
	setup_fail "distinct free ports" "$PA $PA2 $PB"
fi

{
	httpd_conf "$AP/a" "$PA" "$PA2"
	load_modules fcgid
	cat <<EOF
FcgidIPCDir "$AP/a/fcgid"
FcgidProcessTableFile "$AP/a/fcgid/shm"
FcgidMaxProcessesPerClass 2
FcgidIOTimeout 20
DocumentRoot "$AP/htdocs"

# The authorizer recipe, as shipped (server level: AuthnzFcgiDefineProvider).
Define AUTENTICACAO_AUTHORIZER "fcgi://127.0.0.1:$AUTHZ_PORT/"
Include "$ROOT_DIR/conf/apache-authnz-fcgi.conf"

<VirtualHost 127.0.0.1:$PA>
    DocumentRoot "$AP/htdocs"
    <Directory "$AP/htdocs">
        Require all granted
    </Directory>

    # The responder recipe, as shipped.
    Define AUTENTICACAO_FCGI "unix:$SOCK|fcgi://localhost/"
    Include "$ROOT_DIR/conf/apache-proxy-fcgi.conf"

    # Control: the same proxying without CGIPassAuth.
    <Location "/nopass/api/v1/autenticacao/">
        ProxyPass "\${AUTENTICACAO_FCGI}"
        ProxyFCGIBackendType GENERIC
        Require all granted
    </Location>

    # The application the authorizer recipe protects.
    Alias "/protected/" "$AP/protected/"
    <Directory "$AP/protected">
        Options ExecCGI
        AddHandler cgi-script .cgi
        DirectoryIndex index.cgi
        Require all granted
    </Directory>
</VirtualHost>

<VirtualHost 127.0.0.1:$PA2>
$(shared_site "$AP/site-fcgid")
</VirtualHost>
EOF
} >"$AP/a/httpd.conf"

{
	httpd_conf "$AP/b" "$PB"
	shared_site "$AP/site-cgi"
} >"$AP/b/httpd.conf"

# ap_start DIR PORT... : start Apache on DIR/httpd.conf in the foreground
# (as a child of this script) with an empty environment, so that nothing
# of ours (AUTENTICACAO_CONF) leaks into it; waits for every PORT.  Sets
# AP_PID.  In a session of its own: at shutdown Apache signals its whole
# process group, which would otherwise include this script.
ap_start() {
	local dir=$1 p
	shift
	AP_PID=
	if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$APACHE2" -t \
	    -d "$dir" -f "$dir/httpd.conf" >"$dir/logs/configtest.log" 2>&1; then
		setup_fail "apache2 -t $dir/httpd.conf" "$(cat "$dir/logs/configtest.log")"
	fi
	setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$APACHE2" -DFOREGROUND \
	    -d "$dir" -f "$dir/httpd.conf" </dev/null >>"$dir/logs/stdout.log" 2>&1 &
	AP_PID=$!
	for p in "$@"; do
		if ! wait_for 10 port_busy "$p"; then
			ap_stop "$AP_PID"
			setup_fail "Apache listens on $p" "$(tail -n 20 "$dir/logs/error.log" "$dir/logs/stdout.log" 2>/dev/null)"
		fi
	done
	# setsid execs Apache (same pid) unless it had to fork: trust the
	# PidFile then.
	if [ "$(readlink "/proc/$AP_PID/exe" 2>/dev/null)" != "$(readlink -f "$APACHE2")" ] &&
	    [ -s "$dir/run/httpd.pid" ]; then
		AP_PID=$(cat "$dir/run/httpd.pid")
	fi
}
ap_start "$AP/a" "$PA" "$PA2"
APA_PID=$AP_PID
ap_start "$AP/b" "$PB"
APB_PID=$AP_PID

A=http://127.0.0.1:$PA
A2=http://127.0.0.1:$PA2
B=http://127.0.0.1:$PB

# t_cors_preflight: with cors_origins set, the recipe at $BASE hands a
# browser's preflight to the responder: 204 with the allow headers, and
# the answers after it carry Access-Control-Allow-Origin.
t_cors_preflight() {
	t_begin "$P a CORS preflight (OPTIONS) reaches the responder: 204 with the allow headers"
	http OPTIONS "$API/refresh-session" "" -H "Origin: $PAGE" \
	    -H 'Access-Control-Request-Method: POST' \
	    -H 'Access-Control-Request-Headers: content-type'
	t_status 204
	t_eq "Access-Control-Allow-Origin" "$(hdr Access-Control-Allow-Origin)" "$PAGE"
	t_eq "Access-Control-Allow-Methods" "$(hdr Access-Control-Allow-Methods)" POST
	t_eq "Access-Control-Allow-Origin headers" "$(hdr_count Access-Control-Allow-Origin)" 1
	http GET "$API/health" "" -H "Origin: $PAGE"
	t_status 200
	t_eq "Access-Control-Allow-Origin of GET /health" "$(hdr Access-Control-Allow-Origin)" "$PAGE"
	t_end
}

# ---------------------------------------------------------------- mod_proxy_fcgi

P="apache proxy_fcgi:"
t_begin "$P POST /login answers 200 with tokens"
ap_login "$A"
t_status 200
t_json_ct
t_eq "success" "$(jget .success)" true
t_token_shape authorization "$AUTH"
t_eq "Cache-Control" "$(hdr Cache-Control)" no-store
t_end
SID0=$SID AUTH0=$AUTH

t_begin "$P POST /refresh-session keeps the sessionId and rotates the tokens"
http POST "$API/refresh-session" "$(json_body sessionId "$SID0" username "$USER_NAME" password "$USER_PASS")"
t_status 200
take_tokens
t_eq "sessionId" "$SID" "$SID0"
t_ne "authorization" "$AUTH" "$AUTH0"
t_end

t_begin "$P GET /session with the Bearer token answers 200 (CGIPassAuth passes Authorization)"
http GET "$API/session" "" -H "Authorization: $AUTH"
t_status 200
t_eq "data.username" "$(jget .data.username)" "$USER_NAME"
t_eq "data.sessionId" "$(jget .data.sessionId)" "$SID"
t_eq "data.tokenType" "$(jget .data.tokenType)" authorization
t_end

t_begin "$P without CGIPassAuth the same token never reaches the responder (401)"
http GET "/nopass$API/session" "" -H "Authorization: $AUTH"
t_status 401
t_eq "error.code" "$(jget .error.code)" INVALID_TOKEN
t_end

t_begin "$P GET /health answers 200"
http GET "$API/health"
t_status 200
t_eq "data.redis" "$(jget .data.redis)" ok
t_end

t_cors_preflight
t_begin "$P an unknown endpoint answers the responder's JSON 404"
http GET "$API/nope"
t_status 404
t_eq "error.code" "$(jget .error.code)" NOT_FOUND
t_end

t_begin "$P POST /logout with the Bearer token answers 200, then the token is dead"
http POST "$API/logout" "" -H "Authorization: $AUTH"
t_status 200
t_eq "data.sessionId" "$(jget .data.sessionId)" "$SID"
http GET "$API/session" "" -H "Authorization: $AUTH"
t_status 401
t_match "WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer'
t_end

# ---------------------------------------------------------------- mod_authnz_fcgi

P="apache authnz_fcgi:"
BASE=$A
t_begin "$P no token: 401 with WWW-Authenticate: Bearer and the JSON error, app not run"
http GET /protected/app.cgi
t_status 401
t_match "WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer'
t_eq "error.code" "$(jget .error.code)" INVALID_TOKEN
t_json_ct
t_nomatch "body" "$BODY" 'REMOTE_USER='
t_end

t_begin "$P an unknown token: 401"
http GET /protected/app.cgi "" -H "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
t_status 401
t_match "WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer'
t_end

t_begin "$P Basic credentials are no way in: 401"
http GET /protected/app.cgi "" -u "$USER_NAME:$USER_PASS"
t_status 401
t_end

ap_login "$A"
SID1=$SID AUTH1=$AUTH CORBAN1=$CORBAN REFRESH1=$REFRESH
t_begin "$P a live token: 200, the app sees the user and the session id"
http GET /protected/app.cgi "" -H "Authorization: $AUTH1"
t_status 200
t_eq "REMOTE_USER" "$(app REMOTE_USER)" "$USER_NAME"
t_eq "AUTH_USER" "$(app AUTH_USER)" "$USER_NAME"
t_eq "AUTH_SESSION_ID" "$(app AUTH_SESSION_ID)" "$SID1"
t_eq "HTTP_AUTHORIZATION (unset after the check)" "$(app HTTP_AUTHORIZATION)" "<unset>"
t_eq "Variable-AUTH_USER header to the client" "$(hdr Variable-AUTH_USER)" ""
t_match "Content-Type (the app's)" "$(hdr Content-Type)" '^text/plain'
t_end

t_begin "$P the DirectoryIndex app sees the same variables, without REDIRECT_ prefix"
http GET /protected/ "" -H "Authorization: $AUTH1"
t_status 200
t_eq "REMOTE_USER" "$(app REMOTE_USER)" "$USER_NAME"
t_eq "AUTH_USER" "$(app AUTH_USER)" "$USER_NAME"
t_eq "AUTH_SESSION_ID" "$(app AUTH_SESSION_ID)" "$SID1"
t_end

t_begin "$P a POST body reaches the app intact (the authorizer does not read it)"
http POST /protected/echo.cgi 'a=1&b=two' -H "Authorization: $AUTH1"
t_status 200
t_eq "REMOTE_USER" "$(app REMOTE_USER)" "$USER_NAME"
t_eq "body" "$(app BODY)" 'a=1&b=two'
t_end

t_begin "$P the authorizationCorban token is refused (authorizer_token = authorization)"
http GET /protected/app.cgi "" -H "Authorization: $CORBAN1"
t_status 401
t_end

t_begin "$P old token 401 after a refresh-token rotation, the new one 200"
http POST "$API/refresh-token" "$(json_body sessionId "$SID1" refreshToken "$REFRESH1")"
t_status 200
take_tokens
AUTH2=$AUTH
http GET /protected/app.cgi "" -H "Authorization: $AUTH1"
t_status 401
http GET /protected/app.cgi "" -H "Authorization: $AUTH2"
t_status 200
t_eq "AUTH_SESSION_ID" "$(app AUTH_SESSION_ID)" "$SID1"
t_end

t_begin "$P 401 after logout"
http POST "$API/logout" "" -H "Authorization: $AUTH2"
t_status 200
http GET /protected/app.cgi "" -H "Authorization: $AUTH2"
t_status 401
t_match "WWW-Authenticate" "$(hdr WWW-Authenticate)" '^Bearer'
t_end

# ---------------------------------------------------------------- .htaccess

# shared_tests LABEL BASE: the shared-hosting checks on one web root.
shared_tests() {
	local P="apache .htaccess ($1):" base=$2 sid auth
	BASE=$base
	t_begin "$P POST /api/v1/autenticacao/login answers 200"
	ap_login "$base"
	t_status 200
	t_json_ct
	t_token_shape authorization "$AUTH"
	t_end
	sid=$SID auth=$AUTH

	t_begin "$P GET /session with the Bearer token answers 200 (CGIPassAuth)"
	http GET "$API/session" "" -H "Authorization: $auth"
	t_status 200
	t_eq "data.sessionId" "$(jget .data.sessionId)" "$sid"
	t_eq "data.username" "$(jget .data.username)" "$USER_NAME"
	t_end

	t_begin "$P refresh-session keeps the sessionId"
	http POST "$API/refresh-session" "$(json_body sessionId "$sid" username "$USER_NAME" password "$USER_PASS")"
	t_status 200
	take_tokens
	t_eq "sessionId" "$SID" "$sid"
	t_end
	auth=$AUTH

	t_begin "$P POST /logout answers 200 and kills the token"
	http POST "$API/logout" "" -H "Authorization: $auth"
	t_status 200
	http GET "$API/session" "" -H "Authorization: $auth"
	t_status 401
	t_end

	t_cors_preflight

	t_begin "$P a config left in the web root is not served"
	http GET /autenticacao.conf
	t_refused
	t_end

	t_begin "$P .htaccess, dotfiles and dot-directories are not served"
	http GET /.htaccess
	t_refused
	http GET /.env
	t_refused
	http GET /.git/config
	t_refused
	t_end

	t_begin "$P .well-known/ stays reachable (ACME challenges)"
	http GET /.well-known/acme-challenge/t1
	t_status 200
	t_eq "body" "$BODY" acme-token
	t_end

	t_begin "$P the binary runs, it is never sent"
	http GET /autenticacao.fcgi
	t_status 404
	t_eq "error.code" "$(jget .error.code)" NOT_FOUND
	t_nomatch "body" "$(head -c 4 "$BODYF" | od -An -c | tr -d ' ')" 'ELF'
	t_end
}

shared_tests "mod_fcgid" "$A2"
t_begin "apache .htaccess (mod_fcgid): a FastCGI process stays, its config the compiled-in path"
if FCGID_PID=$(exe_running "$AP/site-fcgid"); then
	t_nomatch "its environment" "$(tr '\0' ' ' <"/proc/$FCGID_PID/environ")" 'AUTENTICACAO_CONF='
	t_match "the path in the binary" "$(strings "$AP/site-fcgid/autenticacao.fcgi")" "$AP/private/autenticacao.conf"
else
	t_fail "no process runs $AP/site-fcgid/autenticacao.fcgi"
fi
t_end

shared_tests "mod_cgi fallback, no mod_fcgid" "$B"
t_begin "apache .htaccess (mod_cgi fallback, no mod_fcgid): one process per request, none left"
exe_running "$AP/site-cgi" >/dev/null && t_fail "a process still runs $AP/site-cgi/autenticacao.fcgi"
t_end

# ---------------------------------------------------------------- slow bodies

# mod_proxy_fcgi streams a body to the responder as the client sends it:
# a client that sends one byte at a time must not hold the worker (one
# here) past body_timeout (2 s in this script's config).
t_begin "apache proxy_fcgi: a body sent a byte a second frees the worker after body_timeout"
perl -MIO::Socket::INET -e '
	my ($port, $out) = @ARGV;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $port, Proto => "tcp") or exit 1;
	$s->autoflush(1);
	my $body = q({"username":"slow","password":"slow-password-xyz"});
	print $s "POST /api/v1/autenticacao/login HTTP/1.1\r\n",
	    "Host: 127.0.0.1\r\nContent-Type: application/json\r\n",
	    "Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n";
	local $SIG{PIPE} = "IGNORE";
	for my $c (split //, $body) {
		last unless print $s $c;
		sleep 1;
		last if -e "$out.stop";
	}
	my $ans = "";
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm 10;
		while (sysread($s, my $buf, 4096)) { $ans .= $buf; }
		alarm 0;
	};
	open(my $f, ">", $out); print $f $ans;
' "$PA" "$T/slow.out" &
slow=$!
sleep 0.5
BASE=$A
t0=$(now_ms)
http GET "$API/health"
t1=$(now_ms)
t_status 200
t_le "GET /health waited (ms)" $((t1 - t0)) 6000
touch "$T/slow.out.stop"
wait "$slow"
t_match "the slow client's answer" "$(head -n 1 "$T/slow.out" 2>/dev/null | tr -d '\r')" '^HTTP/1\.1 400 '
t_match "the log says why" "$(cat "$AP/responder-sock.log")" 'request body not received within 2 s'
t_end

# ---------------------------------------------------------------- Redis down

ap_login "$A"
AUTH3=$AUTH
REDIS_PORT0=$REDIS_PORT
redis_stop save

t_begin "apache authnz_fcgi: Redis stopped: 503, not 401, not 200"
BASE=$A
http GET /protected/app.cgi "" -H "Authorization: $AUTH3"
t_status 503
t_eq "error.code" "$(jget .error.code)" SERVICE_UNAVAILABLE
t_json_ct
t_nomatch "body" "$BODY" 'REMOTE_USER='
t_end

t_begin "apache proxy_fcgi: Redis stopped: GET /session answers 503"
http GET "$API/session" "" -H "Authorization: $AUTH3"
t_status 503
t_end

t_begin "apache .htaccess (mod_fcgid): Redis stopped: GET /health answers 503"
BASE=$A2
http GET "$API/health"
t_status 503
t_end

t_begin "Redis back: the same responders and token work again (authnz 200, proxy 200, mod_fcgid 200)"
if redis_start "$REDIS_PORT0"; then
	BASE=$A
	http GET /protected/app.cgi "" -H "Authorization: $AUTH3"
	t_status 200
	t_eq "REMOTE_USER" "$(app REMOTE_USER)" "$USER_NAME"
	http GET "$API/session" "" -H "Authorization: $AUTH3"
	t_status 200
	BASE=$A2
	http GET "$API/session" "" -H "Authorization: $AUTH3"
	t_status 200
else
	t_fail "redis-server did not restart on port $REDIS_PORT0"
fi
t_end

t_begin "Apache error logs hold no crash or sanitizer report"
for f in "$AP"/a/logs/error.log "$AP"/b/logs/error.log "$AP"/responder-*.log; do
	if grep -Eq "$SAN_PATTERN|Segmentation fault|exit signal|AH01215.*(Abort|core)" "$f" 2>/dev/null; then
		t_fail "$(basename "$(dirname "$(dirname "$f")")")/$(basename "$f"): $(grep -Em1 "$SAN_PATTERN|Segmentation fault|exit signal" "$f")"
	fi
done
t_end

done_testing
