# conf/autenticacao.socket + conf/autenticacao.service, and the spawn-fcgi
# line the recipes give for hosts without systemd.
#
# systemd does not run here, so:
#   - both units go through `systemd-analyze verify` (and the service's
#     hardening through `systemd-analyze security --offline`);
#   - the pair is then played by spawn-fcgi, which does what systemd does
#     for it: it binds the unit's ListenStream= with its SocketMode= and
#     SocketGroup=, and runs the unit's ExecStart= with the socket as
#     standard input (StandardInput=socket, Accept=no), the unit's
#     Environment= (%d being a copy of the config, as LoadCredential=
#     makes it) and, as root, an unprivileged user like DynamicUser=;
#   - lighttpd, a fastcgi.server with "socket" only (no bin-path), running
#     as the socket's group (www-data) when this script runs as root,
#     serves real requests through that socket.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer lighttpd http

UNITS=$ROOT_DIR/conf
SVC=$UNITS/autenticacao.service
SOCK_UNIT=$UNITS/autenticacao.socket
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
WEB_USER=www-data
RUN_USER=nobody
RUN_GROUP=$(id -gn nobody 2>/dev/null || echo nogroup)
RESP_PID=

# unit_get FILE KEY: the value of the first "KEY=" line of a unit file.
unit_get() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

t_begin "units: conf/autenticacao.socket and conf/autenticacao.service exist"
[ -f "$SVC" ] || t_fail "no $SVC"
[ -f "$SOCK_UNIT" ] || t_fail "no $SOCK_UNIT"
t_end
if ! [ -f "$SVC" ] || ! [ -f "$SOCK_UNIT" ]; then
	done_testing
fi

EXEC=$(unit_get "$SVC" ExecStart)
ENVLINE=$(unit_get "$SVC" Environment)
CRED=$(unit_get "$SVC" LoadCredential)
LISTEN=$(unit_get "$SOCK_UNIT" ListenStream)
MODE=$(unit_get "$SOCK_UNIT" SocketMode)
SGROUP=$(unit_get "$SOCK_UNIT" SocketGroup)

t_begin "units: the service is socket-activated the FastCGI way"
t_eq "ExecStart" "$EXEC" /usr/local/lib/autenticacao/autenticacao.fcgi
t_eq "StandardInput" "$(unit_get "$SVC" StandardInput)" socket
t_eq "Accept (socket)" "$(unit_get "$SOCK_UNIT" Accept)" no
t_eq "ListenStream" "$LISTEN" /run/autenticacao/autenticacao.sock
t_eq "SocketMode" "$MODE" 0660
t_eq "SocketGroup" "$SGROUP" "$WEB_USER"
t_match "Environment" "$ENVLINE" '^AUTENTICACAO_CONF=%d/[^/]+$'
t_match "LoadCredential" "$CRED" '^[^:/]+:/'
t_eq "credential name = config file name" "${CRED%%:*}" "${ENVLINE##*/}"
t_eq "DynamicUser" "$(unit_get "$SVC" DynamicUser)" yes
t_eq "NoNewPrivileges" "$(unit_get "$SVC" NoNewPrivileges)" yes
t_eq "ProtectSystem" "$(unit_get "$SVC" ProtectSystem)" strict
t_end

# ------------------------------------------------ systemd-analyze

SA=$(command -v systemd-analyze || true)
mkdir -p "$T/units"
# verify wants ExecStart= to exist: the built responder stands in for
# the installed one; nothing else is changed.
sed "s|^ExecStart=/usr/local/lib/autenticacao/autenticacao.fcgi|ExecStart=$BUILD/autenticacao.fcgi|" \
    "$SVC" >"$T/units/autenticacao.service"
cp "$SOCK_UNIT" "$T/units/autenticacao.socket"

t_begin "units: systemd-analyze verify reports nothing"
if [ -z "$SA" ]; then
	t_fail "systemd-analyze not found (Debian package systemd)"
else
	out=$(cd "$T/units" && timeout 30 "$SA" verify --man=no \
	    ./autenticacao.socket ./autenticacao.service 2>&1)
	rc=$?
	t_eq "exit status" "$rc" 0
	t_eq "output" "$out" ""
fi
t_end

t_begin "units: systemd-analyze security rates the service's exposure at most 2.0"
if [ -z "$SA" ]; then
	t_fail "systemd-analyze not found (Debian package systemd)"
else
	out=$(cd "$T/units" && timeout 30 "$SA" security --offline=yes \
	    ./autenticacao.service 2>&1 | tail -n 1)
	level=$(sed -n 's/.*exposure level for autenticacao.service: \([0-9.]*\).*/\1/p' <<<"$out")
	if [ -z "$level" ]; then
		t_fail "no exposure level in: $out"
	elif ! awk -v l="$level" 'BEGIN { exit !(l + 0 <= 2.0) }'; then
		t_fail "exposure $level > 2.0"
	fi
fi
t_end

# ------------------------------------------------ the pair, played by spawn-fcgi

redis_start || exit 1
conf_write redis_timeout_ms=500
user_add ana ana-pw || done_testing

# Unprivileged users must reach the test directory (as apache.sh does).
chmod 0755 "$T"
RUNDIR=$T/run${LISTEN%/*}		# /run/autenticacao -> $T/run/run/autenticacao
SOCK=$RUNDIR/${LISTEN##*/}
CREDDIR=$T/credentials			# stands for $CREDENTIALS_DIRECTORY
mkdir -p "$RUNDIR" "$CREDDIR"
chmod 0755 "$T/run" "$T/run/run" "$RUNDIR"
# LoadCredential= copies the file, readable by the service's user only.
cp "$CONF" "$CREDDIR/${CRED%%:*}"
chmod 0644 "$CREDDIR/${CRED%%:*}"
RESP_ENV=${ENVLINE//%d/$CREDDIR}
RESP_BIN=$BUILD/${EXEC##*/}
RESP_LOG=$T/responder.log

# spawn_unit [CONF_ENV]: the unit pair's process under spawn-fcgi -n (the
# responder replaces spawn-fcgi, as ExecStart= is the main process).
spawn_unit() {
	local env=${1:-$RESP_ENV} i
	local -a who=()
	if [ "$ROOT" = 1 ]; then
		# SocketGroup=, and a user of no privilege like DynamicUser=
		# (the socket's owner is that user: spawn-fcgi will not
		# chown to root as SocketUser=root does)
		who=(-G "$SGROUP" -u "$RUN_USER" -g "$RUN_GROUP")
	fi
	rm -f "$SOCK"
	env "$env" spawn-fcgi -n -s "$SOCK" -M "$MODE" "${who[@]}" \
	    -- "$RESP_BIN" </dev/null >>"$RESP_LOG" 2>&1 &
	RESP_PID=$!
	BG_PIDS+=("$RESP_PID")
	for i in $(seq 1 100); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$RESP_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# lt_socket_start SOCKET: lighttpd with a socket-only fastcgi.server (it
# spawns nothing), as www-data when root.  Sets what
# lighttpd_start (tests/lib/lighttpd.sh) sets, so its cleanup stops it.
lt_socket_start() {
	local dir=$T/lt i
	HTTP_PORT=$(free_port) || return 1
	BASE=http://127.0.0.1:$HTTP_PORT
	mkdir -p "$dir/htdocs"
	LIGHTTPD_LOG=$dir/error.log
	: >>"$LIGHTTPD_LOG"
	{
		echo 'server.modules += ( "mod_fastcgi" )'
		echo 'server.bind = "127.0.0.1"'
		echo "server.port = $HTTP_PORT"
		echo "server.document-root = \"$dir/htdocs\""
		echo "server.errorlog = \"$LIGHTTPD_LOG\""
		if [ "$ROOT" = 1 ]; then
			echo "server.username = \"$WEB_USER\""
			echo "server.groupname = \"$WEB_USER\""
		fi
		echo 'fastcgi.server = ( "/api/v1/autenticacao/" => (('
		echo "	\"socket\" => \"$1\","
		echo '	"check-local" => "disable"'
		echo ')))'
	} >"$T/lighttpd-socket.conf"
	[ "$ROOT" = 1 ] && chown -R "$WEB_USER" "$dir"
	lighttpd -D -f "$T/lighttpd-socket.conf" </dev/null >>"$LIGHTTPD_LOG" 2>&1 &
	LIGHTTPD_PID=$!
	disown "$LIGHTTPD_PID"	# as lighttpd_start does: no bare `wait` waits for it
	for i in $(seq 1 100); do
		port_busy "$HTTP_PORT" && return 0
		kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	LIGHTTPD_PID=
	return 1
}

t_begin "units: the responder starts on the unit's socket (spawn-fcgi playing systemd)"
spawn_unit || t_fail "no socket; log: $(tail -n 3 "$RESP_LOG")"
t_end

t_begin "units: the socket has SocketMode= (and SocketGroup= as root)"
t_eq mode "$(stat -c %a "$SOCK" 2>/dev/null)" "${MODE#0}"
if [ "$ROOT" = 1 ]; then
	t_eq group "$(stat -c %G "$SOCK" 2>/dev/null)" "$SGROUP"
fi
t_end

t_begin "units: the responder runs unprivileged (as DynamicUser= would)"
if [ "$ROOT" = 1 ]; then
	t_eq user "$(ps -o user= -p "$RESP_PID" 2>/dev/null)" "$RUN_USER"
	# spawn-fcgi -n execs the responder: the pid is the responder's
	t_eq "process" "$(ps -o args= -p "$RESP_PID" 2>/dev/null)" "$RESP_BIN"
else
	t_fail "not root: cannot check the user switch (run the suite as root)"
fi
t_end

if ! lt_socket_start "$SOCK"; then
	notok "units: lighttpd (socket only) starts" "$(tail -n 5 "$T/lt/error.log" 2>/dev/null)"
	done_testing
fi

t_begin "units: lighttpd (socket only, as the socket's group) -> GET /health 200"
http GET "$API/health"
t_status 200
t_eq "data.redis" "$(jget .data.redis)" ok
t_end

t_begin "units: login, session and logout through the unit's socket"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
t_eq login "$STATUS" 200
take_tokens
http GET "$API/session" "" -H "Authorization: $AUTH"
t_eq session "$STATUS" 200
t_eq "session user" "$(jget .data.username)" ana
http POST "$API/logout" "" -H "Authorization: $AUTH" --data-binary ''
t_eq logout "$STATUS" 200
t_end

t_begin "units: the responder read its config from \$CREDENTIALS_DIRECTORY (log in its stderr)"
t_match "responder log" "$(cat "$RESP_LOG")" 'POST /api/v1/autenticacao/login 200'
t_end

t_begin "units: SIGTERM (KillSignal=) stops the responder with status 0 within TimeoutStopSec="
stop_s=$(unit_get "$SVC" TimeoutStopSec)
kill -TERM "$RESP_PID"
t0=$(now_ms)
for i in $(seq 1 $((${stop_s:-10} * 20))); do
	kill -0 "$RESP_PID" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$RESP_PID" 2>/dev/null; then
	t_fail "still running after ${stop_s}s"
	kill -KILL "$RESP_PID" 2>/dev/null
fi
wait "$RESP_PID"
t_eq "exit status" "$?" 0
t_le "ms to stop" $(($(now_ms) - t0)) 3000
RESP_PID=
t_end

t_begin "units: lighttpd answers 503, not 200/401, while the service is down"
http GET "$API/health"
t_match status "$STATUS" '^5[0-9][0-9]$'
t_end

t_begin "units: the service back on the same socket -> 200 without restarting lighttpd"
spawn_unit || t_fail "no socket; log: $(tail -n 3 "$RESP_LOG")"
ok200=0
for i in $(seq 1 20); do
	http GET "$API/health"
	[ "$STATUS" = 200 ] && { ok200=1; break; }
	sleep 0.25
done
t_eq "a 200 within 5 s" "$ok200" 1
t_end
kill -TERM "$RESP_PID" 2>/dev/null
wait "$RESP_PID" 2>/dev/null
RESP_PID=

t_begin "units: a bad config stops the start (exit 1, file:line: key in the log)"
printf 'no_such_key = 1\n' >"$CREDDIR/bad.conf"
chmod 0644 "$CREDDIR/bad.conf"
: >"$T/bad.log"
RESP_LOG_SAVE=$RESP_LOG
RESP_LOG=$T/bad.log
if spawn_unit "AUTENTICACAO_CONF=$CREDDIR/bad.conf"; then
	for i in $(seq 1 100); do
		kill -0 "$RESP_PID" 2>/dev/null || break
		sleep 0.05
	done
fi
if kill -0 "$RESP_PID" 2>/dev/null; then
	t_fail "still running with a bad config"
	kill -KILL "$RESP_PID" 2>/dev/null
fi
wait "$RESP_PID"
t_eq "exit status" "$?" 1
t_match "message" "$(cat "$T/bad.log")" 'bad\.conf:1: no_such_key'
RESP_LOG=$RESP_LOG_SAVE
RESP_PID=
t_end
lighttpd_stop

# ------------------------------------------------ without systemd

# The line the recipes give for hosts without systemd (README,
# conf/nginx-auth-request.conf), with this test's paths and the user
# "autenticacao" played by nobody:
#
#   AUTENTICACAO_CONF=/usr/local/etc/autenticacao.conf \
#   spawn-fcgi -s /run/autenticacao/autenticacao.sock -M 0660 \
#       -u autenticacao -g autenticacao -U www-data -G www-data \
#       -- /usr/local/lib/autenticacao/autenticacao.fcgi
#
# spawn-fcgi forks the responder and exits; -P records its pid here.
t_begin "spawn-fcgi (no systemd): the documented line starts a responder, socket www-data 0660"
if [ "$ROOT" != 1 ]; then
	t_fail "not root: -u/-U/-G need root (run the suite as root)"
else
	PLAIN_SOCK=$RUNDIR/plain.sock
	AUTENTICACAO_CONF=$CREDDIR/${CRED%%:*} \
	spawn-fcgi -s "$PLAIN_SOCK" -M 0660 \
	    -u "$RUN_USER" -g "$RUN_GROUP" -U "$WEB_USER" -G "$WEB_USER" \
	    -P "$T/plain.pid" \
	    -- "$RESP_BIN" </dev/null >"$T/plain.out" 2>&1
	t_eq "spawn-fcgi exit" "$?" 0
	PLAIN_PID=$(cat "$T/plain.pid" 2>/dev/null)
	if [ -n "$PLAIN_PID" ]; then
		BG_PIDS+=("$PLAIN_PID")
		t_eq "responder user" "$(ps -o user= -p "$PLAIN_PID")" "$RUN_USER"
	else
		t_fail "no pid file: $(cat "$T/plain.out")"
	fi
	t_eq "socket owner" "$(stat -c %U:%G "$PLAIN_SOCK" 2>/dev/null)" "$WEB_USER:$WEB_USER"
	t_eq "socket mode" "$(stat -c %a "$PLAIN_SOCK" 2>/dev/null)" 660
fi
t_end

t_begin "spawn-fcgi (no systemd): lighttpd as www-data -> login and session 200"
if [ "$ROOT" != 1 ]; then
	t_fail "not root"
elif ! lt_socket_start "$PLAIN_SOCK"; then
	t_fail "lighttpd did not start: $(tail -n 3 "$T/lt/error.log")"
else
	http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
	t_eq login "$STATUS" 200
	take_tokens
	http GET "$API/session" "" -H "Authorization: $AUTH"
	t_eq session "$STATUS" 200
fi
t_end
if [ -n "${PLAIN_PID:-}" ]; then
	kill -TERM "$PLAIN_PID" 2>/dev/null
	for i in $(seq 1 100); do kill -0 "$PLAIN_PID" 2>/dev/null || break; sleep 0.05; done
fi

t_begin "units: no sanitizer report in the responders' logs"
for f in "$RESP_LOG" "$T/plain.out"; do
	[ -f "$f" ] || continue
	if grep -Eq "$SAN_PATTERN" "$f"; then
		t_fail "$f: $(grep -Em1 "$SAN_PATTERN" "$f")"
	fi
done
t_end

done_testing
