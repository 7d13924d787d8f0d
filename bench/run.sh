#!/usr/bin/env bash
# bench/run.sh - `make bench`: the service under load, side by side with
# the ceilings it cannot pass, on one machine in one run.
#
#	BUILD=build bash bench/run.sh
#
# Starts a private redis-server and lighttpd on loopback (nothing else is
# touched), with PROCS responder processes (default: the number of
# cores), seeds users and sessions through the service itself, and drives
# each case with wrk and a Lua script of bench/wrk/ that rotates over real
# sessions.  Cases, each at concurrency 4 and 64:
#
#   hello, hello-redis   ceilings: bench_hello (reads the body, fixed JSON;
#                        then the same with one Redis round trip)
#   login, refresh-session
#                        at a cheap scrypt cost (N=1024 r=1 p=1: the
#                        service's own overhead) and at the configured one
#   refresh-token, session, authorizer (lighttpd's FastCGI authorizer in
#                        front of a static file)
#   session (metrics)    GET /session of responders with metrics = on
#                        (mounted under /m/), interleaved with the others:
#                        the same Redis round trips, throughput within
#                        noise of session with metrics off
#
# The scrypt limit is PROCS / (median time of one check at the configured
# cost by the fastest library on the machine), timed by bench_scrypt -t in
# the same run.  The report (bench/results/<host>-<time>.txt, a PNG chart
# beside it, and copies as latest.txt/latest.png) has one table of
# requests/s, p50/p99 latency, non-2xx answers, responder RSS and Redis
# round trips per request, then PASS/FAIL per budget line.  The budget is
# not a test: machines differ; exit status is 0 when every case ran, 1
# when one could not (a server did not start, wrk failed).
#
# Environment: BENCH_PROCS, BENCH_DURATION (s per case, default 8),
# BENCH_DURATION_PW (s per password case at the configured cost, default
# 20), BENCH_RSS_REQUESTS (default 100000), BENCH_SCRYPT_ROUNDS (default 5),
# BENCH_ROUNDS (interleaved rounds of the token checks and their ceilings,
# the best of each kept; default 2).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) BIN=$BUILD ;; *) BIN=$ROOT/$BUILD ;; esac
CORES=$(nproc)
PROCS=${BENCH_PROCS:-$CORES}
DUR=${BENCH_DURATION:-8}
DUR_PW=${BENCH_DURATION_PW:-20}
RSS_REQUESTS=${BENCH_RSS_REQUESTS:-100000}
SCRYPT_ROUNDS=${BENCH_SCRYPT_ROUNDS:-5}
ROUNDS=${BENCH_ROUNDS:-2}
THREADS=2
API=/api/v1/autenticacao
RESULTS=$ROOT/bench/results
PW=bench-password-0123

# The configured cost: the shipped config's scrypt_n/r/p.
conf_val() { sed -n "s/^$1[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p" "$ROOT/conf/autenticacao.conf"; }
CN=$(conf_val scrypt_n) CR=$(conf_val scrypt_r) CP=$(conf_val scrypt_p)

for p in "$BIN/autenticacao.fcgi" "$BIN/autenticacao-admin" \
    "$BIN/bench_hello" "$BIN/bench_scrypt"; do
	[ -x "$p" ] || { echo "bench: $p is missing (make bench builds it)" >&2; exit 1; }
done
for c in wrk ab redis-server redis-cli jq gnuplot; do
	command -v "$c" >/dev/null || { echo "bench: $c is missing (make deps)" >&2; exit 1; }
done
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)

W=$(mktemp -d "${TMPDIR:-/tmp}/aut-bench.XXXXXX") || exit 1
REDIS_PID= LIGHTTPD_PID=
cleanup() {
	[ -n "$LIGHTTPD_PID" ] && lighttpd_stop
	[ -n "$REDIS_PID" ] && { kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say() { printf 'bench: [%4ss] %s\n' "$SECONDS" "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# A free TCP port on loopback.
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
rcli() { redis-cli -p "$RPORT" "$@"; }

# conf_make FILE N R P: the service's config for this run.
conf_make() {
	cat >"$1" <<EOF
redis_host = 127.0.0.1
redis_port = $RPORT
key_prefix = bench:
access_ttl = 3600
session_ttl = 7200
scrypt_n = $2
scrypt_r = $3
scrypt_p = $4
# Every bench client is 127.0.0.1: regulation still counts each check
# (same Redis work), it just never bans the load generator.
max_failures = 1000000
# Password checks are measured against the scrypt limit of every process
# checking at once, as the peers do: no cap on checks at once.
password_checks = 0
EOF
}
conf_make "$W/cheap.conf" 1024 1 1
conf_make "$W/configured.conf" "$CN" "$CR" "$CP"
conf_make "$W/metrics.conf" 1024 1 1
echo "metrics = on" >>"$W/metrics.conf"

mkdir -p "$W/htdocs/protected"
echo "a static file behind the authorizer" >"$W/htdocs/protected/file.txt"
LPORT=$(free_port)
BASE=http://127.0.0.1:$LPORT

# lighttpd_start CONF: lighttpd with the responder (PROCS workers), the
# authorizer (PROCS workers) and the two hello-world ceilings (PROCS
# workers each), all reading config CONF; and under /m/ the responder
# with metrics = on (PROCS workers, $W/metrics.conf).
lighttpd_start() {
	local conf=$1 name
	cat >"$W/lighttpd.conf" <<EOF
server.modules += ( "mod_fastcgi" )
server.bind = "127.0.0.1"
server.port = $LPORT
server.document-root = "$W/htdocs"
server.errorlog = "$W/lighttpd.log"
server.max-connections = 1024
fastcgi.server = (
	"$API/" => ((
		"socket" => "$W/aut.sock", "bin-path" => "$BIN/autenticacao.fcgi",
		"bin-environment" => ( "AUTENTICACAO_CONF" => "$conf" ),
		"check-local" => "disable", "max-procs" => $PROCS )),
	"/m$API/" => ((
		"socket" => "$W/aut-metrics.sock", "bin-path" => "$BIN/autenticacao.fcgi",
		"bin-environment" => ( "AUTENTICACAO_CONF" => "$W/metrics.conf" ),
		"check-local" => "disable", "max-procs" => $PROCS )),
	"/protected/" => ((
		"mode" => "authorizer",
		"socket" => "$W/authz.sock", "bin-path" => "$BIN/autenticacao.fcgi",
		"bin-environment" => ( "AUTENTICACAO_CONF" => "$conf" ),
		"check-local" => "disable", "max-procs" => $PROCS )),
	"/hello/" => ((
		"socket" => "$W/hello.sock", "bin-path" => "$BIN/bench_hello",
		"check-local" => "disable", "max-procs" => $PROCS )),
	"/hello-redis/" => ((
		"socket" => "$W/hello-redis.sock", "bin-path" => "$BIN/bench_hello",
		"bin-environment" => ( "BENCH_HELLO_REDIS_PORT" => "$RPORT",
		    "BENCH_HELLO_REDIS_KEY" => "bench:hello" ),
		"check-local" => "disable", "max-procs" => $PROCS ))
)
EOF
	"$LIGHTTPD" -D -f "$W/lighttpd.conf" >>"$W/lighttpd.out" 2>&1 &
	LIGHTTPD_PID=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "$BASE$API/health" && return 0
		sleep 0.1
	done
	die "lighttpd did not start: $(tail -n 3 "$W/lighttpd.log" "$W/lighttpd.out" 2>/dev/null)"
}
lighttpd_stop() {
	local kids p
	kids=$(fcgi_pids)
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	LIGHTTPD_PID=
	# lighttpd stops its FastCGI children; wait until they are gone
	for _ in $(seq 50); do
		for p in $kids; do kill -0 "$p" 2>/dev/null && break; p=; done
		[ -z "$p" ] && return
		sleep 0.1
	done
	for p in $kids; do kill -KILL "$p" 2>/dev/null; done
}

# fcgi_pids: pids of lighttpd's FastCGI children (the service's workers
# and bench_hello's).
fcgi_pids() { [ -n "$LIGHTTPD_PID" ] && pgrep -P "$LIGHTTPD_PID"; }

# wait_idle: wait (at most 90 s) until the FastCGI workers use no CPU
# for half a second: requests queued by a case that ended (wrk closes its
# connections, the workers still finish what they started) must not run
# into the next case or an "at rest" reading.
cpu_ticks() {
	local p f=
	for p in $(fcgi_pids); do f="$f /proc/$p/stat"; done
	# shellcheck disable=SC2086 # one word per file
	[ -n "$f" ] && cat $f 2>/dev/null | awk '{ s += $14 + $15 } END { print s + 0 }'
}
wait_idle() {
	local a b i
	a=$(cpu_ticks)
	for i in $(seq 180); do
		sleep 0.5
		b=$(cpu_ticks)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	say "workers still busy after 90 s"
}

# rss_kib PID FIELD: VmRSS or VmHWM of PID in KiB.
rss_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# responder_pids: the PROCS workers of the responder, told apart from the
# authorizer's by the socket lighttpd gave them (aut.sock-N).
responder_pids() {
	local p ino
	for p in $(fcgi_pids); do
		ino=$(readlink "/proc/$p/fd/0" 2>/dev/null)
		ino=${ino#socket:[}; ino=${ino%]}
		awk -v i="$ino" -v s="$W/aut.sock" '$7 == i && index($8, s) == 1 { f = 1 } END { exit !f }' \
		    /proc/net/unix && echo "$p"
	done
}

# ---- Redis counters ----

# redis_snap FILE: INFO commandstats + stats in one call (one INFO).
redis_snap() { rcli INFO all | tr -d '\r' >"$1"; }
# One INFO call costs Redis two reads: its command and redis-cli's close.
SNAP_READS=2

# rt_line BEFORE AFTER N: "round trips per request" and the commands per
# request (info excluded), e.g. "7.00 evalsha=5.00 hmget=2.00".
rt_line() {
	awk -F'[:=,]' -v n="$3" -v snap="$SNAP_READS" '
		FNR == 1 { file++ }
		/^total_reads_processed:/ { reads[file] = $2 }
		/^cmdstat_/ { c = substr($1, 9); if (c != "info") calls[file, c] = $3; cmds[c] = 1 }
		END {
			if (n <= 0) { print "-"; exit }
			out = sprintf("%.2f", (reads[2] - reads[1] - snap) / n)
			for (c in cmds) {
				d = calls[2, c] - calls[1, c]
				if (d > 0) out = out sprintf(" %s=%.2f", c, d / n)
			}
			print out
		}' "$1" "$2"
}

# ---- wrk ----

# to_ms VALUE: wrk's "1.23ms" / "456.00us" / "2.01s" / "1.5m" in ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else print "-" }'
}

TSV=$W/results.tsv
printf 'case\tcost\tconc\treq\trps\tp50_ms\tp99_ms\tnon2xx\terrors\trss_kib\thwm_kib\trt\n' >"$TSV"

# run_case NAME COST SCRIPT PATH CONC DURATION POOL [VAR=VALUE...]: one
# wrk run, one row of $TSV, one progress line.
run_case() {
	local name=$1 cost=$2 script=$3 path=$4 conc=$5 dur=$6 pool=$7
	local out=$W/wrk-$name-$cost-$conc.txt req rps p50 p99 non2xx err rss=0 hwm=0 p v rt
	shift 7
	wait_idle
	redis_snap "$W/before"
	env BENCH_WRK_DIR="$ROOT/bench/wrk" BENCH_POOL="$pool" BENCH_THREADS=$THREADS "$@" \
	    wrk -t "$THREADS" -c "$conc" -d "${dur}s" --timeout 120s --latency \
	    -s "$ROOT/bench/wrk/$script" "$BASE$path" >"$out" 2>&1
	local st=$?
	redis_snap "$W/after"
	if [ "$st" -ne 0 ] || ! grep -q '^Requests/sec:' "$out"; then
		say "$name ($cost, c=$conc): wrk failed: $(tail -n 3 "$out")"
		FAILED_CASES=$((FAILED_CASES + 1))
		return 1
	fi
	req=$(awk '/ requests in / { print $1 }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	err=$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' "$out")
	case $name in
	hello|hello-redis) ;;
	*)	for p in $(responder_pids); do
			v=$(rss_kib "$p" VmRSS); [ "${v:-0}" -gt "$rss" ] && rss=$v
			v=$(rss_kib "$p" VmHWM); [ "${v:-0}" -gt "$hwm" ] && hwm=$v
		done ;;
	esac
	rt=$(rt_line "$W/before" "$W/after" "$req")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$cost" "$conc" \
	    "$req" "$rps" "$p50" "$p99" "${non2xx:-0}" "${err:-0}" "$rss" "$hwm" "$rt" >>"$TSV"
	say "$(printf '%-16s %-10s c=%-3s %8s req/s  p50 %9s ms  p99 %9s ms  non-2xx %s  errors %s' \
	    "$name" "$cost" "$conc" "$rps" "$p50" "$p99" "${non2xx:-0}" "${err:-0}")"
}

# split_pools FILE...: turn the 200 answer bodies of the seeding logins
# (all as bench-x0) into the pool files, each session in one pool only.
split_pools() {
	cat "$@" | jq -R -r 'fromjson? | select(.data.sessionId) | [.data.sessionId, .data.authorization, .data.refreshToken] | @tsv' \
	    >"$W/sessions.tsv"
	local n
	n=$(wc -l <"$W/sessions.tsv")
	# a third each: bearer tokens, refresh tokens, refresh-session ids
	awk -F'\t' -v n="$n" 'NR <= n / 3 { print $2 }' "$W/sessions.tsv" >"$W/pool-bearer"
	# refresh tokens are single-use: one half for each concurrency
	awk -F'\t' -v n="$n" 'NR > n / 3 && NR <= 2 * n / 3 { sub(/^Bearer /, "", $3); print $1, $3 }' \
	    "$W/sessions.tsv" | awk -v d="$W" '{ print > (d "/pool-refresh-" (NR % 2 ? 4 : 64)) }' 
	awk -F'\t' -v n="$n" -v pw="$PW" 'NR > 2 * n / 3 { print $1, "bench-x0", pw }' \
	    "$W/sessions.tsv" >"$W/pool-rs-cheap"
	echo "$n"
}

FAILED_CASES=0
START=$(date +%s)
say "$(date -u '+%Y-%m-%d %H:%M:%S UTC'): $PROCS responder processes, $CORES cores, ${DUR}s per case (${DUR_PW}s at the configured cost)"

# ---- the scrypt limit ----
say "timing scrypt at the configured cost N=$CN r=$CR p=$CP ($SCRYPT_ROUNDS rounds per library)"
"$BIN/bench_scrypt" -t "$CN" "$CR" "$CP" "$SCRYPT_ROUNDS" >"$W/scrypt.txt" || die "bench_scrypt failed"
"$BIN/bench_scrypt" -t 1024 1 1 20 >"$W/scrypt-cheap.txt" || die "bench_scrypt failed"
"$BIN/bench_scrypt" -t 16384 8 1 $((SCRYPT_ROUNDS * 2)) >"$W/scrypt-16k.txt" || die "bench_scrypt failed"
sed 's/^/bench:   /' "$W/scrypt.txt"
T_FAST=$(awk '$2 == "fastest" { sub(/median_ms=/, "", $4); print $4 }' "$W/scrypt.txt")
LIMIT=$(awk -v c="$PROCS" -v t="$T_FAST" 'BEGIN { printf "%.2f", c / (t / 1000) }')
say "scrypt limit: $PROCS / ${T_FAST} ms = $LIMIT checks/s"
# What PROCS processes checking at once really make (memory bandwidth and
# shared caches may keep them from scaling with the cores).
"$BIN/bench_scrypt" -P "$PROCS" "$CN" "$CR" "$CP" "$SCRYPT_ROUNDS" >"$W/scrypt-par.txt" || die "bench_scrypt -P failed"
PAR_LIMIT=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^per_s=/) { sub(/per_s=/, "", $i); print $i } }' "$W/scrypt-par.txt")
say "measured: $PROCS processes checking at once make $PAR_LIMIT checks/s"

# ---- phase 1: cheap scrypt cost ----
lighttpd_start "$W/cheap.conf"
for u in 0 1 2 3; do
	printf '%s\n' "$PW" | AUTENTICACAO_CONF=$W/cheap.conf "$BIN/autenticacao-admin" useradd "bench-x$u" >/dev/null ||
	    die "useradd bench-x$u failed"
done
printf 'bench-x%s %s\n' 0 "$PW" 1 "$PW" 2 "$PW" 3 "$PW" >"$W/pool-users-cheap"
printf 'bench-x0 %s\n' "$PW" >"$W/pool-seed"
rcli HSET bench:hello user x created 1 sexp 2 aexp 3 ah a ch c rh r >/dev/null

say "seeding sessions through POST /login (cheap cost)"
env BENCH_WRK_DIR="$ROOT/bench/wrk" BENCH_POOL="$W/pool-seed" BENCH_SEED_OUT="$W/seed" \
    wrk -t "$THREADS" -c 8 -d 6s -s "$ROOT/bench/wrk/login.lua" "$BASE$API/login" >"$W/seed.txt" 2>&1 ||
    die "seeding failed: $(tail -n 3 "$W/seed.txt")"
NSEED=$(split_pools "$W"/seed.*)
say "seeded $NSEED sessions"

for c in 4 64; do
	# The token checks and their ceilings: ROUNDS interleaved rounds, the
	# best of each kept, so a noisy moment hurts neither side alone.
	for r in $(seq "$ROUNDS"); do
		run_case hello - bearer.lua /hello/x "$c" "$DUR" "$W/pool-bearer"
		run_case hello-redis - bearer.lua /hello-redis/x "$c" "$DUR" "$W/pool-bearer"
		run_case session - bearer.lua "$API/session" "$c" "$DUR" "$W/pool-bearer"
		run_case session metrics bearer.lua "/m$API/session" "$c" "$DUR" "$W/pool-bearer"
		run_case authorizer - bearer.lua /protected/file.txt "$c" "$DUR" "$W/pool-bearer"
	done
	run_case refresh-token - refresh_token.lua "$API/refresh-token" "$c" "$DUR" "$W/pool-refresh-$c"
	run_case login cheap login.lua "$API/login" "$c" "$DUR" "$W/pool-users-cheap"
	run_case refresh-session cheap refresh_session.lua "$API/refresh-session" "$c" "$DUR" "$W/pool-rs-cheap"
done
lighttpd_stop

# ---- phase 2: configured scrypt cost, fresh responders ----
for u in 0 1 2 3; do
	printf '%s\n' "$PW" | AUTENTICACAO_CONF=$W/configured.conf "$BIN/autenticacao-admin" useradd "bench-c$u" >/dev/null ||
	    die "useradd bench-c$u failed"
done
printf 'bench-c%s %s\n' 0 "$PW" 1 "$PW" 2 "$PW" 3 "$PW" >"$W/pool-users"
lighttpd_start "$W/configured.conf"

# RSS at rest: after the first 1k requests and after RSS_REQUESTS more
# (ab, which counts requests, with one live token).
say "responder RSS: 1000 requests, then $RSS_REQUESTS more (GET /session)"
rss_snap() { local p; wait_idle; for p in $(responder_pids); do echo "$p $(rss_kib "$p" VmRSS)"; done | sort; }
TOK=$(head -n 1 "$W/pool-bearer")
ab -q -n 1000 -c 4 -H "Authorization: $TOK" "$BASE$API/session" >"$W/rss1.txt" 2>&1
rss_snap >"$W/rss-1k"
ab -q -n "$RSS_REQUESTS" -c 4 -H "Authorization: $TOK" "$BASE$API/session" >"$W/rss2.txt" 2>&1
rss_snap >"$W/rss-100k"
RSS_REQ1=$(awk '/^Complete requests:/ { print $3 }' "$W/rss1.txt")
RSS_REQ2=$(awk '/^Complete requests:/ { print $3 }' "$W/rss2.txt")
RSS_BAD=$(awk '/^(Failed requests|Non-2xx responses):/ { s += $NF } END { print s + 0 }' "$W/rss1.txt" "$W/rss2.txt")

# scrypt's working memory: RSS at rest before and after the password cases
rss_snap >"$W/rss-pw-before"
for c in 4 64; do
	run_case login configured login.lua "$API/login" "$c" "$DUR_PW" "$W/pool-users"
done
# login answers do not name the user: the admin tool lists each user's
: >"$W/pool-rs"
for u in 0 1 2 3; do
	AUTENTICACAO_CONF=$W/configured.conf "$BIN/autenticacao-admin" sessions "bench-c$u" 2>/dev/null |
	    awk -v u="bench-c$u" -v pw="$PW" 'length($1) == 22 { print $1, u, pw }' >>"$W/pool-rs"
done
for c in 4 64; do
	run_case refresh-session configured refresh_session.lua "$API/refresh-session" "$c" "$DUR_PW" "$W/pool-rs"
done
# The responders give scrypt's buffer back after a second without a
# request (cgi/autenticacao.c).
sleep 2
rss_snap >"$W/rss-pw-after"
lighttpd_stop

# ---- report ----
# One row per case: the best of its rounds (by requests/s).
{
	head -n 1 "$TSV"
	tail -n +2 "$TSV" | sort -t "$(printf '\t')" -k5,5 -g -r |
	    awk -F'\t' '!seen[$1 FS $2 FS $3]++' |
	    awk -F'\t' 'BEGIN { o["hello"] = 1; o["hello-redis"] = 2; o["session"] = 3; o["authorizer"] = 4;
		o["refresh-token"] = 5; o["login"] = 6; o["refresh-session"] = 7 }
		{ print ($2 == "configured" ? 1 : 0) "\t" $3 "\t" o[$1] "\t" $0 }' |
	    sort -k1,1n -k2,2n -k3,3n | cut -f4-
} >"$W/best.tsv"
mv "$W/best.tsv" "$TSV"
HOST=$(hostname -s 2>/dev/null || echo host)
STAMP=$(date -u +%Y%m%d-%H%M%S)
REPORT=$W/report.txt
SCRYPT_MEM=$((128 * CN * CR))
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
END=$(date +%s)
{
	echo "autenticacao make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $((END - START)) s"
	echo "machine: $CPU, $CORES cores, $(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
	echo "software: $(redis-server --version | awk '{ print $3 }' | sed 's/v=/redis /'), $("$LIGHTTPD" -v 2>&1 | awk 'NR == 1 { print $1 }'), $(wrk --version 2>&1 | awk 'NR == 1 { print $1, $2 }')"
	echo "setup: $PROCS responder processes (and $PROCS per ceiling), wrk -t $THREADS, ${DUR}s per case, ${DUR_PW}s per case at the configured cost;"
	echo "  hello, hello-redis, session and authorizer: best of $ROUNDS interleaved rounds"
	echo
	echo "scrypt, one check by our core (each dispatch path; ours = AUTO, what the service runs) and the libraries,"
	echo "each in a process of its own kept for the run: median and min ms, minor page faults per check after"
	echo "the first, resident set (KiB) right after a check, at its peak, and at rest (ours: after scrypt_idle):"
	for f in scrypt-16k scrypt scrypt-cheap; do
		awk '$2 != "fastest" && $2 != "path" {
			for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			if (!hdr++) printf "  N=%s r=%s p=%s\n", v["N"], v["r"], v["p"]
			printf "    %-14s %9s ms (min %9s) %8s faults/check  RSS %7s busy %7s peak %7s rest\n", $2, v["median_ms"], v["min_ms"], v["faults_per_check"], v["rss_busy_kib"], v["rss_peak_kib"], v["rss_idle_kib"]
		}
		$2 == "fastest" || $2 == "path" { print "    " $0 }' "$W/$f.txt"
	done
	echo "scrypt limit = $PROCS / $T_FAST ms = $LIMIT checks/s"
	echo "measured beside it: $PROCS processes checking at once (ours) make $PAR_LIMIT checks/s ($(awk -v a="$PAR_LIMIT" -v b="$LIMIT" 'BEGIN { printf "%.0f%%", 100 * a / b }') of the limit)"
	echo
	printf '%-16s %-10s %4s %8s %9s %9s %10s %7s %6s %8s %8s  %s\n' case cost conc requests req/s \
	    "p50 ms" "p99 ms" non-2xx errors "RSS MiB" "peak MiB" "Redis round trips/request (commands/request)"
	awk -F'\t' 'NR > 1 {
		rss = $10 > 0 ? sprintf("%.1f", $10 / 1024) : "-"
		hwm = $11 > 0 ? sprintf("%.1f", $11 / 1024) : "-"
		printf "%-16s %-10s %4s %8s %9s %9s %10s %7s %6s %8s %8s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, rss, hwm, $12
	}' "$TSV"
	echo
	echo "ratios (the two that matter):"
	awk -F'\t' -v lim="$LIMIT" -v par="$PAR_LIMIT" '
		NR == 1 { next }
		$1 == "hello-redis" { hr[$3] = $5 }
		{ row[NR] = $0 }
		END {
			for (i in row) {
				split(row[i], f, "\t")
				if (f[2] == "configured")
					printf "  %-16s c=%-3s %8.2f req/s / scrypt limit %.2f = %5.1f%%  (/ measured parallel %.2f = %5.1f%%)\n", f[1], f[3], f[5], lim, 100 * f[5] / lim, par, 100 * f[5] / par
				else if (f[1] == "session" || f[1] == "authorizer" || f[1] == "refresh-token")
					printf "  %-16s c=%-3s %8.0f req/s / hello-redis %.0f = %5.1f%%\n", f[1], f[3], f[5], hr[f[3]], 100 * f[5] / hr[f[3]]
			}
		}' "$TSV" | sort
	echo
	echo "responder RSS at rest (KiB): pid, after $RSS_REQ1 requests, after $RSS_REQ2 more:"
	join "$W/rss-1k" "$W/rss-100k" | sed 's/^/  /'
	echo "responder RSS at rest around the password cases at the configured cost (KiB): pid, before, after;"
	echo "  scrypt's working buffer while busy 128*N*r*p = $((SCRYPT_MEM * CP / 1024)) KiB (p chains interleaved), released after 1 s idle:"
	join "$W/rss-pw-before" "$W/rss-pw-after" | sed 's/^/  /'
} >"$REPORT"

# ---- budget ----
budget() { printf '%-4s %s\n' "$1" "$2" >>"$REPORT"; }
pass_if() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
col() { awk -F'\t' -v n="$1" -v c="$2" -v k="$3" -v f="$4" '$1 == n && $2 == c && $3 == k { print $f }' "$TSV"; }
{
	echo
	echo "budget:"
} >>"$REPORT"
for n in login refresh-session; do
	r=$(col "$n" configured 64 5) p99=$(col "$n" configured 64 7) x=$(col "$n" configured 64 8) e=$(col "$n" configured 64 9)
	r=${r:-0} p99=${p99:-0}
	budget "$(pass_if "$r >= 0.9 * $LIMIT")" "$n (configured cost, c=64): $r req/s >= 90% of the scrypt limit $LIMIT ($(awk -v a="$r" -v b="$LIMIT" 'BEGIN { printf "%.1f%%", 100 * a / b }'))"
	budget "$(pass_if "$p99 < 3 * $T_FAST")" "$n (configured cost, c=64): p99 $p99 ms < 3 x one check ($(awk -v t="$T_FAST" 'BEGIN { printf "%.0f", 3 * t }') ms); queueing alone puts the mean at c/throughput = $(awk -v r="$r" 'BEGIN { if (r > 0) printf "%.0f", 64000 / r; else print "-" }') ms"
	p99=$(col "$n" configured 4 7)
	budget "$(pass_if "${p99:-0} < 3 * $T_FAST")" "$n (configured cost, c=4): p99 ${p99:-0} ms < 3 x one check"
	budget "$(pass_if "${x:-1} == 0 && ${e:-1} == 0")" "$n (configured cost, c=64): zero errors (non-2xx ${x:--}, socket errors ${e:--})"
done
for n in session authorizer; do
	r=$(col "$n" - 64 5) h=$(col hello-redis - 64 5)
	budget "$(pass_if "${r:-0} >= 0.8 * ${h:-1}")" "$n (c=64): ${r:-0} req/s >= 80% of hello-redis ${h:-0} ($(awk -v a="${r:-0}" -v b="${h:-1}" 'BEGIN { printf "%.1f%%", 100 * a / b }'))"
done
bad=0
while read -r x; do [ "$x" = 0 ] || bad=1; done < <(awk -F'\t' 'NR > 1 { print $8 + $9 }' "$TSV")
budget "$([ "$bad" = 0 ] && echo PASS || echo FAIL)" "no case had a non-2xx answer or a socket error"
grow=$(join "$W/rss-1k" "$W/rss-100k" | awk '{ g = ($3 - $2) / $2; if (g > m) m = g } END { printf "%.4f", m + 0 }')
budget "$(pass_if "$grow <= 0.10 && $(wc -l <"$W/rss-1k") > 0 && ${RSS_REQ2:-0} == $RSS_REQUESTS && $RSS_BAD == 0")" "responder RSS after ${RSS_REQ2:-0} more requests within 10% of RSS after the first ${RSS_REQ1:-0} (largest growth $(awk -v g="$grow" 'BEGIN { printf "%.1f%%", 100 * g }'); failed or non-2xx: $RSS_BAD)"
kept=$(join "$W/rss-pw-before" "$W/rss-pw-after" | awk '{ d = $3 - $2; if (d > m) m = d } END { print m + 0 }')
budget "$(pass_if "$kept * 1024 < $SCRYPT_MEM / 4 && $(wc -l <"$W/rss-pw-before") > 0")" "scrypt's working memory released at rest (1 s without a request): RSS at rest grew by at most $kept KiB over the password cases (< a quarter of 128*N*r = $((SCRYPT_MEM / 1024)) KiB)"
for f in scrypt-16k scrypt; do
	flt=$(awk '$2 == "ours" { for (i = 3; i <= NF; i++) if ($i ~ /^faults_per_check=/) { sub(/^faults_per_check=/, "", $i); print $i } }' "$W/$f.txt")
	cst=$(awk '$2 == "ours" { print $3, $4, $5 }' "$W/$f.txt")
	budget "$(pass_if "${flt:-9999} < 1")" "our scrypt core at $cst: ${flt:--} page faults per check after the first (< 1: the working buffer is kept)"
done
# rt_check NAME COST EXPECTED TEXT: the round trips per request measured at
# c=4 match EXPECTED, give or take the few requests still in flight when
# wrk stopped (up to 4 + 1 of EXPECTED each, over the requests counted).
rt_check() {
	local rt req
	rt=$(col "$1" "$2" 4 12) req=$(col "$1" "$2" 4 4)
	rt=${rt%% *}
	budget "$(pass_if "${req:-0} > 0 && ${rt:-0} >= $3 - 0.005 && ${rt:-0} <= $3 + $3 * 5 / ${req:-1} + 0.005")" "$1: $4 (measured ${rt:--} round trips/request over ${req:-0} requests at c=4)"
}
rt_check session - 1 "one Redis read per token check"
rt_check session metrics 1 "metrics = on: still one Redis read per token check (the counters ride along in batches)"
rt_check authorizer - 1 "one Redis read per token check"
for c in 4 64; do
	r=$(col session metrics "$c" 5) b=$(col session - "$c" 5)
	budget "$(pass_if "${r:-0} >= 0.9 * ${b:-0} && ${b:-0} > 0")" "session with metrics = on (c=$c): ${r:-0} req/s >= 90% of metrics off ${b:-0} ($(awk -v a="${r:-0}" -v b="${b:-0}" 'BEGIN { printf "%.1f%%", (b > 0 ? 100 * a / b : 0) }'))"
done
rt_check refresh-token - 1 "1 round trip: one script compares, rotates or judges the spent token"
rt_check login cheap 2 "2 round trips: the user's count and record beside the address's count, then the check of the user with the session write beside the address's undo"
rt_check refresh-session cheap 2 "2 round trips: the user's count and record beside the address's count, then the check of the user with the renewal beside the address's undo"

mkdir -p "$RESULTS"
OUTBASE=$RESULTS/$HOST-$STAMP
cp "$REPORT" "$OUTBASE.txt"
cp "$TSV" "$OUTBASE.tsv"

# ---- chart ----
awk -F'\t' -v lim="$LIMIT" '
	NR == 1 { next }
	$1 == "hello-redis" { hr[$3] = $5 }
	{ n++; name[n] = $1 ($2 == "-" ? "" : " (" $2 ")"); conc[n] = $3; rps[n] = $5; cost[n] = $2 }
	END {
		for (i = 1; i <= n; i++) {
			if (conc[i] != 4) continue
			for (j = 1; j <= n; j++) if (name[j] == name[i] && conc[j] == 64) r64 = rps[j]
			pct4 = pct64 = "-"
			if (cost[i] == "configured") { pct4 = 100 * rps[i] / lim; pct64 = 100 * r64 / lim }
			else if (name[i] ~ /^(session|authorizer|refresh-token)$/) { pct4 = 100 * rps[i] / hr[4]; pct64 = 100 * r64 / hr[64] }
			printf "\"%s\"\t%s\t%s\t%s\t%s\n", name[i], rps[i], r64, pct4, pct64
		}
	}' "$TSV" >"$W/chart.dat"
gnuplot <<EOF 2>"$W/gnuplot.err" || say "chart: gnuplot failed: $(head -n 3 "$W/gnuplot.err")"
set terminal pngcairo size 1400,560 font "sans,10"
set output "$OUTBASE.png"
set multiplot layout 1,2 title "autenticacao make bench, $HOST, $(date -u '+%Y-%m-%d'), $PROCS responders, $CPU"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 nomirror
set grid ytics
set datafile missing "-"
set logscale y
set ylabel "requests/s (log scale)"
set title "throughput"
plot "$W/chart.dat" using 2:xtic(1) title "c=4", "" using 3 title "c=64"
unset logscale y
set ylabel "% of the ceiling"
set yrange [0:120]
set title "against the ceiling: scrypt limit (configured cost) or hello-redis (token checks)"
set key top left
plot "$W/chart.dat" using 4:xtic(1) title "c=4", "" using 5 title "c=64", \
     90 with lines dt 2 lc rgb "black" title "90% (password budget)", \
     80 with lines dt 3 lc rgb "gray40" title "80% (token budget)"
unset multiplot
EOF
cp "$OUTBASE.txt" "$RESULTS/latest.txt"
[ -f "$OUTBASE.png" ] && cp "$OUTBASE.png" "$RESULTS/latest.png"

cat "$REPORT"
echo
say "report: ${OUTBASE#$ROOT/}.txt, chart: ${OUTBASE#$ROOT/}.png (copies: bench/results/latest.*)"
npass=$(grep -c '^PASS' "$REPORT") nfail=$(grep -c '^FAIL' "$REPORT")
say "$((END - START)) s, $FAILED_CASES case(s) could not run, budget: $npass PASS, $nfail FAIL"
[ "$FAILED_CASES" -eq 0 ]
