#!/bin/sh
# shellcheck disable=SC2317 # cleanup and its helpers run from traps
# scripts/run.sh - `make run`: a working autenticacao on http://localhost:5000.
#
# Starts, all under $BUILD/run (wiped first; default build/run):
#   - a private redis-server on a unix socket in the run dir (TCP on a free
#     loopback port if the path is too long), nothing saved to disk;
#   - a service config: conf/autenticacao.conf pointed at that Redis;
#   - the demo user seu_usuario / sua_senha (the seed page's example);
#   - lighttpd with conf/lighttpd.conf on 127.0.0.1:5000 (AUT_PORT to change
#     it), running $BUILD/autenticacao.fcgi.
# Then it logs in once, checks the seed's refresh-session example with that
# session, prints both as ready-to-paste curl lines and waits.  Ctrl-C (or
# SIGTERM/SIGHUP) stops lighttpd, its workers and Redis and exits 0.
#
# Exit status: 0 stopped by a signal, 1 could not start (or lighttpd died).

set -u

# lighttpd lives in /usr/sbin, which a non-root PATH often lacks.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RUN=$BUILD/run
PORT=${AUT_PORT:-5000}
DEMO_USER=seu_usuario
DEMO_PASS=sua_senha
URL=http://localhost:$PORT/api/v1/autenticacao	# as printed (the seed's)
LOCAL=http://127.0.0.1:$PORT/api/v1/autenticacao	# our own checks

LPID=''
RPID=''
REDIS_SOCK=''
REDIS_PORT=''

say() { printf '%s\n' "$*"; }
die() { printf 'make run: %s\n' "$*" >&2; exit 1; }

# rel PATH: PATH relative to the repository when inside it, for messages.
rel() { case $1 in "$ROOT"/*) printf '%s' "${1#"$ROOT"/}" ;; *) printf '%s' "$1" ;; esac; }

# listening PORT: true if some socket listens on TCP PORT on any address.
listening() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$(printf ':%04X' "$1")" '
		$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
		END { exit !found }'
}

# cmdline_has PID WORD: true if process PID is alive and WORD is in its
# command line (so that a recorded pid is only trusted while it is ours).
cmdline_has() {
	[ -r "/proc/$1/cmdline" ] &&
	    tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

# ours PID: true if process PID belongs to a run in $RUN: redis-server
# works in it (--dir), lighttpd has AUT_DIR=$RUN in its environment.  A
# recorded pid may have been reused by anyone since.
ours() {
	[ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$RUN" ] ||
	    tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "AUT_DIR=$RUN"
}

rcli() {
	if [ -n "$REDIS_SOCK" ]; then
		redis-cli -s "$REDIS_SOCK" "$@"
	else
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
	fi
}

# reap PID: up to 5 s for it to end, then SIGKILL; waits for it.
reap() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# cleanup: stop what this script started, lighttpd (and so its workers)
# first, then Redis.  Safe to call twice.
cleanup() {
	if [ -n "$LPID" ]; then
		kill -TERM "$LPID" 2>/dev/null
		reap "$LPID"
		LPID=''
	fi
	# No signal for Redis: after a Ctrl-C it is already shutting down,
	# and a second signal makes it exit at once, leaving its socket.
	if [ -n "$RPID" ]; then
		rcli SHUTDOWN NOSAVE >/dev/null 2>&1
		reap "$RPID"
		RPID=''
	fi
	rm -f "$RUN/run.pid"
}

# show_log: the end of the logs, after a failure.
show_log() {
	for f in "$RUN/error.log" "$RUN/redis.log"; do
		[ -s "$f" ] || continue
		printf -- '--- last lines of %s\n' "$(rel "$f")" >&2
		tail -n 20 "$f" >&2
	done
}

# ------------------------------------------------------------ checks

for c in redis-server redis-cli lighttpd curl jq; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found (make deps installs it)"
done
for b in autenticacao.fcgi autenticacao-admin; do
	[ -x "$BUILD/$b" ] || die "$(rel "$BUILD/$b") is missing: run make first"
done

# Another `make run` still using this run dir, or leftovers of one that was
# killed without its cleanup.
if [ -r "$RUN/run.pid" ]; then
	p=$(cat "$RUN/run.pid")
	if cmdline_has "$p" run.sh; then
		die "another make run (pid $p) is using $(rel "$RUN"): stop it first"
	fi
	for f in lighttpd redis-server; do
		[ -r "$RUN/$f.pid" ] || continue
		p=$(cat "$RUN/$f.pid")
		if cmdline_has "$p" "$f" && ours "$p"; then
			say "stopping $f (pid $p) left by an earlier make run"
			kill -TERM "$p" 2>/dev/null
			sleep 1
		fi
	done
fi

if listening "$PORT"; then
	die "port $PORT is busy: something already listens on it; stop it (or choose another port: make run AUT_PORT=5001)"
fi

rm -rf "$RUN"
mkdir -p "$RUN/htdocs" || die "cannot create $(rel "$RUN")"
echo $$ >"$RUN/run.pid"

trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM HUP

# ------------------------------------------------------------ redis

# A unix socket path has to fit in sun_path (108 bytes with the NUL).
if [ ${#RUN} -le 90 ]; then
	REDIS_SOCK=$RUN/redis.sock
	set -- --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700
else
	REDIS_PORT=16379
	while listening "$REDIS_PORT"; do REDIS_PORT=$((REDIS_PORT + 1)); done
	set -- --port "$REDIS_PORT" --bind 127.0.0.1
fi
redis-server "$@" --save '' --appendonly no --dir "$RUN" \
    --daemonize no --logfile "$RUN/redis.log" >/dev/null 2>&1 &
RPID=$!
echo "$RPID" >"$RUN/redis-server.pid"
i=0
until [ "$(rcli PING 2>/dev/null)" = PONG ]; do
	if ! kill -0 "$RPID" 2>/dev/null || [ "$i" -ge 100 ]; then
		show_log
		die "redis-server did not start"
	fi
	sleep 0.1
	i=$((i + 1))
done

# ------------------------------------------------------------ config, user

CONF=$RUN/autenticacao.conf
{
	if [ -r "$ROOT/conf/autenticacao.conf" ]; then
		# Every setting as shipped, less the Redis connection (each key
		# may appear only once).
		sed -E '/^[[:space:]]*(redis_host|redis_port|redis_socket|redis_password|redis_username)[[:space:]]*=/d' \
		    "$ROOT/conf/autenticacao.conf"
	fi
	echo
	echo "# make run: the private redis-server of this run"
	if [ -n "$REDIS_SOCK" ]; then
		echo "redis_socket = $REDIS_SOCK"
	else
		echo "redis_host = 127.0.0.1"
		echo "redis_port = $REDIS_PORT"
	fi
} >"$CONF"
chmod 600 "$CONF"

printf '%s\n' "$DEMO_PASS" |
    "$BUILD/autenticacao-admin" -c "$CONF" useradd "$DEMO_USER" ||
    die "could not create the demo user (autenticacao-admin useradd failed)"

# ------------------------------------------------------------ lighttpd

# The responder's stderr is lighttpd's stderr (see conf/lighttpd.conf), so
# both go to error.log.
AUT_PORT=$PORT AUT_BIN=$BUILD/autenticacao.fcgi AUT_CONF=$CONF AUT_DIR=$RUN \
    lighttpd -D -f "$ROOT/conf/lighttpd.conf" </dev/null >>"$RUN/error.log" 2>&1 &
LPID=$!
echo "$LPID" >"$RUN/lighttpd.pid"
i=0
code=000
while :; do
	code=$(curl -s -o "$RUN/health.json" -w '%{http_code}' --max-time 2 \
	    "$LOCAL/health" 2>/dev/null)
	[ "$code" = 200 ] && break
	if ! kill -0 "$LPID" 2>/dev/null; then
		show_log
		die "lighttpd stopped at start"
	fi
	if [ "$i" -ge 100 ]; then
		show_log
		die "no 200 from $LOCAL/health after 10 s (last status $code: $(cat "$RUN/health.json" 2>/dev/null))"
	fi
	sleep 0.1
	i=$((i + 1))
done
rm -f "$RUN/health.json"

# ------------------------------------------------------------ a session

login_body=$(printf '{"username": "%s", "password": "%s"}' "$DEMO_USER" "$DEMO_PASS")
out=$(curl -s -X POST "$LOCAL/login" -H "Content-Type: application/json" \
    -d "$login_body")
sid=$(printf '%s' "$out" | jq -r '.data.sessionId // empty' 2>/dev/null)
if [ -z "$sid" ]; then
	show_log
	die "the demo login failed: $out"
fi

# The seed page's request, byte for byte, with the live sessionId; run once
# here so that the printed line is known to work.
refresh_body=$(printf '{\n    "sessionId": "%s",\n    "username": "%s",\n    "password": "%s"\n  }' \
    "$sid" "$DEMO_USER" "$DEMO_PASS")
out=$(curl -s -X POST "$URL/refresh-session" -H "Content-Type: application/json" \
    -d "$refresh_body")
if [ "$(printf '%s' "$out" | jq -r '.data.sessionId // empty' 2>/dev/null)" != "$sid" ]; then
	show_log
	die "the seed's refresh-session example failed: $out"
fi

cat <<EOF

autenticacao is running on http://localhost:$PORT/api/v1/autenticacao/  (Ctrl-C stops it)
  demo user   $DEMO_USER / $DEMO_PASS
  responder   $(rel "$BUILD/autenticacao.fcgi"), 2 workers under lighttpd (conf/lighttpd.conf)
  redis       private redis-server, $(if [ -n "$REDIS_SOCK" ]; then rel "$REDIS_SOCK"; else echo "127.0.0.1:$REDIS_PORT"; fi), nothing saved
  config      $(rel "$CONF")
  logs        $(rel "$RUN/error.log") (lighttpd and responder), $(rel "$RUN/redis.log")
  admin       $(rel "$BUILD/autenticacao-admin") -c $(rel "$CONF") list

Log in (each login opens a new session):

curl -X POST $URL/login \\
  -H "Content-Type: application/json" \\
  -d '$login_body'

Refresh session $sid (the seed page's example, sessionId from a login just made):

curl -X POST $URL/refresh-session \\
  -H "Content-Type: application/json" \\
  -d '$refresh_body'

EOF

# ------------------------------------------------------------ wait

# A signal interrupts wait and runs the trap (cleanup, exit 0).
status=0
while kill -0 "$LPID" 2>/dev/null; do
	wait "$LPID"
	status=$?
done
LPID=''
show_log
die "lighttpd stopped by itself (status $status)"
