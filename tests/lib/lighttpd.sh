# tests/lib/lighttpd.sh - a real lighttpd in front of the responder: start
# it on a free port with the shipped conf/lighttpd.conf, stop it, list its
# FastCGI workers, and check its error log.  Requests go through it with
# tests/lib/http.sh.  A script that starts its own web server may set
# LIGHTTPD_PID (and LIGHTTPD_LOG) so that lighttpd_stop and the EXIT trap
# stop it.

LIGHTTPD_PID=

# lighttpd_start: a real lighttpd on a free loopback port serving the
# responder under /api/v1/autenticacao/ with AUTENTICACAO_CONF=$CONF.
# Uses the shipped conf/lighttpd.conf (the recipe `make run` uses; it reads
# AUT_PORT, AUT_BIN, AUT_CONF, AUT_DIR through env.NAME) unless
# AUT_OWN_LIGHTTPD_CONF=1, else a config written here.  The responder's
# stderr is lighttpd's, appended to the error log like `make run` does.
# Sets HTTP_PORT, BASE, LIGHTTPD_LOG.
lighttpd_start() {
	local i dir=$T/lt
	HTTP_PORT=$(free_port) || return 1
	BASE=http://127.0.0.1:$HTTP_PORT
	mkdir -p "$dir/htdocs"
	LIGHTTPD_LOG=$dir/error.log
	: >>"$LIGHTTPD_LOG"
	if [ -f "$ROOT_DIR/conf/lighttpd.conf" ] && [ "${AUT_OWN_LIGHTTPD_CONF:-0}" != 1 ]; then
		LIGHTTPD_CONF=$ROOT_DIR/conf/lighttpd.conf
		LIGHTTPD_SHIPPED=1
	else
		LIGHTTPD_CONF=$T/lighttpd.conf
		LIGHTTPD_SHIPPED=0
		cat >"$LIGHTTPD_CONF" <<EOF
server.modules += ( "mod_fastcgi" )
server.document-root = "$dir/htdocs"
server.port = $HTTP_PORT
server.bind = "127.0.0.1"
server.errorlog = "$LIGHTTPD_LOG"
fastcgi.server = ( "/api/v1/autenticacao/" => ((
	"bin-path" => "$BUILD/autenticacao.fcgi",
	"socket" => "$dir/autenticacao.sock",
	"check-local" => "disable",
	"max-procs" => 2,
	"bin-environment" => ( "AUTENTICACAO_CONF" => "$CONF" )
)))
EOF
	fi
	# Disowned like Redis: a bare `wait` in a test must not wait for it.
	AUT_PORT=$HTTP_PORT AUT_BIN=$BUILD/autenticacao.fcgi AUT_CONF=$CONF \
	AUT_DIR=$dir lighttpd -D -f "$LIGHTTPD_CONF" </dev/null >>"$LIGHTTPD_LOG" 2>&1 &
	LIGHTTPD_PID=$!
	disown "$LIGHTTPD_PID"
	for i in $(seq 1 100); do
		if port_busy "$HTTP_PORT"; then return 0; fi
		kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "lighttpd_start: lighttpd did not listen on $HTTP_PORT" >&2
	cat "$LIGHTTPD_LOG" >&2
	LIGHTTPD_PID=
	return 1
}

lighttpd_stop() {
	local i
	[ -n "$LIGHTTPD_PID" ] || return 0
	kill "$LIGHTTPD_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$LIGHTTPD_PID" 2>/dev/null; then
		kill -9 "$LIGHTTPD_PID" 2>/dev/null
		sleep 0.1
	fi
	LIGHTTPD_PID=
}

# fcgi_workers: the pids of the processes lighttpd runs (its FastCGI
# workers), sorted, on one line.
fcgi_workers() {
	[ -n "$LIGHTTPD_PID" ] || return 0
	ps -o pid= --ppid "$LIGHTTPD_PID" 2>/dev/null | tr -d ' ' | sort -n | tr '\n' ' ' |
	    sed 's/ $//'
}

# t_lighttpd_clean: no sanitizer report in lighttpd's error log (where the
# responder's stderr goes).
t_lighttpd_clean() {
	if grep -Eq "$SAN_PATTERN" "$LIGHTTPD_LOG" 2>/dev/null; then
		t_fail "sanitizer report in lighttpd error log: $(grep -Em1 "$SAN_PATTERN" "$LIGHTTPD_LOG")"
	fi
}
