# tests/lib/cgi.sh - the programs of $BUILD as the tests run them: the
# config they read (conf_write), valgrind memcheck around them (vg_*,
# bin_path), the responder as a plain CGI program (cgi, expect_error and
# the login, refresh_session and session_get requests) and
# autenticacao-admin (adm, adm_in, user_add).  What an answer holds is read
# with tests/lib/answer.sh.

lib_use secrets answer

# PREFIX: the key_prefix of CONF, set by conf_write.
PREFIX=

# VG_N, VG_CMD, VG_LOG: the memcheck runs of vg_prefix.
VG_N=0
VG_CMD=()
VG_LOG=
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
	# password_checks 0: scripts that run checks in parallel expect them
	# all to run; tests/e2e/flood.sh sets a cap.
	local -a keys=(redis_host redis_port key_prefix scrypt_n scrypt_r scrypt_p redis_timeout_ms max_failures password_checks)
	local -a vals=(127.0.0.1 "${REDIS_PORT:-6379}" "$pfx" 1024 8 1 500 100000 0)
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
		echo "# written by tests/lib/cgi.sh for $SCRIPT_NAME_"
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
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS AUTENTICACAO_SCRYPT_PATH; do
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

# session_get AUTHORIZATION: GET /session with that Authorization value.
session_get() {
	cgi GET "$API/session" "" "HTTP_AUTHORIZATION=$1"
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
