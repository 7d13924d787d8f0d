# tests/lib/core.sh - what every scripted test of autenticacao gets
# (tests/lib.sh sources it first): the script's temporary directory $T,
# the test counters and assertions, the EXIT trap, free ports, the clock
# and a few string builders.  The other parts of tests/lib/ come with
# lib_use (tests/lib.sh).
#
# Every test prints exactly one line, "ok - NAME" or "not ok - NAME: WHY",
# and the script ends with "# counts PASSED FAILED", which tests/run.sh
# reads.  A script that stops before done_testing (a crash, an exit from a
# helper, a signal) reports one more failure from its EXIT trap, so a test
# can never vanish silently.  Nothing is skipped: a missing binary or
# endpoint is a failure.
#
# Environment:
#	BUILD		directory of the binaries (default build)
#	SANITIZE	1 under ASan/UBSan (sets ASAN_OPTIONS/UBSAN_OPTIONS)
#	KEEP_TMP	1 keeps the script's temporary directory
#	CGI_TIMEOUT	seconds one CGI run may take (default 10, 30 with SANITIZE,
#			60 with VALGRIND)
#	VALGRIND	1 runs every responder and autenticacao-admin started by
#			cgi, adm/adm_in or a bin_path wrapper under valgrind
#			memcheck (tests/lib/cgi.sh: VG_FLAGS, tests/valgrind.supp);
#			a report fails the test (see vg_check)
#	AUT_SECRETS_DIR	run-wide directory of the secrets hygiene scan (set by
#			tests/run.sh; unset: nothing is noted), see
#			tests/lib/secrets.sh
#
# The EXIT trap (cleanup) stops the servers of the parts the script loaded
# (lighttpd_stop, redis_stop), kills the pids listed in BG_PIDS, keeps the
# service's logs for the secrets scan, counts the memcheck reports nobody
# looked at and removes $T.  Servers the parts start (redis_start,
# lighttpd_start) are disowned: a bare `wait` in a test waits only for the
# test's own background jobs.

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT_DIR/$BUILD ;; esac
SANITIZE=${SANITIZE:-0}
if [ "$SANITIZE" = 1 ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	CGI_TIMEOUT=${CGI_TIMEOUT:-30}
fi
VALGRIND=${VALGRIND:-0}
if [ "$VALGRIND" = 1 ]; then
	CGI_TIMEOUT=${CGI_TIMEOUT:-60}
fi
CGI_TIMEOUT=${CGI_TIMEOUT:-10}
SAN_PATTERN='ERROR: AddressSanitizer|runtime error:|LeakSanitizer'
API=/api/v1/autenticacao
NL=$'\n'

SCRIPT_NAME_=$(basename "$0")
mkdir -p "$ROOT_DIR/tests/tmp"
T=$(mktemp -d "$ROOT_DIR/tests/tmp/${SCRIPT_NAME_%.sh}.XXXXXX")
PASSED=0
FAILED=0
DONE_TESTING=0
T_NAME=
T_WHY=
BG_PIDS=()

# ---------------------------------------------------------------- results

# ok NAME: one passing test.
ok() {
	PASSED=$((PASSED + 1))
	printf 'ok - %s\n' "$1"
}

# notok NAME WHY: one failing test.
notok() {
	local why=${2//[$'\r\n']/ }
	FAILED=$((FAILED + 1))
	[ ${#why} -le 1500 ] || why="${why:0:1500}..."
	printf 'not ok - %s: %s\n' "$1" "$why"
}

# t_begin NAME / t_fail WHY... / t_end: one test made of several checks; it
# fails with every reason collected between begin and end.
t_begin() {
	[ -z "$T_NAME" ] || t_end
	T_NAME=$1
	T_WHY=
}
t_fail() {
	T_WHY="${T_WHY:+$T_WHY; }$*"
}
t_end() {
	[ -n "$T_NAME" ] || return 0
	if [ -z "$T_WHY" ]; then ok "$T_NAME"; else notok "$T_NAME" "$T_WHY"; fi
	T_NAME=
	T_WHY=
}

# short STRING: the string cut to 160 bytes for a message.
short() {
	local s=$1
	if [ ${#s} -gt 160 ]; then s="${s:0:160}...(${#1} chars)"; fi
	printf '%s' "$s"
}

# t_eq WHAT GOT WANT / t_ne WHAT GOT NOTWANT
t_eq() {
	[ "$2" = "$3" ] || t_fail "$1: got '$(short "$2")', want '$(short "$3")'"
}
t_ne() {
	[ "$2" != "$3" ] || t_fail "$1: got '$(short "$2")', which it must not be"
}
# t_match WHAT GOT ERE: GOT must match the extended regex (bash =~).
t_match() {
	[[ $2 =~ $3 ]] || t_fail "$1: '$(short "$2")' does not match /$3/"
}
t_nomatch() {
	! [[ $2 =~ $3 ]] || t_fail "$1: '$(short "$2")' matches /$3/"
}
# t_le WHAT A B: integers, A <= B.
t_le() {
	if ! [[ "$2" =~ ^-?[0-9]+$ && "$3" =~ ^-?[0-9]+$ ]] || [ "$2" -gt "$3" ]; then
		t_fail "$1: '$2' is not <= '$3'"
	fi
}
# t_ge WHAT A B: integers, A >= B.
t_ge() {
	if ! [[ "$2" =~ ^-?[0-9]+$ && "$3" =~ ^-?[0-9]+$ ]] || [ "$2" -lt "$3" ]; then
		t_fail "$1: '$2' is not >= '$3'"
	fi
}

# done_testing: the last line of every script.
done_testing() {
	t_end
	DONE_TESTING=1
	exit 0
}

# ---------------------------------------------------------------- cleanup

# cleanup: the EXIT trap (see the top of this file).  Exits 0 when no test
# failed, else 1; with AUT_LIB_NO_COUNTS (tests/run.sh) it prints no counts
# and keeps the exit status it was called with.
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM HUP
	if [ -n "$T_NAME" ]; then
		t_fail "script stopped inside this test (exit $rc)"
		t_end
	fi
	if [ "$DONE_TESTING" != 1 ] && [ -z "${AUT_LIB_NO_COUNTS:-}" ]; then
		notok "$SCRIPT_NAME_ finishes" "the script stopped before done_testing (exit $rc)"
	fi
	# the stops of the parts the script loaded, in this order
	lib_has lighttpd && lighttpd_stop
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	lib_has redis && redis_stop
	lib_has secrets && secrets_keep_logs
	lib_has cgi && vg_sweep
	if [ -z "${AUT_LIB_NO_COUNTS:-}" ]; then
		printf '# counts %d %d\n' "$PASSED" "$FAILED"
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
	if [ -z "${AUT_LIB_NO_COUNTS:-}" ]; then
		[ "$FAILED" -eq 0 ] && exit 0
		exit 1
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- ports, clock

# port_busy PORT: true if something listens on 127.0.0.1:PORT.
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: print a TCP port on 127.0.0.1 that nobody listens on (and
# that ss does not show in any state).
free_port() {
	local i p
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_busy "$p" && continue
		if command -v ss >/dev/null 2>&1 &&
		    ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$p\$"; then
			continue
		fi
		printf '%s\n' "$p"
		return 0
	done
	echo "free_port: no free port found" >&2
	return 1
}

# now_ms: milliseconds since the epoch.
now_ms() {
	local n=${EPOCHREALTIME/[.,]/}
	printf '%s\n' $((n / 1000))
}

# ---------------------------------------------------------------- strings

# repeat STRING N: STRING N times.
repeat() {
	local s=$2 out=
	while [ "$s" -gt 0 ]; do out+=$1; s=$((s - 1)); done
	printf '%s' "$out"
}

# with BASE JQEXPR: BASE (a JSON object) changed by JQEXPR, compact.
with() {
	jq -c "$2" <<<"$1"
}

# sha256 STRING: lowercase hex SHA-256 of STRING.
sha256() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}
