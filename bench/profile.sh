#!/usr/bin/env bash
# bench/profile.sh - what one request costs the responder, by request type,
# at the cheap scrypt cost (N=1024, r=1, p=1) where the service's own
# overhead is visible: system calls (strace -c), Redis round trips (INFO
# total_reads_processed) and instructions (valgrind's callgrind, which
# counts the same for the same binary whatever else the machine does).
#
#   make profile                    PROFILE_REQUESTS=20 by default
#   BUILD=build bash bench/profile.sh [N]
#
# Two lighttpd servers share one private redis-server: the measured one has
# ONE responder process, the other (plain responder) makes the sessions the
# measured requests need, so a measured process serves nothing but the
# requests of the type measured.  System calls and round trips are counted
# over N requests of a warmed-up process.  Instructions are the marginal
# cost: callgrind runs the process once for N and once for 2N requests, and
# the difference divided by N drops start-up, config and the first
# connection; the functions that take most of it are listed.  A report goes
# to stdout and to bench/results/profile.txt.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/${BUILD:-build}
N=${1:-${PROFILE_REQUESTS:-20}}
API=/api/v1/autenticacao
PW=profile-password-0123
USER_NAME=profile-user
OUT=$ROOT/bench/results/profile.txt
TYPES="login refresh-session refresh-token session"

case $N in ''|*[!0-9]*) echo "profile: N must be a number" >&2; exit 2 ;; esac
[ "$N" -ge 2 ] && [ "$N" -le 30 ] ||
	{ echo "profile: N must be 2..30 (2N rotations of one session: at most 64 without a password)" >&2; exit 2; }
for p in "$BIN/autenticacao.fcgi" "$BIN/autenticacao-admin"; do
	[ -x "$p" ] || { echo "profile: $p is missing (make)" >&2; exit 1; }
done
for c in strace valgrind callgrind_annotate redis-server redis-cli curl jq; do
	command -v "$c" >/dev/null || { echo "profile: $c is missing (make deps)" >&2; exit 1; }
done
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)

W=$(mktemp -d "${TMPDIR:-/tmp}/aut-profile.XXXXXX") || exit 1
REDIS_PID= PID_A= PID_B=
cleanup() {
	lighttpd_stop A
	lighttpd_stop B
	[ -n "$REDIS_PID" ] && { kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { printf 'profile: [%4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'profile: %s\n' "$*" >&2; exit 1; }
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# ---- servers ----

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$W" --logfile "$W/redis.log" >/dev/null 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$RPORT" ping >/dev/null 2>&1 || die "redis-server did not start"

cat >"$W/aut.conf" <<EOF
redis_host = 127.0.0.1
redis_port = $RPORT
key_prefix = profile:
scrypt_n = 1024
scrypt_r = 1
scrypt_p = 1
max_failures = 1000000
password_checks = 0
EOF
printf '%s\n' "$PW" | AUTENTICACAO_CONF=$W/aut.conf "$BIN/autenticacao-admin" \
    useradd "$USER_NAME" >/dev/null || die "useradd failed"

PORT_A=$(free_port)
PORT_B=$(free_port)

# lighttpd_start A|B [WRAPPER]: lighttpd on PORT_A or PORT_B with one
# responder process, run through WRAPPER (a script that execs its
# arguments) when given.
lighttpd_start() {
	local s=$1 wrap=${2:-} port bin pid
	eval "port=\$PORT_$s"
	bin=$BIN/autenticacao.fcgi
	if [ -n "$wrap" ]; then
		printf '#!/bin/sh\nexec %s "%s"\n' "$wrap" "$bin" >"$W/wrap-$s.sh"
		chmod +x "$W/wrap-$s.sh"
		bin=$W/wrap-$s.sh
	fi
	cat >"$W/lighttpd-$s.conf" <<EOF
server.modules += ( "mod_fastcgi" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$W"
server.errorlog = "$W/lighttpd-$s.log"
fastcgi.server = ( "$API/" => ((
	"socket" => "$W/aut-$s.sock", "bin-path" => "$bin",
	"bin-environment" => ( "AUTENTICACAO_CONF" => "$W/aut.conf" ),
	"check-local" => "disable", "max-procs" => 1 )) )
EOF
	"$LIGHTTPD" -D -f "$W/lighttpd-$s.conf" >>"$W/lighttpd-$s.out" 2>&1 &
	pid=$!
	eval "PID_$s=$pid"
	for _ in $(seq 300); do
		curl -s -o /dev/null "http://127.0.0.1:$port$API/health" && return 0
		sleep 0.1
	done
	die "lighttpd $s did not start: $(tail -n 3 "$W/lighttpd-$s.log" 2>/dev/null)"
}
lighttpd_stop() {
	local s=$1 pid kids p
	eval "pid=\${PID_$s:-}"
	[ -n "$pid" ] || return 0
	kids=$(pgrep -P "$pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "PID_$s="
	for _ in $(seq 300); do
		for p in $kids; do kill -0 "$p" 2>/dev/null && break; p=; done
		[ -z "${p:-}" ] && return 0
		sleep 0.1
	done
	for p in $kids; do kill -KILL "$p" 2>/dev/null; done
}
responder_pid() { local pid; eval "pid=\$PID_$1"; pgrep -P "$pid" | head -n 1; }

# ---- requests ----

post() { curl -s -H 'Content-Type: application/json' --data-binary "$2" "http://127.0.0.1:$1$API/$3"; }
login_body() { printf '{"username":"%s","password":"%s"}' "$USER_NAME" "$PW"; }
# setup TYPE: what TYPE's requests need, made through lighttpd B.
setup() {
	case $1 in
	login) : ;;
	*) post "$PORT_B" "$(login_body)" login >"$W/setup.json" ;;
	esac
}
field() { jq -r ".data.$1 // empty" "$W/setup.json"; }
# requests TYPE N: N requests of TYPE to lighttpd A, one after another;
# fails unless every one answers 200.
requests() {
	local t=$1 n=$2 i sid rt auth body code
	sid=$(field sessionId) rt=$(field refreshToken) auth=$(field authorization)
	for i in $(seq "$n"); do
		case $t in
		login) code=$(curl -s -o "$W/r.json" -w '%{http_code}' -H 'Content-Type: application/json' \
			--data-binary "$(login_body)" "http://127.0.0.1:$PORT_A$API/login") ;;
		refresh-session)
			body=$(printf '{"sessionId":"%s","username":"%s","password":"%s"}' "$sid" "$USER_NAME" "$PW")
			code=$(curl -s -o "$W/r.json" -w '%{http_code}' -H 'Content-Type: application/json' \
			    --data-binary "$body" "http://127.0.0.1:$PORT_A$API/refresh-session") ;;
		refresh-token)
			body=$(printf '{"sessionId":"%s","refreshToken":"%s"}' "$sid" "$rt")
			code=$(curl -s -o "$W/r.json" -w '%{http_code}' -H 'Content-Type: application/json' \
			    --data-binary "$body" "http://127.0.0.1:$PORT_A$API/refresh-token")
			rt=$(jq -r '.data.refreshToken // empty' "$W/r.json") ;;
		session) code=$(curl -s -o "$W/r.json" -w '%{http_code}' -H "Authorization: $auth" \
			"http://127.0.0.1:$PORT_A$API/session") ;;
		esac
		[ "$code" = 200 ] || { say "$t request $i answered $code: $(cat "$W/r.json")"; return 1; }
	done
}
redis_reads() { redis-cli -p "$RPORT" INFO stats | tr -d '\r' | sed -n 's/^total_reads_processed://p'; }
# One INFO costs Redis two reads (its command and redis-cli's close).
SNAP_READS=2

# ---- system calls and round trips ----

say "system calls and Redis round trips, $N requests of each type, one warmed-up responder"
lighttpd_start A
lighttpd_start B
: >"$W/syscalls.txt"
for t in $TYPES; do
	setup "$t"
	requests "$t" 2 || die "$t failed"	# warm: connection, scripts loaded
	setup "$t"
	pid=$(responder_pid A)
	strace -c -f -qq -o "$W/strace-$t.txt" -p "$pid" &
	spid=$!
	sleep 0.5
	r0=$(redis_reads)
	requests "$t" "$N" || die "$t failed"
	r1=$(redis_reads)
	kill -INT "$spid"
	wait "$spid" 2>/dev/null
	rt=$(awk -v a="$r0" -v b="$r1" -v n="$N" -v s="$SNAP_READS" 'BEGIN { printf "%.2f", (b - a - s) / n }')
	# strace -c: "% time seconds usecs/call calls [errors] syscall"
	calls=$(awk -v n="$N" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%.1f %s\n", $4 / n, $NF }' \
	    "$W/strace-$t.txt" | sort -rn -k1,1 | awk '{ printf " %s=%s", $2, $1 }')
	awk -v n="$N" -v t="$t" -v rt="$rt" -v calls="$calls" '
		$1 ~ /^[0-9.]+$/ && $NF != "total" { tot += $4 }
		END { printf "%-16s %6.1f syscalls  %5s Redis round trips  |%s\n", t, tot / n, rt, calls }' \
	    "$W/strace-$t.txt" >>"$W/syscalls.txt"
	say "$(tail -n 1 "$W/syscalls.txt" | cut -c1-70)"
done
lighttpd_stop A

# ---- instructions ----

# callgrind_run TYPE N: Ir of one responder process that served N TYPE
# requests (start-up and exit included), and its per-function file.
callgrind_run() {
	local t=$1 n=$2 f
	rm -f "$W"/cg.out.*
	lighttpd_start A "valgrind --tool=callgrind --callgrind-out-file=$W/cg.out.%p"
	setup "$t"
	requests "$t" "$n" || die "$t failed under callgrind"
	lighttpd_stop A
	for _ in $(seq 100); do
		f=$(ls "$W"/cg.out.* 2>/dev/null | head -n 1)
		[ -n "$f" ] && grep -q '^totals:' "$f" && break
		sleep 0.1
	done
	[ -n "$f" ] || die "callgrind wrote nothing for $t"
	# "1,234 (5.67%)  ./dir/file.c:function [/usr/lib/libx.so.1]" lines,
	# summed per function and object ("function (libx.so.1)")
	callgrind_annotate --auto=no --threshold=100 "$f" 2>/dev/null |
	    sed -n 's/^ *\([0-9,]*[0-9]\) *([^)]*) *\(.*:.*\)$/\1\t\2/p' |
	    awk -F'\t' '{
		v = $1; gsub(",", "", v); fn = $2; obj = ""
		if ((i = index(fn, " [")) > 0) {
			obj = substr(fn, i + 2); sub(/\]$/, "", obj); sub(/.*\//, "", obj)
			fn = substr(fn, 1, i - 1)
		}
		sub(/.*:/, "", fn)
		k = obj == "" ? fn : fn " (" obj ")"
		s[k] += v
	    } END { for (k in s) print s[k] "\t" k }' >"$W/fn-$t-$n.tsv"
	sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f"
	rm -f "$f"
}

say "instructions: callgrind, $N and $((2 * N)) requests of each type"
: >"$W/instr.txt"
for t in $TYPES; do
	a=$(callgrind_run "$t" "$N")
	b=$(callgrind_run "$t" $((2 * N)))
	awk -v a="$a" -v b="$b" -v n="$N" -v t="$t" \
	    'BEGIN { printf "%-16s %10.0f instructions per request\n", t, (b - a) / n }' >>"$W/instr.txt"
	# the functions that take most of the marginal cost
	awk -F'\t' -v n="$N" '
		FNR == NR { a[$2] = $1; next }
		{ d = ($1 - a[$2]) / n; if (d > 0) print d "\t" $2 }' \
	    "$W/fn-$t-$N.tsv" "$W/fn-$t-$((2 * N)).tsv" | sort -rn | head -n 8 |
	    awk -F'\t' '{ printf "    %10.0f  %s\n", $1, $2 }' >>"$W/instr.txt"
	say "$(grep "^$t " "$W/instr.txt")"
done

{
	echo "# bench/profile.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
	echo "# scrypt N=1024 r=1 p=1, one responder behind lighttpd, $N requests per type"
	echo
	echo "## system calls and Redis round trips per request (by call)"
	cat "$W/syscalls.txt"
	echo
	echo "## instructions per request (callgrind: ($((2 * N)) requests - $N requests) / $N), top functions (exclusive)"
	cat "$W/instr.txt"
} | tee "$OUT"
