# Where a FastCGI responder's config comes from: its own environment
# (AUTENTICACAO_CONF) or the compiled-in path, never a request.  A
# FastCGI param is whatever the peer on the socket sends, so a request
# that names another config (pointing at another Redis or key_prefix)
# must not change what the responder answers, first request or not.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi

redis_start || exit 1
conf_write
user_add alice alice-pw
# The config a hostile peer would like the worker to use: the same Redis
# under another key_prefix, where it has made its own user.
conf_write "$T/evil.conf" "key_prefix=evil$RANDOM:"
CONF=$T/evil.conf user_add mallory mallory-pw
SOCK=$T/w.sock
BODY_ALICE='{"username":"alice","password":"alice-pw"}'
BODY_MALLORY='{"username":"mallory","password":"mallory-pw"}'

# worker_start ENV...: one responder on $SOCK under spawn-fcgi with only
# ENV in its environment; pid in WPID.
worker_start() {
	rm -f "$SOCK"
	spawn-fcgi -n -s "$SOCK" -- /usr/bin/env -i "$@" \
	    "$BUILD/autenticacao.fcgi" </dev/null >/dev/null 2>>"$T/worker.err" &
	WPID=$!
	BG_PIDS+=("$WPID")
	for _ in $(seq 1 50); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	return 1
}

# fcgi_login BODY PARAM...: POST /login over $SOCK with the extra
# FastCGI params PARAM (NAME=VALUE); the answer's status line in FSTATUS.
fcgi_login() {
	local body=$1
	shift
	printf '%s' "$body" | env -i REQUEST_METHOD=POST \
	    SCRIPT_NAME=/api/v1/autenticacao/login CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=${#body} REMOTE_ADDR=127.0.0.1 "$@" \
	    timeout 10 cgi-fcgi -bind -connect "$SOCK" >"$T/out" 2>/dev/null
	FSTATUS=$(head -n 1 "$T/out" | tr -d '\r')
}

t_begin "a first request naming another config: the worker keeps its own"
if worker_start "AUTENTICACAO_CONF=$CONF"; then
	fcgi_login "$BODY_MALLORY" "AUTENTICACAO_CONF=$T/evil.conf"
	t_eq "mallory (only in the other config)" "$FSTATUS" "Status: 401 Unauthorized"
	fcgi_login "$BODY_ALICE" "AUTENTICACAO_CONF=$T/evil.conf"
	t_eq "alice (in the worker's config)" "$FSTATUS" "Status: 200 OK"
	t_match "alice's session under the worker's prefix" \
	    "$(rcli KEYS "${PREFIX}session:*" | wc -l)" '^[1-9]'
else
	t_fail "worker did not start"
fi
t_end
kill -TERM "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null

t_begin "a worker whose own config cannot be read stops at start, whatever a request names"
# No AUTENTICACAO_CONF and a compiled-in path that does not exist here
# (unless this machine has one, then the worker runs on it: still never on
# the request's).
def=/usr/local/etc/autenticacao/autenticacao.conf
: >"$T/worker.err"
if worker_start "PATH=/usr/bin:/bin"; then
	fcgi_login "$BODY_MALLORY" "AUTENTICACAO_CONF=$T/evil.conf"
	t_ne "mallory" "$FSTATUS" "Status: 200 OK"
	if [ ! -e "$def" ]; then
		for _ in $(seq 1 60); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.05; done
		if kill -0 "$WPID" 2>/dev/null; then
			t_fail "still running without a config"
		else
			wait "$WPID"
			t_eq "exit status" "$?" 1
		fi
		t_match "log" "$(cat "$T/worker.err")" "$def"
	fi
else
	# spawn-fcgi may see the worker exit before the socket shows.
	t_match "log" "$(cat "$T/worker.err")" "$def"
fi
t_end
kill -KILL "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null

t_begin "no sanitizer report from the workers"
if grep -Eq "$SAN_PATTERN" "$T/worker.err" 2>/dev/null; then
	t_fail "$(grep -Em1 "$SAN_PATTERN" "$T/worker.err")"
fi
t_end
done_testing
