#!/bin/sh
# tests/run.sh - the whole suite: unit tests ("$BUILD"/test_*, cmocka,
# and tests/fuzz/replay.sh, the fuzz target on its committed inputs), then
# tests/suite/man_lint.sh and every tests/cgi/*.sh, then every
# tests/e2e/*.sh.
#
#	BUILD=build SANITIZE=0 sh tests/run.sh [SCRIPT...]
#	BUILD=build VALGRIND=1 JOBS=2 sh tests/run.sh tests/cgi/*.sh
#
# VALGRIND=1 runs every responder and autenticacao-admin a script starts
# under valgrind memcheck (tests/lib/cgi.sh); JOBS=N runs up to N scripts at
# once (their lines still come in order).
#
# One progress line per unit binary and per script (with its failing
# tests), and as the very last line "N passed, N failed".  Exits non-zero
# when anything failed, and counts as a failure a unit binary or script
# that crashed, timed out, exited non-zero, or reported no counts.  Full
# output of each part: tests/tmp/logs/<run>/.  Given SCRIPT arguments, runs only
# those scripts (no unit tests).  Either way the secrets scan
# (tests/suite/secrets_scan.sh) runs last, over what the scripts left in
# tests/tmp/logs/<run>/secrets/.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

AUT_LIB_NO_COUNTS=1
. "$(dirname "$0")/lib.sh"
lib_use redis

# One log directory per run (several runs may share the work tree); runs
# older than a day are swept.
LOGS=$ROOT_DIR/tests/tmp/logs/$(date +%Y%m%d-%H%M%S)-$$
find "$ROOT_DIR/tests/tmp/logs" -mindepth 1 -maxdepth 1 -type d -mmin +1440 \
    -exec rm -rf {} + 2>/dev/null
mkdir -p "$LOGS"
# What the scripts send, receive, keep in Redis and log, for the secrets
# scan that runs last (tests/suite/secrets_scan.sh; see tests/lib/secrets.sh).
AUT_SECRETS_DIR=$LOGS/secrets
mkdir -p "$AUT_SECRETS_DIR"
export AUT_SECRETS_DIR
TOTAL_P=0
TOTAL_F=0
UNIT_TIMEOUT=${UNIT_TIMEOUT:-600}
# A script takes well under a minute (a few under sanitizers); a hung one
# is stopped and counted as a failure.
SCRIPT_TIMEOUT=${SCRIPT_TIMEOUT:-300}
[ "$SANITIZE" = 1 ] && SCRIPT_TIMEOUT=${SCRIPT_TIMEOUT_SAN:-600}
[ "$VALGRIND" = 1 ] && SCRIPT_TIMEOUT=${SCRIPT_TIMEOUT_VG:-1200}
JOBS=${JOBS:-1}
export BUILD SANITIZE VALGRIND

# part_result NAME P F WHY LOG: add one part's counts, print its line.
part_result() {
	local name=$1 p=$2 f=$3 why=$4 log=$5
	TOTAL_P=$((TOTAL_P + p))
	TOTAL_F=$((TOTAL_F + f))
	if [ -n "$why" ]; then
		printf '%-34s %3d passed, %3d failed  (%s; log: %s)\n' "$name" "$p" "$f" "$why" "${log#$ROOT_DIR/}"
	else
		printf '%-34s %3d passed, %3d failed\n' "$name" "$p" "$f"
	fi
}

run_unit() {
	local bin=$1 name log rc p f why=
	name=unit/$(basename "$bin")
	log=$LOGS/$(basename "$bin").log
	AUT_TEST_REDIS_PORT=$REDIS_PORT timeout -k 5 "$UNIT_TIMEOUT" "$bin" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$log" |
	    awk '{ s += $1 } END { print s + 0 }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" |
	    awk '{ s += $1 } END { print s + 0 }')
	if grep -Eq "$SAN_PATTERN" "$log"; then
		why="sanitizer report"
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exit $rc without a reported failure"
		[ "$rc" = 124 ] && why="timed out after ${UNIT_TIMEOUT}s"
		f=$((f + 1))
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		why="reported no test"
		f=1
	elif [ "$rc" -ne 0 ]; then
		why="exit $rc"
	fi
	part_result "$name" "$p" "$f" "$why" "$log"
	grep -E '^\[  FAILED  \] [^0-9]|^\[  ERROR   \]' "$log" | awk '!seen[$0]++' | sed 's/^/    /' | head -n 20
}

run_script() {
	local script=$1 name log rc p f why= counts
	name=${script#$ROOT_DIR/tests/}
	log=$LOGS/$(echo "$name" | tr / _).log
	local t0=$SECONDS
	timeout -k 5 "$SCRIPT_TIMEOUT" bash "$script" >"$log" 2>&1 </dev/null
	rc=$?
	echo "# run.sh: $name took $((SECONDS - t0)) s" >>"$log"
	counts=$(grep -E '^# counts [0-9]+ [0-9]+$' "$log" | tail -n 1)
	if [ -z "$counts" ]; then
		p=$(grep -c '^ok - ' "$log")
		f=$(($(grep -c '^not ok - ' "$log") + 1))
		why="no counts reported (exit $rc)"
		[ "$rc" = 124 ] && why="timed out after ${SCRIPT_TIMEOUT}s"
	else
		set -- $counts
		p=$3
		f=$4
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			why="exit $rc with no failing test"
			f=1
		elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
			why="ran no test"
			f=1
		fi
	fi
	part_result "$name" "$p" "$f" "$why" "$log"
	grep '^not ok - ' "$log" | sed 's/^/    /'
	# a script's "# note: " lines are shown too (the scan's figures)
	grep '^# note: ' "$log" | sed 's/^# note: /    /'
}

# run_scripts SCRIPT...: run_script each, up to JOBS at once; the lines
# and the totals come in the order given.
run_scripts() {
	local s i=0 n=0 p f
	if [ "$JOBS" -le 1 ]; then
		for s in "$@"; do run_script "$s"; done
		return
	fi
	mkdir -p "$LOGS/jobs"
	for s in "$@"; do
		if [ "$n" -ge "$JOBS" ]; then
			wait -n
			n=$((n - 1))
		fi
		i=$((i + 1))
		(
			TOTAL_P=0 TOTAL_F=0
			run_script "$s" >"$LOGS/jobs/$i.out"
			echo "$TOTAL_P $TOTAL_F" >"$LOGS/jobs/$i.counts"
		) &
		n=$((n + 1))
	done
	wait
	for i in $(seq 1 $#); do
		cat "$LOGS/jobs/$i.out" 2>/dev/null
		if read -r p f <"$LOGS/jobs/$i.counts" 2>/dev/null; then
			TOTAL_P=$((TOTAL_P + p))
			TOTAL_F=$((TOTAL_F + f))
		else
			part_result "(script $i of $#)" 0 1 "its runner died" "$LOGS/jobs"
		fi
	done
}

# The whole run is one function, read before it starts: editing this file
# during a run does not derail it.
main() {
local s b units
local -a list=()
if [ $# -gt 0 ]; then
	for s in "$@"; do
		case $s in /*) ;; *) s=$PWD/$s ;; esac
		list+=("$s")
	done
	run_scripts "${list[@]}"
else
	units=$(ls "$BUILD"/test_* 2>/dev/null | while read -r b; do
		[ -x "$b" ] && [ -f "$b" ] && printf '%s\n' "$b"; done)
	if [ -n "$units" ]; then
		if redis_start; then
			for b in $units; do run_unit "$b"; done
			redis_stop
		else
			part_result "unit (redis for unit tests)" 0 1 "redis-server did not start" "-"
		fi
	fi
	# The scripted CGI tests share nothing but the machine: CGI_JOBS of
	# them at once (default 2).  The end-to-end tests drive servers under
	# load and measure what they see: one at a time.
	JOBS=${CGI_JOBS:-2} run_scripts "$ROOT_DIR"/tests/fuzz/replay.sh \
	    "$ROOT_DIR"/tests/suite/man_lint.sh "$ROOT_DIR"/tests/suite/openapi_lint.sh \
	    "$ROOT_DIR"/tests/cgi/*.sh
	for s in "$ROOT_DIR"/tests/e2e/*.sh; do
		[ -f "$s" ] || continue
		run_script "$s"
	done
fi
# last: no secret of the run in any Redis dump or service log
if [ $# -gt 0 ]; then
	run_script "$ROOT_DIR/tests/suite/secrets_scan.sh"
else
	AUT_SECRETS_FULL=1 run_script "$ROOT_DIR/tests/suite/secrets_scan.sh"
fi

printf '%d passed, %d failed\n' "$TOTAL_P" "$TOTAL_F"
[ "$TOTAL_F" -eq 0 ]
}
main "$@"
exit
