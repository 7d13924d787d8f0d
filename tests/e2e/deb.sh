# The Debian package of `make deb`, built and then used: lintian on the
# .deb and the .changes, what the package holds and where, and the packaged
# programs, extracted with `dpkg -x` into a throw-away root, answering a
# login through a real lighttpd that uses the packaged lighttpd snippet and
# through a real nginx that uses the packaged nginx snippets, against a
# private redis-server.
#
# The package is built here (scripts/deb.sh into $T/deb, about 40 s) with
# DEB_BUILD_OPTIONS=nocheck: the unit tests it would run are the unit phase
# of `make test`; the files of the package are the same either way.
#
# What the throw-away root cannot give is stood in for, and nothing else
# is changed:
#   - /run/autenticacao/autenticacao.sock, the socket systemd makes
#     (autenticacao.socket): $T/run/autenticacao.sock, bound by spawn-fcgi
#     -n, which hands it to the packaged responder as its fd 0 as systemd
#     does; the snippets get that one path changed;
#   - /etc/autenticacao/autenticacao.conf: the packaged file with its
#     redis_port changed to the private Redis, named by AUTENTICACAO_CONF;
#   - the web servers' main configs: minimal ones of this script, with
#     Debian's /etc/lighttpd/conf-available/10-fastcgi.conf (what
#     lighty-enable-mod enables for the snippet's "depends: fastcgi").
. "$(dirname "$0")/../lib.sh"
lib_use redis answer http

OUT=$T/deb
PKGROOT=$T/root
SOCK=$T/run/autenticacao.sock
RESP=$PKGROOT/usr/lib/autenticacao/autenticacao.fcgi
ADMIN=$PKGROOT/usr/sbin/autenticacao-admin
LT_SNIPPET=etc/lighttpd/conf-available/50-autenticacao.conf
NG_SNIPPET=etc/nginx/snippets/autenticacao.conf
NG_PROTECT=etc/nginx/snippets/autenticacao-protect.conf
AP_SNIPPET=etc/apache2/conf-available/autenticacao.conf
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
APACHE2=$(command -v apache2 || echo /usr/sbin/apache2)
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)

# ------------------------------------------------ the build

t_begin "deb: make deb (scripts/deb.sh) builds the package"
t0=$SECONDS
DEB_OUT=$OUT DEB_BUILD_OPTIONS=nocheck sh "$ROOT_DIR/scripts/deb.sh" >"$T/deb.out" 2>&1 ||
    t_fail "scripts/deb.sh failed: $(tail -n 5 "$T/deb.out")"
echo "# note: package built in $((SECONDS - t0)) s"
DEB=$(ls "$OUT"/autenticacao_*.deb 2>/dev/null | head -n 1)
CHANGES=$(ls "$OUT"/autenticacao_*.changes 2>/dev/null | head -n 1)
[ -n "$DEB" ] || t_fail "no autenticacao_*.deb in $OUT"
[ -n "$CHANGES" ] || t_fail "no autenticacao_*.changes in $OUT"
t_end
[ -n "$DEB" ] || done_testing

t_begin "deb: the build used the hardening flags and the package's paths"
log=$OUT/build.log
grep -q -- '-D_FORTIFY_SOURCE=2' "$log" || t_fail "no -D_FORTIFY_SOURCE=2 (CPPFLAGS) in the compile lines"
grep -q -- '-fstack-protector-strong' "$log" || t_fail "no -fstack-protector-strong"
grep -q -- '-Wl,-z,now' "$log" || t_fail "no -z now (LDFLAGS)"
grep -q "CFG_DEFAULT_PATH='\"/etc/autenticacao/autenticacao.conf\"'" "$log" ||
    t_fail "the config path compiled in is not /etc/autenticacao/autenticacao.conf"
grep -q -- ' -Werror ' "$log" && t_fail "-Werror in a package build (WERROR=0 expected)"
t_end

# ------------------------------------------------ lintian

t_begin "deb: lintian on the .deb and the .changes: no error, no warning"
lintian --display-info "$CHANGES" >"$T/lintian.out" 2>&1
rc=$?
sed 's/^/# lintian: /' "$T/lintian.out"
grep -E '^[EW]: ' "$T/lintian.out" >"$T/lintian.ew"
t_eq "errors and warnings" "$(cat "$T/lintian.ew")" ""
t_eq "lintian exit status" "$rc" 0
grep -q "autenticacao_.*\.deb" "$CHANGES" || t_fail "the .changes lists no .deb"
t_end

t_begin "deb: every lintian override has a reason above it"
ov=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/share/lintian/overrides/autenticacao 2>/dev/null)
prev=
while IFS= read -r line; do
	case $line in
	autenticacao:*)
		case $prev in '#'*) ;; *) t_fail "no comment above: $line" ;; esac ;;
	esac
	prev=$line
done <<<"$ov"
t_end

# ------------------------------------------------ what the package holds

dpkg-deb -c "$DEB" >"$T/contents"
dpkg-deb -I "$DEB" control >"$T/control"
mkdir -p "$T/ctl"
dpkg-deb -e "$DEB" "$T/ctl"

# entry PATH: the dpkg -c line of ./PATH ("" if absent).
entry() {
	awk -v p="./$1" '$6 == p' "$T/contents"
}

t_begin "deb: the FHS paths (responder, admin, config, units, sysusers, man pages, docs)"
for f in usr/lib/autenticacao/autenticacao.fcgi usr/sbin/autenticacao-admin \
    etc/autenticacao/autenticacao.conf lib/systemd/system/autenticacao.socket \
    lib/systemd/system/autenticacao.service usr/lib/sysusers.d/autenticacao.conf \
    usr/share/man/man8/autenticacao.fcgi.8.gz usr/share/man/man8/autenticacao-admin.8.gz \
    usr/share/man/man5/autenticacao.conf.5.gz usr/share/doc/autenticacao/copyright \
    usr/share/doc/autenticacao/changelog.gz usr/share/doc/autenticacao/README.md.gz \
    usr/share/doc/autenticacao/examples/lighttpd.conf \
    usr/share/doc/autenticacao/examples/nginx-auth-request.conf \
    usr/share/doc/autenticacao/examples/apache-proxy-fcgi.conf \
    "$LT_SNIPPET" "$AP_SNIPPET" "$NG_SNIPPET" "$NG_PROTECT"; do
	[ -n "$(entry "$f")" ] || t_fail "not in the package: /$f"
done
grep -q ' \./usr/local' "$T/contents" && t_fail "something under /usr/local"
grep -q ' \./usr/bin/' "$T/contents" && t_fail "something in /usr/bin (the programs are in /usr/sbin and /usr/lib/autenticacao)"
t_end

t_begin "deb: the config is 0640 root:root in the package, a conffile, given its group by postinst"
set -- $(entry etc/autenticacao/autenticacao.conf)
t_eq "mode" "${1:-}" "-rw-r-----"
t_eq "owner" "${2:-}" "root/root"
for f in /etc/autenticacao/autenticacao.conf "/$LT_SNIPPET" "/$AP_SNIPPET" \
    "/$NG_SNIPPET" "/$NG_PROTECT"; do
	grep -qx "$f" "$T/ctl/conffiles" || t_fail "not a conffile: $f"
done
grep -q 'dpkg-statoverride --update --add root _autenticacao 0640 "\$CONF"' "$T/ctl/postinst" ||
    t_fail "postinst sets no statoverride root:_autenticacao 0640"
grep -q 'systemd-sysusers' "$T/ctl/postinst" || t_fail "postinst does not create the user (systemd-sysusers)"
grep -q 'deb-systemd-helper' "$T/ctl/postinst" || t_fail "postinst does not enable the units (dh_installsystemd)"
t_end

t_begin "deb: control: the library Depends, Recommends redis-server, Suggests the web servers and spawn-fcgi"
dep=$(sed -n 's/^Depends: //p' "$T/control")
for l in libfcgi0ldbl libhiredis libjson-c libsodium libunistring libcrypt1 libaprutil1 libc6; do
	t_match "Depends" "$dep" "$l"
done
t_match "Depends (sysusers)" "$dep" 'systemd'
t_eq "Recommends" "$(sed -n 's/^Recommends: //p' "$T/control")" "redis-server"
t_eq "Suggests" "$(sed -n 's/^Suggests: //p' "$T/control")" "lighttpd | apache2 | nginx, spawn-fcgi"
t_end

# ------------------------------------------------ the extracted tree

dpkg -x "$DEB" "$PKGROOT"

t_begin "deb: dpkg -x: the packaged programs run, hardened, with the package's config path"
[ -x "$RESP" ] || t_fail "no $RESP"
[ -x "$ADMIN" ] || t_fail "no $ADMIN"
for b in "$RESP" "$ADMIN"; do
	t_match "$(basename "$b") ELF type (PIE)" "$(readelf -h "$b" 2>/dev/null | sed -n 's/^ *Type: *//p')" '^DYN'
	readelf -d "$b" 2>/dev/null | grep -q 'BIND_NOW' || t_fail "$(basename "$b"): no BIND_NOW"
	readelf -lW "$b" 2>/dev/null | grep -q 'GNU_RELRO' || t_fail "$(basename "$b"): no RELRO"
	nm -D "$b" 2>/dev/null | grep -q '__[a-z]*_chk' || t_fail "$(basename "$b"): no fortified function (_FORTIFY_SOURCE)"
	grep -aq '/etc/autenticacao/autenticacao.conf' "$b" || t_fail "$(basename "$b"): /etc/autenticacao/autenticacao.conf not compiled in"
done
"$ADMIN" --help >"$T/admin-help" 2>&1
t_match "autenticacao-admin --help" "$(cat "$T/admin-help")" 'useradd'
t_end

t_begin "deb: the packaged units: systemd-analyze verify; the service runs as _autenticacao from /usr/lib/autenticacao"
svc=$PKGROOT/lib/systemd/system/autenticacao.service
t_eq "ExecStart" "$(sed -n 's/^ExecStart=//p' "$svc")" /usr/lib/autenticacao/autenticacao.fcgi
t_eq "User" "$(sed -n 's/^User=//p' "$svc")" _autenticacao
t_eq "StandardInput" "$(sed -n 's/^StandardInput=//p' "$svc")" socket
t_eq "ListenStream" "$(sed -n 's/^ListenStream=//p' "$PKGROOT/lib/systemd/system/autenticacao.socket")" \
    /run/autenticacao/autenticacao.sock
t_eq "sysusers" "$(grep -v '^#' "$PKGROOT/usr/lib/sysusers.d/autenticacao.conf")" \
    'u _autenticacao - "autenticacao session-token service" /nonexistent'
mkdir -p "$T/units"
# verify wants ExecStart= to exist: the extracted responder's path.
sed "s|^ExecStart=/usr/lib/autenticacao/|ExecStart=$PKGROOT/usr/lib/autenticacao/|" "$svc" \
    >"$T/units/autenticacao.service"
cp "$PKGROOT/lib/systemd/system/autenticacao.socket" "$T/units/"
out=$(cd "$T/units" && timeout 30 systemd-analyze verify --man=no \
    ./autenticacao.socket ./autenticacao.service 2>&1)
t_eq "systemd-analyze verify" "$out" ""
t_end

t_begin "deb: the lighttpd snippet: the depends line lighty-enable-mod reads, a socket-only fastcgi.server"
t_eq "first line" "$(head -n 1 "$PKGROOT/$LT_SNIPPET")" "# -*- depends: fastcgi -*-"
grep -q '"socket" => "/run/autenticacao/autenticacao.sock"' "$PKGROOT/$LT_SNIPPET" ||
    t_fail "no socket /run/autenticacao/autenticacao.sock"
grep -q 'bin-path' "$PKGROOT/$LT_SNIPPET" && grep -v '^[[:space:]]*#' "$PKGROOT/$LT_SNIPPET" | grep -q 'bin-path' &&
    t_fail "a bin-path: lighttpd would start its own responder"
t_end

# ------------------------------------------------ the responder, as the units run it

redis_start || exit 1
CONF=$T/autenticacao.conf
sed "s/^redis_port = 6379\$/redis_port = $REDIS_PORT/" \
    "$PKGROOT/etc/autenticacao/autenticacao.conf" >"$CONF"
chmod 0600 "$CONF"
t_begin "deb: the packaged config, with only its redis_port changed"
t_eq "lines changed" "$(diff "$PKGROOT/etc/autenticacao/autenticacao.conf" "$CONF" | grep -c '^>')" 1
t_end

# The packaged autenticacao-admin with the packaged config creates a user.
printf 'pw-of-deb-1\n' | "$ADMIN" -c "$CONF" useradd debuser >"$T/adm.out" 2>&1
ADM_RC=$?
t_begin "deb: the packaged autenticacao-admin adds a user"
t_eq "exit status" "$ADM_RC" 0
t_end
secrets_note 'pw-of-deb-1'

mkdir -p "$T/run"
RESP_LOG=$T/responder.log
# spawn-fcgi -n binds the socket and execs the responder with it as fd 0
# (StandardInput=socket, Accept=no); the config through the environment.
env AUTENTICACAO_CONF="$CONF" spawn-fcgi -n -s "$SOCK" -M 0660 -- "$RESP" \
    </dev/null >>"$RESP_LOG" 2>&1 &
RESP_PID=$!
BG_PIDS+=("$RESP_PID")
for i in $(seq 1 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$RESP_PID" 2>/dev/null || break
	sleep 0.05
done
t_begin "deb: the packaged responder listens on the socket"
[ -S "$SOCK" ] || t_fail "no socket; log: $(tail -n 3 "$RESP_LOG")"
t_eq "process" "$(readlink "/proc/$RESP_PID/exe" 2>/dev/null)" "$RESP"
t_end
[ -S "$SOCK" ] || done_testing

# login_through NAME: login, GET /session with its token, logout, through
# the web server at $BASE.
login_through() {
	local name=$1 tok
	t_begin "deb: $name: POST /login -> 200 with the three tokens"
	http POST /api/v1/autenticacao/login '{"username":"debuser","password":"pw-of-deb-1"}'
	t_status 200
	t_json_ct
	t_eq success "$(jget .success)" true
	tok=$(jget .data.authorization)
	t_token_shape authorization "$tok"
	t_token_shape refreshToken "$(jget .data.refreshToken)"
	t_match sessionId "$(jget .data.sessionId)" '^[A-Za-z0-9_-]+$'
	t_end
	t_begin "deb: $name: GET /session with the token -> 200, the user"
	http GET /api/v1/autenticacao/session "" -H "Authorization: $tok"
	t_status 200
	t_eq user "$(jget .data.username)" debuser
	t_end
	t_begin "deb: $name: a wrong password -> 401 INVALID_CREDENTIALS"
	http POST /api/v1/autenticacao/login '{"username":"debuser","password":"wrong-pw-9"}'
	t_error 401 INVALID_CREDENTIALS
	t_end
	LAST_TOKEN=$tok
}

# ------------------------------------------------ lighttpd with the packaged snippet

LT=$T/lighttpd
mkdir -p "$LT/htdocs"
sed "s|\"/run/autenticacao/autenticacao.sock\"|\"$SOCK\"|" "$PKGROOT/$LT_SNIPPET" >"$LT/50-autenticacao.conf"
HTTP_PORT=$(free_port) || exit 1
BASE=http://127.0.0.1:$HTTP_PORT
cat >"$LT/lighttpd.conf" <<EOF
server.bind = "127.0.0.1"
server.port = $HTTP_PORT
server.document-root = "$LT/htdocs"
server.errorlog = "$LT/error.log"
include "/etc/lighttpd/conf-available/10-fastcgi.conf"
include "$LT/50-autenticacao.conf"
EOF
t_begin "deb: lighttpd: the snippet with only its socket path changed; lighttpd -tt accepts it"
t_eq "lines changed" "$(diff "$PKGROOT/$LT_SNIPPET" "$LT/50-autenticacao.conf" | grep -c '^>')" 1
out=$("$LIGHTTPD" -tt -f "$LT/lighttpd.conf" 2>&1) || t_fail "lighttpd -tt: $out"
t_end
"$LIGHTTPD" -D -f "$LT/lighttpd.conf" </dev/null >>"$LT/stderr.log" 2>&1 &
LT_PID=$!
BG_PIDS+=("$LT_PID")
for i in $(seq 1 100); do
	port_busy "$HTTP_PORT" && break
	kill -0 "$LT_PID" 2>/dev/null || break
	sleep 0.05
done
t_begin "deb: lighttpd starts with the snippet"
port_busy "$HTTP_PORT" || t_fail "lighttpd: $(tail -n 3 "$LT/error.log" "$LT/stderr.log" 2>/dev/null)"
t_end
login_through lighttpd

# ------------------------------------------------ nginx with the packaged snippets

NG=$T/nginx
mkdir -p "$NG/snippets" "$NG/tmp" "$NG/html/protected"
echo 'protected page' >"$NG/html/protected/page.txt"
cp /etc/nginx/fastcgi_params "$NG/fastcgi_params"
for f in "$NG_SNIPPET" "$NG_PROTECT"; do
	sed "s|unix:/run/autenticacao/autenticacao.sock|unix:$SOCK|" "$PKGROOT/$f" >"$NG/snippets/${f##*/}"
done
HTTP_PORT=$(free_port) || exit 1
BASE=http://127.0.0.1:$HTTP_PORT
cat >"$NG/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $NG/tmp/body;
	fastcgi_temp_path $NG/tmp/fastcgi;
	proxy_temp_path $NG/tmp/proxy;
	scgi_temp_path $NG/tmp/scgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	types { text/plain txt; }
	server {
		listen 127.0.0.1:$HTTP_PORT;
		root $NG/html;
		include snippets/autenticacao.conf;
		location /protected/ {
			include snippets/autenticacao-protect.conf;
		}
	}
}
EOF
t_begin "deb: nginx: the snippets with only their socket path changed; nginx -t accepts them"
t_eq "lines changed" "$(diff "$PKGROOT/$NG_SNIPPET" "$NG/snippets/autenticacao.conf" | grep -c '^>')" 2
t_eq "lines changed (protect)" "$(diff "$PKGROOT/$NG_PROTECT" "$NG/snippets/autenticacao-protect.conf" | grep -c '^>')" 0
out=$("$NGINX" -t -q -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" 2>&1) || t_fail "nginx -t: $out"
t_end
"$NGINX" -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" -g 'daemon off;' \
    </dev/null >>"$NG/stderr.log" 2>&1 &
NG_PID=$!
BG_PIDS+=("$NG_PID")
for i in $(seq 1 100); do
	port_busy "$HTTP_PORT" && break
	kill -0 "$NG_PID" 2>/dev/null || break
	sleep 0.05
done
t_begin "deb: nginx starts with the snippets"
port_busy "$HTTP_PORT" || t_fail "nginx: $(tail -n 3 "$NG/error.log" "$NG/stderr.log" 2>/dev/null)"
t_end
login_through nginx
t_begin "deb: nginx: a location with autenticacao-protect.conf: 401 without a token, the page with one"
http GET /protected/page.txt
t_error 401 INVALID_TOKEN
http GET /protected/page.txt "" -H "Authorization: $LAST_TOKEN"
t_status 200
t_eq page "$BODY" "protected page"
t_end

# ------------------------------------------------ Apache accepts its snippet

AP=$T/apache
mkdir -p "$AP/run" "$AP/logs"
sed "s#unix:/run/autenticacao/autenticacao.sock|#unix:$SOCK|#" "$PKGROOT/$AP_SNIPPET" >"$AP/autenticacao.conf"
mods=/usr/lib/apache2/modules
cat >"$AP/httpd.conf" <<EOF
ServerRoot "$AP"
ServerName 127.0.0.1
Listen 127.0.0.1:$(free_port)
PidFile "$AP/run/httpd.pid"
DefaultRuntimeDir "$AP/run"
ErrorLog "$AP/logs/error.log"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_fcgi_module $mods/mod_proxy_fcgi.so
Include "$AP/autenticacao.conf"
EOF
t_begin "deb: Apache: the conf-available snippet, socket path changed only, passes apache2 -t (proxy_fcgi loaded)"
t_eq "lines changed" "$(diff "$PKGROOT/$AP_SNIPPET" "$AP/autenticacao.conf" | grep -c '^>')" 1
out=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$APACHE2" -t -d "$AP" -f "$AP/httpd.conf" 2>&1) ||
    t_fail "apache2 -t: $out"
t_end

t_begin "deb: no sanitizer report or crash in the responder's log"
grep -Eq "$SAN_PATTERN" "$RESP_LOG" && t_fail "$(grep -Em1 "$SAN_PATTERN" "$RESP_LOG")"
kill -0 "$RESP_PID" 2>/dev/null || t_fail "the responder is gone"
t_end

done_testing
