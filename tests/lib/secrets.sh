# tests/lib/secrets.sh - what the secrets hygiene scan
# (tests/suite/secrets_scan.sh) reads after a run: the bodies a script sent
# and received, the passwords autenticacao-admin read, the test Redis'
# keys and values, and the service's logs.  cgi, http, adm_in and
# redis_stop note through these functions; the curl function below notes
# what scripts send and receive with curl directly.
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

SECRETS_D=
SECRETS_N=0
if [ -n "${AUT_SECRETS_DIR:-}" ]; then
	SECRETS_D=$AUT_SECRETS_DIR/${SCRIPT_NAME_%.sh}.$$
	mkdir -p "$SECRETS_D/logs"
fi

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
# autenticacao-admin useradd/passwd read on stdin, and its NAME argument
# (the one after the hash of useradd --hash HASH NAME, which reads no
# password).
secrets_note_adm() {
	[ -n "$SECRETS_D" ] || return 0
	local name=${3-}
	if [ "${2-}" = useradd ] && [ "$name" = --hash ] && [ $# -ge 5 ]; then
		printf '%s\n' "$5" >>"$SECRETS_D/names"
		return 0
	fi
	case ${2-} in
	useradd|passwd) [ -z "$1" ] || printf '%s\n' "$1" >>"$SECRETS_D/adm" ;;
	esac
	[ -z "$name" ] || printf '%s\n' "$name" >>"$SECRETS_D/names"
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
