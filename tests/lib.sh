# tests/lib.sh - sourced (by bash) by every scripted test of autenticacao.
#
# A test script is:
#
#	. "$(dirname "$0")/../lib.sh"
#	redis_start; conf_write
#	t_begin "login answers 200 for a known user"
#	cgi POST /api/v1/autenticacao/login '{"username":"a","password":"b"}'
#	t_status 200
#	t_eq "success" "$(jget .success)" true
#	t_end
#	done_testing
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
#			memcheck (VG_FLAGS, tests/valgrind.supp); a report
#			fails the test (see vg_check)
#	AUT_SECRETS_DIR	run-wide directory of the secrets hygiene scan (set by
#			tests/run.sh; unset: nothing is noted), see secrets_note
#
# Servers it starts (redis_start, lighttpd_start) are disowned: a bare
# `wait` in a test waits only for the test's own background jobs.  The
# EXIT trap stops them, kills the pids listed in BG_PIDS and removes $T.

[ -n "${BASH_VERSION:-}" ] || { echo "lib.sh needs bash" >&2; exit 1; }

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$TESTS_DIR/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT_DIR/$BUILD ;; esac
SANITIZE=${SANITIZE:-0}
if [ "$SANITIZE" = 1 ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	CGI_TIMEOUT=${CGI_TIMEOUT:-30}
fi
VALGRIND=${VALGRIND:-0}
# Memcheck: any invalid access, use of uninitialised memory, bad free, or
# a definitely/indirectly lost block is an error (exit 99); "possibly
# lost" and "still reachable" are neither shown nor counted (libfcgi and
# libsodium keep process-lifetime allocations).  Open descriptors are not
# checked: the responder ends by exit() with its FastCGI and Redis
# sockets open on purpose.  Reports go to a file of their own, so that the
# program's stderr stays what the tests compare.
VG_FLAGS=(--tool=memcheck -q --vgdb=no --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-fds=no --num-callers=30
    --suppressions="$TESTS_DIR/valgrind.supp")
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
PREFIX=
DONE_TESTING=0
T_NAME=
T_WHY=
BG_PIDS=()
VG_N=0
VG_CMD=()
VG_LOG=
REDIS_PORT=
REDIS_PID=
REDIS_DIR=
LIGHTTPD_PID=
SECRETS_D=
SECRETS_N=0
if [ -n "${AUT_SECRETS_DIR:-}" ]; then
	SECRETS_D=$AUT_SECRETS_DIR/${SCRIPT_NAME_%.sh}.$$
	mkdir -p "$SECRETS_D/logs"
fi

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
	lighttpd_stop
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	redis_stop
	secrets_keep_logs
	vg_sweep
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

# ---------------------------------------------------------------- ports

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

# ---------------------------------------------------------------- redis

# redis_start [PORT]: a throwaway redis-server on 127.0.0.1 (a free port
# unless PORT is given; a restart on the same port reuses its directory, so
# a dump written by redis_stop save comes back).  Sets REDIS_PORT,
# REDIS_PID, REDIS_DIR.  Returns non-zero if it does not answer PING in 10 s.
# With REDIS_AOF=1 it keeps an append-only file fsynced before every reply
# (appendonly yes, appendfsync always): every write it acknowledged
# survives kill -9 and comes back on a restart on the same port.
redis_start() {
	local port=${1:-} i
	local -a persist=(--appendonly no)
	[ "${REDIS_AOF:-0}" = 1 ] &&
	    persist=(--appendonly yes --appendfsync always --appenddirname aof)
	[ -n "$port" ] || port=$(free_port) || return 1
	REDIS_PORT=$port
	REDIS_DIR=$T/redis-$port
	mkdir -p "$REDIS_DIR"
	# Disowned, so that a bare `wait` in a test (for its curls) does not
	# wait for Redis; the shell still reaps it.
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
	    "${persist[@]}" --dir "$REDIS_DIR" --dbfilename dump.rdb \
	    --daemonize no --protected-mode yes \
	    --logfile "$REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
	REDIS_PID=$!
	disown "$REDIS_PID"
	for i in $(seq 1 200); do
		if [ "$(rcli PING 2>/dev/null)" = PONG ]; then
			# a dump being loaded answers PING with -LOADING
			return 0
		fi
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "redis_start: redis-server on port $port did not start" >&2
	cat "$REDIS_DIR/redis.log" >&2 2>/dev/null
	return 1
}

# redis_stop [save]: SHUTDOWN NOSAVE (or SAVE) the redis of redis_start and
# wait for the process to end.  Safe to call when none is running.
redis_stop() {
	local how=NOSAVE i
	[ "${1:-}" = save ] && how=SAVE
	[ -n "$REDIS_PID" ] || return 0
	secrets_keep_redis
	rcli SHUTDOWN "$how" >/dev/null 2>&1
	for i in $(seq 1 100); do
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$REDIS_PID" 2>/dev/null; then
		kill -9 "$REDIS_PID" 2>/dev/null
		sleep 0.1
	fi
	REDIS_PID=
}

# redis_kill: SIGKILL the redis of redis_start (no shutdown, no save) and
# wait until the process is gone.
redis_kill() {
	local i
	[ -n "$REDIS_PID" ] || return 0
	kill -9 "$REDIS_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	REDIS_PID=
}

# rcli ARGS...: redis-cli against the test redis (raw output).
rcli() {
	timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --raw "$@"
}

# redis_dump FILE: every key of every database of the test redis and every
# value, one item a line, into FILE: "KEY DB TYPE NAME", then the value
# (string), field names and values (hash), members (set, list), members
# and scores (zset), entry ids, field names and values (stream).  One
# EVAL, so it is quick however many keys there are.  Returns non-zero (and
# FILE holds the error) if Redis did not answer.
REDIS_DUMP_LUA='
local out = {}
local function add(v) out[#out + 1] = v end
local function addall(t) for _, v in ipairs(t) do add(v) end end
for db = 0, 63 do
	if not pcall(redis.call, "SELECT", db) then break end
	for _, k in ipairs(redis.call("KEYS", "*")) do
		local ty = redis.call("TYPE", k).ok
		add("KEY " .. db .. " " .. ty .. " " .. k)
		if ty == "string" then add(redis.call("GET", k))
		elseif ty == "hash" then addall(redis.call("HGETALL", k))
		elseif ty == "set" then addall(redis.call("SMEMBERS", k))
		elseif ty == "zset" then addall(redis.call("ZRANGE", k, 0, -1, "WITHSCORES"))
		elseif ty == "list" then addall(redis.call("LRANGE", k, 0, -1))
		elseif ty == "stream" then
			for _, e in ipairs(redis.call("XRANGE", k, "-", "+")) do
				add(e[1]); addall(e[2])
			end
		else add("<no dump of type " .. ty .. ">") end
	end
end
return out'
redis_dump() {
	local out=$1
	local first=
	rcli EVAL "$REDIS_DUMP_LUA" 0 >"$out" 2>&1 || return 1
	# redis-cli --raw exits 0 on an error reply (NOAUTH, ...): a dump is
	# a lone newline (no key) or starts with KEY
	IFS= read -r first <"$out"
	[ "$(wc -c <"$out")" -le 1 ] && [ -z "$first" ] && { : >"$out"; return 0; }
	[ "${first:0:4}" = "KEY " ]
}

# ---------------------------------------------------------------- secrets
#
# With AUT_SECRETS_DIR set (tests/run.sh does, for the whole run), each
# script notes into $AUT_SECRETS_DIR/<script>.<pid>/ (SECRETS_D):
#	req	every request body cgi and http sent (and curl's -d data, see
#		curl below), one a line (CR/LF made blanks)
#	resp	every response body they received (and curl's -o files)
#	adm	what autenticacao-admin useradd/passwd read on stdin (the
#		passwords)
#	names	the NAME argument of every admin command
#	redis-PORT.N.dump	redis_dump of the test redis at each redis_stop
#				(.failed next to it if Redis did not answer)
#	logs/	at exit, the service's output the script kept in $T: every
#		*.log and *.err file (lighttpd, Apache, nginx error and access
#		logs, responder stderr, Redis' own log) and all-stderr (the
#		responder's and the admin's stderr of cgi and adm_in)
# tests/suite/secrets_scan.sh reads them after the run.  The test
# scripts' own stdout (tests/tmp/logs/) is not kept: it prints request
# bodies on purpose.

# secrets_note REQUEST_BODY: note one request body and the last answer's
# $BODY (bodies over 64 KiB are left out: no password or token is that
# long, and bash would be slow on them).
secrets_note() {
	[ -n "$SECRETS_D" ] || return 0
	local b=$1
	if [ -n "$b" ] && [ ${#b} -le 65536 ]; then
		printf '%s\n' "${b//[$'\r\n']/ }" >>"$SECRETS_D/req"
	fi
	b=${BODY-}
	if [ -n "$b" ] && [ ${#b} -le 65536 ]; then
		printf '%s\n' "${b//[$'\r\n']/ }" >>"$SECRETS_D/resp"
	fi
}

# secrets_note_adm INPUT COMMAND [NAME...]: note the passwords an
# autenticacao-admin useradd/passwd read on stdin, and its NAME argument.
secrets_note_adm() {
	[ -n "$SECRETS_D" ] || return 0
	case ${2-} in
	useradd|passwd) [ -z "$1" ] || printf '%s\n' "$1" >>"$SECRETS_D/adm" ;;
	esac
	[ -z "${3-}" ] || printf '%s\n' "$3" >>"$SECRETS_D/names"
}

# secrets_keep_redis: dump the test redis before redis_stop stops it.
secrets_keep_redis() {
	[ -n "$SECRETS_D" ] || return 0
	local f
	SECRETS_N=$((SECRETS_N + 1))
	f=$SECRETS_D/redis-$REDIS_PORT.$SECRETS_N.dump
	redis_dump "$f" || mv -f "$f" "$f.failed"
}

# secrets_keep_logs: copy the service's logs of $T into $SECRETS_D/logs
# (a path's slashes become '_').  cgi.err and adm.err are the last run's
# stderr, already in all-stderr.
secrets_keep_logs() {
	[ -n "$SECRETS_D" ] && [ -d "$T" ] || return 0
	local f rel
	while IFS= read -r -d '' f; do
		rel=${f#"$T"/}
		cp -- "$f" "$SECRETS_D/logs/${rel//\//_}" 2>/dev/null
	done < <(find "$T" -type f \( -name '*.log' -o -name '*.err' -o -name all-stderr \) \
	    ! -name cgi.err ! -name adm.err -print0 2>/dev/null)
}

# curl ARGS...: curl itself; with SECRETS_D, its -d/--data* values are
# noted as request bodies and what it wrote to its -o file (a temporary
# file stands in for -o /dev/null) as a response body, so that the tokens
# of scripts that call curl directly are known to the scan too.
curl() {
	[ -n "$SECRETS_D" ] || { command curl "$@"; return; }
	local -a args=()
	local a next= o= tmp= rc d=
	for a in "$@"; do
		case $next in
		o)
			if [ "$a" = /dev/null ]; then
				tmp=$SECRETS_D/curl.$BASHPID.$RANDOM
				a=$tmp
			fi
			o=$a
			;;
		d) d=$a ;;
		esac
		next=
		case $a in
		-o|--output) next=o ;;
		-d|--data|--data-binary|--data-raw|--data-ascii) next=d ;;
		esac
		args+=("$a")
		[ -z "$d" ] || { secrets_note "$d"; d=; }
	done
	command curl "${args[@]}"
	rc=$?
	if [ -n "$o" ] && [ -f "$o" ]; then
		BODY=$(head -c 65536 "$o") secrets_note ''
	fi
	[ -z "$tmp" ] || rm -f "$tmp"
	return $rc
}

# ---------------------------------------------------------------- config

# conf_write [FILE] [KEY=VALUE...]: write a responder/admin config for the
# test redis with a cheap scrypt cost; each KEY=VALUE replaces the default
# of KEY or adds a line (a value of "-" drops KEY).  A bare line without
# "=" is written as is.  Without FILE: writes $T/autenticacao.conf with a
# new unique key_prefix and sets CONF (the helpers' config) and PREFIX.
# With FILE: an extra config of the same key_prefix ($PREFIX) unless
# KEY=VALUE says otherwise; CONF and PREFIX are left alone.
conf_write() {
	local file=$T/autenticacao.conf kv k v i found own=1
	case ${1:-} in *=*|'') ;; *) file=$1; own=0; shift ;; esac
	local pfx=$PREFIX
	[ $own = 1 ] && pfx="t$RANDOM$RANDOM:"
	# max_failures is high so that the many failed logins of one script
	# from 127.0.0.1 do not ban it; the brute-force tests set it low.
	local -a keys=(redis_host redis_port key_prefix scrypt_n scrypt_r scrypt_p redis_timeout_ms max_failures)
	local -a vals=(127.0.0.1 "${REDIS_PORT:-6379}" "$pfx" 1024 8 1 500 100000)
	local -a raw=()
	for kv in "$@"; do
		case $kv in
		*=*) ;;
		*) raw+=("$kv"); continue ;;
		esac
		k=${kv%%=*}
		v=${kv#*=}
		found=0
		for i in "${!keys[@]}"; do
			if [ "${keys[$i]}" = "$k" ]; then
				vals[$i]=$v
				found=1
			fi
		done
		if [ $found = 0 ]; then
			keys+=("$k")
			vals+=("$v")
		fi
		[ "$k" = key_prefix ] && pfx=$v
	done
	{
		echo "# written by tests/lib.sh for $SCRIPT_NAME_"
		for i in "${!keys[@]}"; do
			[ "${vals[$i]}" = - ] && continue
			printf '%s = %s\n' "${keys[$i]}" "${vals[$i]}"
		done
		for kv in "${raw[@]}"; do printf '%s\n' "$kv"; done
	} >"$file"
	if [ $own = 1 ]; then
		CONF=$file
		PREFIX=$pfx
	fi
}

# conf_get KEY [FILE]: the value of KEY in a config written by conf_write.
conf_get() {
	sed -n "s/^$1 = //p" "${2:-$CONF}" | tail -n 1
}

# ---------------------------------------------------------------- valgrind

# vg_prefix NAME: with VALGRIND=1, set VG_CMD to the words that run one
# program under memcheck with its report in a new file VG_LOG
# ($T/vg/<n>-NAME.log, empty when memcheck found nothing); else VG_CMD=()
# and VG_LOG="".  VG_SKIP=1 (for one call, or local to a function) runs
# the program without valgrind: for the many repetitions of one code path
# that a test needs as set-up, since memcheck costs about half a CPU
# second per process however little it runs.
vg_prefix() {
	VG_CMD=()
	VG_LOG=
	[ "$VALGRIND" = 1 ] && [ "${VG_SKIP:-0}" != 1 ] || return 0
	VG_N=$((VG_N + 1))
	mkdir -p "$T/vg"
	VG_LOG=$T/vg/$VG_N-$1.log
	VG_CMD=(valgrind "${VG_FLAGS[@]}" "--log-file=$VG_LOG")
}

# vg_check: after a run started with VG_CMD, print the first lines of its
# memcheck report (nothing when clean) and mark the report as seen, so
# that vg_sweep does not count it twice.
vg_check() {
	[ -n "$VG_LOG" ] && [ -s "$VG_LOG" ] || return 0
	grep -v '^==[0-9]*== *$' "$VG_LOG" | sed 's/^==[0-9]*== //' | head -n 12 | tr '\n' ' '
	mv "$VG_LOG" "$VG_LOG.seen"
}

# vg_sweep: one failure per memcheck report nobody looked at (programs
# run through a bin_path wrapper).  Called by the EXIT trap.
vg_sweep() {
	local f
	[ -d "$T/vg" ] || return 0
	for f in "$T"/vg/*.log; do
		[ -s "$f" ] || continue
		notok "valgrind: $(basename "$f" .log) runs cleanly" \
		    "$(grep -v '^==[0-9]*== *$' "$f" | sed 's/^==[0-9]*== //' | head -n 12 | tr '\n' ' ')"
		mv "$f" "$f.seen"
	done
}

# bin_path NAME: the path to run "$BUILD"/NAME by: the binary itself, or
# with VALGRIND=1 a wrapper script that runs it under memcheck (its reports
# are counted by vg_sweep at the end of the script).
bin_path() {
	local w
	if [ "$VALGRIND" != 1 ]; then
		printf '%s\n' "$BUILD/$1"
		return 0
	fi
	mkdir -p "$T/vg" "$T/vg-bin"
	w=$T/vg-bin/$1
	{
		echo '#!/bin/sh'
		printf 'exec valgrind'
		printf " '%s'" "${VG_FLAGS[@]}" "--log-file=$T/vg/$1-%p.log" "$BUILD/$1"
		printf ' "$@"\n'
	} >"$w"
	chmod +x "$w"
	printf '%s\n' "$w"
}

# ---------------------------------------------------------------- CGI

# cgi METHOD PATH [BODY] [VAR=VALUE | -VAR ...]
#
# Runs "$BUILD"/autenticacao.fcgi once as a plain CGI program: env -i with
# the CGI/1.1 meta-variables of a request to PATH (SCRIPT_NAME empty,
# PATH_INFO and REQUEST_URI = PATH), CONTENT_TYPE application/json and
# CONTENT_LENGTH = the byte length of BODY (both only when there is a body
# or the method is not GET/HEAD), REMOTE_ADDR 127.0.0.1, AUTENTICACAO_CONF
# $CONF; BODY on stdin.  VAR=VALUE sets or replaces a variable (e.g.
# CONTENT_LENGTH=abc, HTTP_AUTHORIZATION=...), -VAR removes it.
#
# Knobs (set for one call, e.g. CGI_BODY_FILE=f cgi POST ...):
#	CGI_BODY_FILE	send this file's bytes instead of BODY (exact bytes,
#			NULs included; CONTENT_LENGTH is its size)
#	CGI_HOLD=1	keep stdin open (never EOF) after the body
#	CGI_ARGV	extra command-line words: a bash array that stays in
#			force until unset (CGI_ARGV=(--help); ...; unset CGI_ARGV)
#
# Results: STATUS (number of the Status: line, "" if none), HEADERS (the
# header block, CR removed), BODY (the body), and files $OUT (raw stdout),
# $ERR (stderr), $BODYF (body), $HDRF (headers); CGI_RC (exit status),
# CGI_MS (wall time).  Every stderr is also appended to $T/all-stderr.  A
# sanitizer report, a crash or a timeout fails the current test.
cgi() {
	local method=$1 path=$2 body=${3-} kv name i hold_pid=
	shift 2
	[ $# -gt 0 ] && shift
	local -a env=(
		"GATEWAY_INTERFACE=CGI/1.1"
		"SERVER_PROTOCOL=HTTP/1.1"
		"SERVER_SOFTWARE=autenticacao-tests"
		"SERVER_NAME=localhost"
		"SERVER_PORT=80"
		"REQUEST_METHOD=$method"
		"SCRIPT_NAME="
		"PATH_INFO=$path"
		"REQUEST_URI=$path"
		"QUERY_STRING="
		"REMOTE_ADDR=127.0.0.1"
		"REMOTE_PORT=40000"
		"AUTENTICACAO_CONF=${CONF:-}"
	)
	local infile=$T/cgi.in
	if [ -n "${CGI_BODY_FILE:-}" ]; then
		infile=$CGI_BODY_FILE
	else
		printf '%s' "$body" >"$infile"
	fi
	local len
	if [ -n "${CGI_BODY_FILE:-}" ]; then
		len=$(wc -c <"$infile")
		len=${len//[^0-9]/}
	else
		local LC_ALL=C
		len=${#body}
	fi
	if [ "$len" -gt 0 ] || { [ "$method" != GET ] && [ "$method" != HEAD ]; }; then
		env+=("CONTENT_TYPE=application/json" "CONTENT_LENGTH=$len")
	fi
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -n "${!v:-}" ] && env+=("$v=${!v}")
	done
	for kv in "$@"; do
		case $kv in
		-*) name=${kv#-} ;;
		*=*) name=${kv%%=*} ;;
		*) echo "cgi: bad argument '$kv'" >&2; continue ;;
		esac
		for i in "${!env[@]}"; do
			[ "${env[$i]%%=*}" = "$name" ] && unset 'env[i]'
		done
		case $kv in -*) ;; *) env+=("$kv") ;; esac
	done
	OUT=$T/cgi.out ERR=$T/cgi.err BODYF=$T/cgi.body HDRF=$T/cgi.hdr
	local stdin_src=$infile
	if [ "${CGI_HOLD:-0}" = 1 ]; then
		rm -f "$T/cgi.fifo"
		mkfifo "$T/cgi.fifo"
		(cat "$infile"; exec sleep 60) >"$T/cgi.fifo" &
		hold_pid=$!
		stdin_src=$T/cgi.fifo
	fi
	local t0 t1
	t0=${EPOCHREALTIME/[.,]/}
	vg_prefix cgi
	timeout -k 2 "$CGI_TIMEOUT" env -i "${env[@]}" ${VG_CMD[@]+"${VG_CMD[@]}"} \
	    "$BUILD/autenticacao.fcgi" ${CGI_ARGV[@]+"${CGI_ARGV[@]}"} \
	    <"$stdin_src" >"$OUT" 2>"$ERR"
	CGI_RC=$?
	CGI_VG=$(vg_check)
	t1=${EPOCHREALTIME/[.,]/}
	CGI_MS=$(((t1 - t0) / 1000))
	if [ -n "$hold_pid" ]; then
		kill "$hold_pid" 2>/dev/null
		wait "$hold_pid" 2>/dev/null
	fi
	CGI_ERR=$(<"$ERR")
	[ -z "$CGI_ERR" ] || printf '%s\n' "$CGI_ERR" >>"$T/all-stderr"
	cgi_split "$OUT"
	secrets_note "$body"
	cgi_health_check "cgi $method $(short "$path")"
}

# cgi_health_check WHAT: fail the current test (or report a separate
# failure) on a sanitizer report, a crash or a timeout of the last run.
cgi_health_check() {
	local why=
	if [[ $CGI_ERR =~ $SAN_PATTERN ]]; then
		why="sanitizer report: $(grep -Em1 "$SAN_PATTERN" "$ERR")"
	elif [ -n "${CGI_VG:-}" ]; then
		why="valgrind report: $CGI_VG"
	elif [ "$VALGRIND" = 1 ] && [ "$CGI_RC" = 99 ]; then
		why="valgrind exit 99 without a report"
	elif [ "$CGI_RC" = 124 ] || [ "$CGI_RC" = 137 ]; then
		why="timed out after ${CGI_TIMEOUT}s"
	elif [ "$CGI_RC" = 127 ] || [ "$CGI_RC" = 126 ]; then
		why="could not run $BUILD/autenticacao.fcgi (exit $CGI_RC)"
	elif [ "$CGI_RC" -ge 128 ]; then
		why="crashed (exit $CGI_RC): $(tail -n 3 "$ERR" | tr '\n' ' ')"
	fi
	[ -n "$why" ] || return 0
	if [ -n "$T_NAME" ]; then
		t_fail "$1: $why"
	else
		notok "$1 runs cleanly" "$why"
	fi
}

# cgi_split FILE: split a CGI answer into STATUS, HEADERS/$HDRF (the
# header lines, CR removed), BODY/$BODYF.
cgi_split() {
	local line hs= rest=
	{
		while IFS= read -r line; do
			line=${line%$'\r'}
			[ -z "$line" ] && break
			hs+=$line$'\n'
		done
		IFS= read -r -d '' rest
	} <"$1"
	printf '%s' "$hs" >"$HDRF"
	printf '%s' "$rest" >"$BODYF"
	HEADERS=${hs%$'\n'}
	BODY=$rest
	JSUM_OF=
	STATUS=
	[[ $'\n'$HEADERS =~ $'\n'[Ss][Tt][Aa][Tt][Uu][Ss]:[[:space:]]*([0-9][0-9][0-9]) ]] &&
	    STATUS=${BASH_REMATCH[1]}
}

# hdr NAME: the value of header NAME in the last answer (case-insensitive
# name, first occurrence, surrounding blanks stripped).  hdr_count NAME:
# how many times it occurs.
hdr() {
	local line n v k
	n=${1,,}
	while IFS= read -r line; do
		[[ $line == *:* ]] || continue
		k=${line%%:*}
		if [ "${k,,}" = "$n" ]; then
			v=${line#*:}
			v=${v#"${v%%[![:space:]]*}"}
			v=${v%"${v##*[![:space:]]}"}
			printf '%s\n' "$v"
			return 0
		fi
	done <<<"$HEADERS"
}
hdr_count() {
	local line c=0 n=${1,,} k
	while IFS= read -r line; do
		[[ $line == *:* ]] || continue
		k=${line%%:*}
		[ "${k,,}" = "$n" ] && c=$((c + 1))
	done <<<"$HEADERS"
	printf '%s\n' "$c"
}

# jget FILTER [FILE]: jq -r FILTER on the last body (or FILE); prints
# "<invalid json>" when the body does not parse.
jget() {
	jq -r "$1" <"${2:-$BODYF}" 2>/dev/null || echo "<invalid json>"
}

# json_str STRING: STRING as a JSON string literal.
json_str() {
	jq -Rn --arg s "$1" '$s'
}

# t_status WANT: the last answer's status.
t_status() {
	t_eq "status" "$STATUS" "$1"
}

# t_json_ct: the last answer is JSON with the contract's Content-Type.
t_json_ct() {
	t_match "Content-Type" "$(hdr Content-Type)" '^application/json; *charset=utf-8$'
}

# jsum: one jq pass over the last body into J_* variables (cached per
# answer): J_OK (1 if it parses), J_SUCCESS, J_CODE, J_MESSAGE (type
# checked), J_FIELD ("<absent>" if none), J_KEYS, J_EKEYS.
jsum() {
	[ "$JSUM_OF" = "$BODYF:$STATUS:$BODY" ] && return 0
	JSUM_OF="$BODYF:$STATUS:$BODY"
	local -a v=()
	mapfile -t v <<<"$(jq -r '(.success|tojson),
	    (.error.code // "<absent>" | tostring | gsub("[\r\n]"; " ")),
	    (.error.message | if type == "string" then gsub("[\r\n]"; " ") else "<not a string>" end),
	    (if (.error|type) == "object" and (.error|has("field")) then .error.field|tostring|gsub("[\r\n]"; " ") else "<absent>" end),
	    (keys|tojson), (.error|if type == "object" then keys|tojson else "<none>" end)' \
	    <"$BODYF" 2>/dev/null)"
	if [ ${#v[@]} -eq 6 ]; then
		J_OK=1
	else
		J_OK=0
		v=("<invalid json>" "<invalid json>" "" "" "" "")
	fi
	J_SUCCESS=${v[0]} J_CODE=${v[1]} J_MESSAGE=${v[2]} J_FIELD=${v[3]}
	J_KEYS=${v[4]} J_EKEYS=${v[5]}
}

# t_error STATUS CODE [FIELD]: the last answer is the contract's error body
# with that status and code; FIELD given means error.field must be it,
# absent means there must be no error.field.  MISSING_FIELD and
# INVALID_FIELD messages are the decided ones (docs/design.md).
t_error() {
	local st=$1 code=$2 field=${3-} keys
	t_status "$st"
	t_json_ct
	jsum
	if [ "$J_OK" != 1 ]; then
		t_fail "body is not JSON: '$(short "$BODY")'"
		return
	fi
	t_eq "body.success" "$J_SUCCESS" false
	t_eq "error.code" "$J_CODE" "$code"
	t_match "error.message" "$J_MESSAGE" '^[^<].'
	if [ $# -ge 3 ]; then
		t_eq "error.field" "$J_FIELD" "$field"
		keys='["code","field","message"]'
	else
		t_eq "error.field (absent)" "$J_FIELD" "<absent>"
		keys='["code","message"]'
	fi
	t_eq "top-level keys" "$J_KEYS" '["error","success"]'
	t_eq "error keys" "$J_EKEYS" "$keys"
	case $code in
	MISSING_FIELD) t_eq "message" "$J_MESSAGE" "Campo obrigatório ausente: $field" ;;
	INVALID_FIELD) t_eq "message" "$J_MESSAGE" "Campo inválido: $field" ;;
	esac
}

# expect_error NAME STATUS CODE [FIELD] -- cgi ARGS...: one whole test.
expect_error() {
	local name=$1 st=$2 code=$3 field= hasfield=0
	shift 3
	if [ "$1" != -- ]; then field=$1; hasfield=1; shift; fi
	shift
	t_begin "$name"
	cgi "$@"
	if [ $hasfield = 1 ]; then t_error "$st" "$code" "$field"; else t_error "$st" "$code"; fi
	t_end
}

# bare TOKEN: TOKEN without its "Bearer " prefix.
bare() {
	printf '%s' "${1#Bearer }"
}

# sha256 STRING: lowercase hex SHA-256 of STRING.
sha256() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# secret_of TOKEN: the secret part of a token (after its last '.').
secret_of() {
	local t
	t=$(bare "$1")
	printf '%s' "${t##*.}"
}

# ---------------------------------------------------------------- admin

# adm ARGS...: "$BUILD"/autenticacao-admin -c "$CONF" ARGS with stdin
# from /dev/null; adm_in INPUT ARGS...: the same with INPUT on stdin.
# Sets ADM_RC, ADM_OUT/ADM_ERR (text) and $ADM_OUTF/$ADM_ERRF.
adm() {
	adm_in '' "$@" </dev/null
}
adm_in() {
	local input=$1
	shift
	ADM_OUTF=$T/adm.out ADM_ERRF=$T/adm.err
	printf '%s' "$input" >"$T/adm.in"
	secrets_note_adm "$input" "$@"
	vg_prefix admin
	timeout -k 2 "$CGI_TIMEOUT" ${VG_CMD[@]+"${VG_CMD[@]}"} \
	    "$BUILD/autenticacao-admin" -c "$CONF" "$@" \
	    <"$T/adm.in" >"$ADM_OUTF" 2>"$ADM_ERRF"
	ADM_RC=$?
	local vg
	vg=$(vg_check)
	ADM_OUT=$(<"$ADM_OUTF")
	ADM_ERR=$(<"$ADM_ERRF")
	cat "$ADM_ERRF" >>"$T/all-stderr"
	local why=
	if grep -Eq "$SAN_PATTERN" "$ADM_ERRF"; then
		why="sanitizer report in autenticacao-admin $1: $(grep -Em1 "$SAN_PATTERN" "$ADM_ERRF")"
	elif [ -n "$vg" ]; then
		why="valgrind report in autenticacao-admin $1: $vg"
	elif [ "$VALGRIND" = 1 ] && [ "$ADM_RC" = 99 ]; then
		why="autenticacao-admin $1: valgrind exit 99 without a report"
	elif [ "$ADM_RC" -ge 124 ]; then
		why="autenticacao-admin $1 crashed, timed out or did not run (exit $ADM_RC)"
	fi
	if [ -n "$why" ]; then
		if [ -n "$T_NAME" ]; then t_fail "$why"; else notok "admin $1 runs cleanly" "$why"; fi
	fi
	return 0
}

# user_add NAME PASSWORD: create a user (a failing test if it cannot).
user_add() {
	adm_in "$2"$'\n' useradd "$1"
	if [ "$ADM_RC" != 0 ]; then
		notok "setup: useradd $1" "exit $ADM_RC: $ADM_ERR"
		return 1
	fi
	return 0
}

# login NAME PASSWORD [VAR=VALUE...]: POST /login; on 200 sets SID, AUTH,
# CORBAN, REFRESH (the answer's strings, "Bearer " included).
login() {
	local u=$1 p=$2
	shift 2
	cgi POST "$API/login" "$(jq -cn --arg u "$u" --arg p "$p" '{username:$u,password:$p}')" "$@"
	take_tokens
}

# refresh_session SID NAME PASSWORD [VAR=VALUE...]: POST /refresh-session;
# on 200 sets SID, AUTH, CORBAN, REFRESH.
refresh_session() {
	local s=$1 u=$2 p=$3
	shift 3
	cgi POST "$API/refresh-session" "$(jq -cn --arg s "$s" --arg u "$u" --arg p "$p" \
	    '{sessionId:$s,username:$u,password:$p}')" "$@"
	take_tokens
}

take_tokens() {
	if [ "$STATUS" = 200 ]; then
		SID=$(jget .data.sessionId)
		AUTH=$(jget .data.authorization)
		CORBAN=$(jget .data.authorizationCorban)
		REFRESH=$(jget .data.refreshToken)
	fi
}

# session_get AUTHORIZATION: GET /session with that Authorization value.
session_get() {
	cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$1"
}

# t_token_shape WHAT VALUE: "Bearer " + a URL-safe token of at most 256
# bytes whose secret part (after its last '.', or all of it) is at least
# 22 base64url characters (128 bits).
t_token_shape() {
	local val=$2 t
	t_match "$1 prefix" "$val" '^Bearer '
	t=$(bare "$val")
	t_match "$1 charset" "$t" '^[A-Za-z0-9._~-]{1,256}$'
	t_match "$1 secret" "${t##*.}" '^[A-Za-z0-9_-]{22,}$'
}

# ---------------------------------------------------------------- lighttpd

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

# http METHOD PATH [BODY] [curl args...]: one request through lighttpd.
# Sets STATUS (the HTTP code, 000 on no answer), HEADERS/$HDRF, BODY/$BODYF,
# HTTP_S (curl's time_total).  Notes its bodies itself (secrets_note), so it
# calls curl past the curl function.
http() {
	local method=$1 path=$2 body=${3-} w
	shift 2
	[ $# -gt 0 ] && shift
	HDRF=$T/http.hdr BODYF=$T/http.body
	local -a data=()
	if [ -n "$body" ]; then
		data=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	w=$(command curl -s -m 10 -X "$method" -o "$BODYF" -D "$T/http.rawhdr" \
	    -w '%{http_code} %{time_total}' "${data[@]}" "$@" "$BASE$path")
	STATUS=${w%% *}
	HTTP_S=${w#* }
	tr -d '\r' <"$T/http.rawhdr" 2>/dev/null | sed '1d;/^$/d' >"$HDRF"
	HEADERS=$(cat "$HDRF")
	BODY=$(cat "$BODYF" 2>/dev/null)
	secrets_note "$body"
}

# raw_http FILE [keep]: send FILE's bytes as they are to lighttpd over one
# TCP connection, then shut the sending side (unless "keep") and read the
# answer until lighttpd closes or 10 s pass (perl, from perl-base).  Sets
# RAW_STATUS (the status line's code, 000 for no answer), RAW (the answer,
# CR removed), RAW_MS and RAW_CLOSED (1 if lighttpd closed the connection
# within the 10 s).
raw_http() {
	local t0 t1 out
	t0=$(now_ms)
	out=$(perl -MIO::Socket::INET -e '
		my ($port, $file, $keep) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Proto => "tcp") or die "connect: $!\n";
		open(my $f, "<:raw", $file) or die "$file: $!\n";
		local $/; my $b = <$f>;
		print $s $b;
		$s->shutdown(1) unless $keep;
		my ($ans, $closed) = ("", 0);
		eval {
			local $SIG{ALRM} = sub { die "timeout\n" };
			alarm 10;
			while (1) {
				my $n = sysread($s, my $buf, 65536);
				last unless $n;
				$ans .= $buf;
			}
			alarm 0;
			$closed = 1;
		};
		print "$closed\n$ans";
	' "$HTTP_PORT" "$1" "${2:-}" 2>&1)
	t1=$(now_ms)
	RAW_MS=$((t1 - t0))
	RAW_CLOSED=${out%%$'\n'*}
	RAW=$(printf '%s' "${out#*$'\n'}" | tr -d '\r')
	RAW_STATUS=000
	[[ $RAW =~ ^HTTP/1\.[01]\ ([0-9][0-9][0-9]) ]] && RAW_STATUS=${BASH_REMATCH[1]}
}

# t_lighttpd_clean: no sanitizer report in lighttpd's error log (where the
# responder's stderr goes).
t_lighttpd_clean() {
	if grep -Eq "$SAN_PATTERN" "$LIGHTTPD_LOG" 2>/dev/null; then
		t_fail "sanitizer report in lighttpd error log: $(grep -Em1 "$SAN_PATTERN" "$LIGHTTPD_LOG")"
	fi
}

# ---------------------------------------------------------------- validation

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

# field_cases EP BASE FIELD MAX KIND: every per-field validation case of
# docs/API.md for FIELD of endpoint EP (path under $API), BASE being a valid
# body.  KIND is "text" (username, password: any UTF-8 without control
# characters) or "id" (sessionId: URL-safe characters only).
field_cases() {
	local ep=$1 base=$2 f=$3 max=$4 kind=$5 b long
	local P="$ep $f"
	expect_error "$P missing -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" "del(.$f)")"
	expect_error "$P null -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = null")"
	expect_error "$P empty string -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"\"")"
	expect_error "$P number -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = 12345")"
	expect_error "$P zero -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = 0")"
	expect_error "$P array -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = [\"abc\"]")"
	expect_error "$P empty array -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = []")"
	expect_error "$P object -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = {\"a\":\"b\"}")"
	expect_error "$P bool true -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = true")"
	expect_error "$P bool false -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = false")"
	long=$(repeat a $((max + 1)))
	expect_error "$P of $((max + 1)) bytes -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	long=$(repeat a $((max * 4)))
	expect_error "$P of $((max * 4)) bytes -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	expect_error "$P with \\u0001 -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\u0001cd\"")"
	expect_error "$P with \\n -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\ncd\"")"
	expect_error "$P with \\r\\n -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\r\\nX-Injected: 1\"")"
	expect_error "$P with \\t -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\tcd\"")"
	expect_error "$P with \\u001f -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\u001fcd\"")"
	# jq cannot make a NUL inside a string: write the escape by hand.
	b=$(with "$base" ".$f = \"NULHERE\"")
	expect_error "$P with \\u0000 inside -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/ab\\u0000cd}"
	expect_error "$P with \\u0000 at the end -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/abcd\\u0000}"
	expect_error "$P of only \\u0000 -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/\\u0000}"
	if [ "$kind" = text ]; then
		# limits are in bytes: "é" is two
		long=$(repeat é $((max / 2 + 1)))
		expect_error "$P of $((max / 2 + 1)) two-byte characters ($((max + 2)) bytes) -> INVALID_FIELD" \
		    400 INVALID_FIELD "$f" -- POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	else
		local bad
		for bad in 'abc/def' 'abc def' 'abc+def' 'abc=' 'abc%41' 'abcé' 'abc"q' 'a:b' 'Bearer abc'; do
			expect_error "$P with non-URL-safe '$bad' -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
			    POST "$API/$ep" "$(jq -c --arg v "$bad" ".$f = \$v" <<<"$base")"
		done
	fi
}

# body_cases EP BASE FIRSTFIELD: every whole-body validation case of
# docs/API.md for endpoint EP: INVALID_JSON cases and field order.
body_cases() {
	local ep=$1 base=$2 first=$3 inner deep
	local P="$ep body"
	inner=${base#\{}
	inner=${inner%\}}
	expect_error "$P empty (CONTENT_LENGTH 0) -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" ""
	expect_error "$P only whitespace -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "   "
	expect_error "$P truncated -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base%\}}"
	expect_error "$P cut inside a string -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base:0:$((${#base} / 2))}"
	expect_error "$P only '{' -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{"
	expect_error "$P trailing garbage -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base}xyz"
	expect_error "$P two objects -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base}${base}"
	expect_error "$P trailing comma-object -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base},{}"
	expect_error "$P array -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "[$base]"
	expect_error "$P string -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" '"username"'
	expect_error "$P number -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" '42'
	expect_error "$P null -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'null'
	expect_error "$P true -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'true'
	expect_error "$P form-encoded -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'username=a&password=b'
	expect_error "$P single quotes -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "$(printf '%s' "$base" | tr '"' "'")"
	expect_error "$P unquoted keys -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "$(printf '%s' "$base" | sed 's/"\([A-Za-z]*\)":/\1:/g')"
	expect_error "$P trailing comma -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,}"
	expect_error "$P with a /* comment */ -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{/* c */$inner}"
	expect_error "$P NaN in an unknown field -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":NaN}"
	expect_error "$P duplicate key $first -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"$first\":\"other\"}"
	expect_error "$P duplicate key $first with the same value -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"$first\":$(jq -c ".$first" <<<"$base")}"
	expect_error "$P duplicate unknown key -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{\"x\":1,$inner,\"x\":2}"
	deep=$(repeat '[' 20)1$(repeat ']' 20)
	expect_error "$P nested 20 deep -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	deep=$(repeat '{"a":' 12)1$(repeat '}' 12)
	expect_error "$P objects nested 13 deep -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	deep=$(repeat '[' 4000)$(repeat ']' 4000)
	expect_error "$P nested 4000 deep (no stack overflow) -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	# invalid UTF-8, raw bytes in a value and in a key
	local seq name
	for seq in 'ff:\xff' 'c0af-overlong:\xc0\xaf' 'surrogate-ed-a0-80:\xed\xa0\x80' \
	    'truncated-e2-82:\xe2\x82' 'lone-continuation-80:\x80' 'f5-beyond-unicode:\xf5\x80\x80\x80'; do
		name=${seq%%:*}
		printf "{\"%s\":\"ab${seq#*:}cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
		CGI_BODY_FILE=$T/raw.json expect_error "$P invalid UTF-8 ($name) in $first -> INVALID_JSON" \
		    400 INVALID_JSON -- POST "$API/$ep"
	done
	printf "{\"k\xffk\":1,%s}" "$inner" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P invalid UTF-8 in a key -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	# exact bytes with NULs: a C-string reader would stop at the NUL
	printf '%s\0garbage' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P raw NUL byte after the object -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	printf '%s\0' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P trailing raw NUL byte -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	printf '\0%s' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P leading raw NUL byte -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	# a raw (unescaped) control byte inside a string is not JSON
	# (RFC 8259 section 7); INVALID_FIELD would also name the problem
	printf "{\"%s\":\"ab\001cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
	t_begin "$P raw control byte in $first -> 400 INVALID_JSON or INVALID_FIELD"
	CGI_BODY_FILE=$T/raw.json cgi POST "$API/$ep"
	t_status 400
	t_match "error.code" "$(jget .error.code)" '^(INVALID_JSON|INVALID_FIELD)$'
	t_end
	printf "{\"%s\":\"ab\0cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
	t_begin "$P raw NUL byte inside $first -> 400 INVALID_JSON or INVALID_FIELD"
	CGI_BODY_FILE=$T/raw.json cgi POST "$API/$ep"
	t_status 400
	t_match "error.code" "$(jget .error.code)" '^(INVALID_JSON|INVALID_FIELD)$'
	t_end
	expect_error "$P {} -> MISSING_FIELD $first (the first field of the table)" \
	    400 MISSING_FIELD "$first" -- POST "$API/$ep" '{}'
	expect_error "$P only unknown fields -> MISSING_FIELD $first" \
	    400 MISSING_FIELD "$first" -- POST "$API/$ep" '{"foo":"bar","n":1}'
	expect_error "$P invalid JSON wins over missing fields" \
	    400 INVALID_JSON -- POST "$API/$ep" '{"foo":'
}

# ---------------------------------------------------------------- load

# Sequential clients through lighttpd, one per session, for the
# fault-injection tests (tests/e2e/fault_*.sh).  Many run in parallel; the
# requests of one are sequential, so its "last answer" is well defined.
# Client I keeps its files in $T/c<I>/: "cred" (user and password), "log"
# (one line per request: N KIND CODE SECONDS START_MS END_MS, N 0 being
# the login; START_MS is taken before curl starts, END_MS after it ended),
# and N.json (answer N's body).  KIND is rs (refresh-session), rt
# (refresh-token with the refresh token of the last rotation answered 200)
# or gs (GET /session with its authorization).
#
# The client's policy: after a 200 the next request is the next word of
# LOAD_CYCLE (default "rt rs") after the last one's kind; after anything
# else refresh-session, since a request that was not answered 200 may
# have spent the refresh token (the write applied, the answer lost).

# load_login I USER PASSWORD: log session I in; false (and a failing test)
# if that is not a 200.
load_login() {
	local d=$T/c$1
	mkdir -p "$d"
	printf '%s\n%s\n' "$2" "$3" >"$d/cred"
	http POST "$API/login" "$(jq -cn --arg u "$2" --arg p "$3" '{username:$u,password:$p}')"
	cp "$BODYF" "$d/0.json"
	echo "0 login $STATUS $HTTP_S $(now_ms) $(now_ms)" >"$d/log"
	[ "$STATUS" = 200 ] && return 0
	notok "setup: login of session $1" "status $STATUS: $(short "$BODY")"
	return 1
}

# load_last_rotation I: N of the last rotation (login, rs, rt) answered 200.
load_last_rotation() {
	awk '$3 == 200 && $2 != "gs" { n = $1 } END { print n }' "$T/c$1/log"
}

# load_start N: start clients 1..N in the background (until $T/stop
# exists, see load_client); load_wait waits for them all.
load_start() {
	local i
	rm -f "$T/stop"
	LOAD_PIDS=()
	for i in $(seq 1 "$1"); do
		load_client "$i" &
		LOAD_PIDS+=($!)
	done
}
load_wait() {
	local p
	for p in "${LOAD_PIDS[@]}"; do wait "$p"; done
	LOAD_PIDS=()
}

# load_once N: clients 1..N each go on until their first 200, all at once.
load_once() {
	local i
	LOAD_PIDS=()
	for i in $(seq 1 "$1"); do
		load_client "$i" once &
		LOAD_PIDS+=($!)
	done
	load_wait
}

# load_client I [once]: run client I until $T/stop exists, or with "once"
# until its first 200 (at most 20 requests).  Continues from its log.
# Forks only curl per request, and one jq per rotation answered 200.
load_client() {
	local i=$1 once=${2:-} d=$T/c$1 n code lkind kind w sid rt auth rs
	local tries=0 t0 next last j
	local -a cyc
	read -r -a cyc <<<"${LOAD_CYCLE:-rt rs}"
	read -r n lkind code _ < <(tail -n 1 "$d/log")
	last=$(load_last_rotation "$i")
	{ read -r sid; read -r rt; read -r auth; } < <(jq -r '.data.sessionId,
	    .data.refreshToken, .data.authorization' "$d/$last.json")
	rs=$(jq -cn --arg s "$sid" --rawfile c "$d/cred" \
	    '($c | split("\n")) as $l | {sessionId:$s,username:$l[0],password:$l[1]}')
	while :; do
		n=$((n + 1))
		if [ -n "$once" ]; then
			[ "$code" = 200 ] && [ "$tries" -gt 0 ] && return 0
			[ "$tries" -ge 20 ] && return 0
			tries=$((tries + 1))
		elif [ -e "$T/stop" ]; then
			return 0
		fi
		kind=rs
		if [ "$code" = 200 ]; then
			next=0
			for j in "${!cyc[@]}"; do
				[ "${cyc[$j]}" = "$lkind" ] && next=$(((j + 1) % ${#cyc[@]}))
			done
			kind=${cyc[$next]}
		fi
		t0=$(now_ms)
		case $kind in
		rt)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -X POST -H 'Content-Type: application/json' \
			    --data-binary "{\"sessionId\":\"$sid\",\"refreshToken\":\"$rt\"}" \
			    "$BASE$API/refresh-token") ;;
		gs)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -H "Authorization: $auth" "$BASE$API/session") ;;
		*)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -X POST -H 'Content-Type: application/json' \
			    --data-binary "$rs" "$BASE$API/refresh-session") ;;
		esac
		[ -n "$w" ] || w="000 0"
		echo "$n $kind $w $t0 $(now_ms)" >>"$d/log"
		code=${w%% *}
		lkind=$kind
		if [ "$code" != 200 ]; then
			sleep 0.05
		elif [ "$kind" != gs ]; then
			{ read -r rt; read -r auth; } < <(jq -r \
			    '.data.refreshToken, .data.authorization' "$d/$n.json")
		fi
	done
}

# load_count: how many requests the clients made so far (logins included).
load_count() {
	cat "$T"/c*/log | wc -l
}

# load_answers N: every request after the login of clients 1..N, one a
# line: I N KIND CODE SECONDS START_MS END_MS.
load_answers() {
	local i
	for i in $(seq 1 "$1"); do
		awk -v s="$i" '$1 > 0 { print s, $0 }' "$T/c$i/log"
	done
}

# load_generations I: one line per rotation of session I answered 200 (the
# login included), in order: N AH CH RH, the SHA-256 of its authorization,
# authorizationCorban and refreshToken.
load_generations() {
	local d=$T/c$1 n k c a cb r
	local -a ns=()
	rm -rf "$d/h"
	mkdir -p "$d/h"
	while read -r n k c _; do
		[ "$c" = 200 ] && [ "$k" != gs ] && ns+=("$n")
	done <"$d/log"
	(cd "$d" && jq -r '[.data.authorization, .data.authorizationCorban,
	    .data.refreshToken] | map(sub("^Bearer "; "")) | join(" ")' \
	    $(printf '%s.json ' "${ns[@]}")) >"$d/h/tokens"
	n=0
	while read -r a cb r; do
		printf '%s' "$a" >"$d/h/${ns[$n]}.a"
		printf '%s' "$cb" >"$d/h/${ns[$n]}.c"
		printf '%s' "$r" >"$d/h/${ns[$n]}.r"
		n=$((n + 1))
	done <"$d/h/tokens"
	(cd "$d/h" && sha256sum -- *.a *.c *.r) | awk '
		{ split($2, f, "."); h[f[1], f[2]] = $1
		  if (!(f[1] in seen)) { seen[f[1]] = 1; ns[++k] = f[1] } }
		END { for (i = 1; i <= k; i++)
			print ns[i], h[ns[i], "a"], h[ns[i], "c"], h[ns[i], "r"] }' |
	    sort -n
}

# load_classify I: what Redis holds for session I against what its client
# was answered.  Sets LOAD_STATE to
#	last	the three hashes of its last rotation answered 200
#	unseen	none of the three hashes was ever answered, and a request
#		not answered 200 came after that rotation (one of them
#		went through and its answer was lost)
#	missing	no session key
#	stale	the three hashes of an earlier answer (a lost write)
#	mixed	hashes of different answers, or answered and unseen ones
#	lost	none was answered, yet nothing unanswered came after the
#		last rotation
# and LOAD_MATCH to "ah:N ch:N rh:N" (N the answer holding it, - none).
load_classify() {
	local i=$1 sid key ah ch rh last after n a c r ma=- mc=- mr=-
	sid=$(jq -r .data.sessionId "$T/c$i/0.json")
	key=${PREFIX}session:$sid
	LOAD_MATCH=
	if [ "$(rcli EXISTS "$key")" != 1 ]; then
		LOAD_STATE=missing
		return
	fi
	{ read -r ah; read -r ch; read -r rh; } < <(rcli HMGET "$key" ah ch rh)
	while read -r n a c r; do
		[ "$a" = "$ah" ] && ma=$n
		[ "$c" = "$ch" ] && mc=$n
		[ "$r" = "$rh" ] && mr=$n
	done < <(load_generations "$i")
	last=$(load_last_rotation "$i")
	after=$(awk -v l="$last" '$1 > l && $3 != 200' "$T/c$i/log" | wc -l)
	LOAD_MATCH="ah:$ma ch:$mc rh:$mr"
	if [ "$ma" != "$mc" ] || [ "$ma" != "$mr" ]; then
		LOAD_STATE=mixed
	elif [ "$ma" = "$last" ]; then
		LOAD_STATE=last
	elif [ "$ma" != - ]; then
		LOAD_STATE=stale
	elif [ "$after" -gt 0 ]; then
		LOAD_STATE=unseen
	else
		LOAD_STATE=lost
	fi
}

# t_load_settled N [FIRST]: every session FIRST (default 1)..N holds exactly the tokens of its
# last rotation answered 200, its authorization and authorizationCorban
# answer GET /session with 200, the tokens of every earlier answer are
# not held and the previous two authorizations answer 401.  Adds the
# sessions found mixed to LOAD_MIXED.
t_load_settled() {
	local i last f sid ah ch rh n a c r
	for i in $(seq "${2:-1}" "$1"); do
		load_classify "$i"
		[ "$LOAD_STATE" = last ] || t_fail "session $i: $LOAD_STATE ($LOAD_MATCH)"
		[ "$LOAD_STATE" = mixed ] && LOAD_MIXED=$((${LOAD_MIXED:-0} + 1))
		last=$(load_last_rotation "$i")
		for f in authorization authorizationCorban; do
			http GET "$API/session" "" -H "Authorization: $(jq -r ".data.$f" "$T/c$i/$last.json")"
			t_eq "session $i $f of answer $last" "$STATUS" 200
		done
		sid=$(jq -r .data.sessionId "$T/c$i/0.json")
		{ read -r ah; read -r ch; read -r rh; } < <(rcli HMGET "${PREFIX}session:$sid" ah ch rh)
		load_generations "$i" | head -n -1 >"$T/older"
		while read -r n a c r; do
			if [ "$a" = "$ah" ] || [ "$c" = "$ch" ] || [ "$r" = "$rh" ]; then
				t_fail "session $i: answer $n's tokens are held"
			fi
		done <"$T/older"
		for n in $(tail -n 2 "$T/older" | cut -d' ' -f1); do
			http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/c$i/$n.json")"
			t_eq "session $i authorization of answer $n" "$STATUS" 401
		done
	done
}

# load_figures FILE: "R requests (X refresh-session, Y refresh-token, Z
# GET /session), A x 200, B x 503, C other, L lost" for the answers in
# FILE (lines of load_answers; CODE 000 is no answer at all).
load_figures() {
	awk '{ n++; k[$3]++; c[$4]++ }
	    END {
		other = n - c["200"] - c["503"] - c["000"]
		printf "%d requests (%d refresh-session, %d refresh-token, %d GET /session), %d x 200, %d x 503, %d other, %d lost",
		    n, k["rs"], k["rt"], k["gs"], c["200"], c["503"], other, c["000"]
	    }' "$1"
}
