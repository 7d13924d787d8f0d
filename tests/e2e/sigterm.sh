# SIGTERM to a FastCGI worker (what lighttpd, spawn-fcgi's supervisors,
# systemd and mod_fcgid send) ends it after the request in hand: a
# request whose body is still arriving when the signal comes is answered
# in full, then the worker exits 0.  An idle worker exits at once.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi

redis_start || exit 1
conf_write
user_add sig sig-pw
SOCK=$T/w.sock

# worker_start: one responder on $SOCK, pid in WPID.
worker_start() {
	rm -f "$SOCK"
	spawn-fcgi -n -s "$SOCK" -- /usr/bin/env AUTENTICACAO_CONF="$CONF" \
	    "$BUILD/autenticacao.fcgi" </dev/null >/dev/null 2>>"$T/worker.err" &
	WPID=$!
	for _ in $(seq 1 50); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	return 1
}

# worker_gone: wait up to 3 s for the worker to exit; its status in WRC.
worker_gone() {
	local i
	for i in $(seq 1 60); do
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$WPID" 2>/dev/null; then
		kill -9 "$WPID" 2>/dev/null
		WRC=timeout
	else
		wait "$WPID"
		WRC=$?
	fi
}

BODY_LOGIN='{"username":"sig","password":"sig-pw"}'
t_begin "SIGTERM while a request body is still arriving: that request is answered 200"
if worker_start; then
	( (sleep 0.6; printf '%s' "$BODY_LOGIN") | env -i REQUEST_METHOD=POST \
	    SCRIPT_NAME=/api/v1/autenticacao/login CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=${#BODY_LOGIN} REMOTE_ADDR=127.0.0.1 \
	    timeout 10 cgi-fcgi -bind -connect "$SOCK" >"$T/out" 2>/dev/null ) &
	client=$!
	sleep 0.3
	kill -TERM "$WPID"
	wait "$client"
	t_match "answer" "$(head -n 1 "$T/out" | tr -d '\r')" '^Status: 200 OK$'
	t_match "body" "$(tail -n 1 "$T/out")" '"success":true'
else
	t_fail "worker did not start"
fi
t_end
t_begin "after that request the worker exits 0"
worker_gone
t_eq "exit status" "$WRC" 0
t_end

t_begin "SIGTERM to an idle worker: it exits 0 at once"
if worker_start; then
	# One request first, so the worker is past its start-up.
	env -i REQUEST_METHOD=GET SCRIPT_NAME=/api/v1/autenticacao/health \
	    timeout 10 cgi-fcgi -bind -connect "$SOCK" >"$T/health" 2>/dev/null
	t_match "health first" "$(head -n 1 "$T/health" | tr -d '\r')" '^Status: 200 OK$'
	kill -TERM "$WPID"
	worker_gone
	t_eq "exit status" "$WRC" 0
else
	t_fail "worker did not start"
fi
t_end
t_begin "no sanitizer report from the workers"
if grep -Eq "$SAN_PATTERN" "$T/worker.err" 2>/dev/null; then
	t_fail "$(grep -Em1 "$SAN_PATTERN" "$T/worker.err")"
fi
t_end
done_testing
