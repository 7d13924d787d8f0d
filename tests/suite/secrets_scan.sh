# Secrets hygiene of a whole test run: no password or token that went
# through the service during the run is in any Redis key or value or in
# any of the service's logs.
#
#	bash tests/suite/secrets_scan.sh [RUNDIR]	the tests (tests/run.sh
#		runs it last, as suite/secrets_scan.sh, on $AUT_SECRETS_DIR)
#	bash tests/suite/secrets_scan.sh --scan RUNDIR	the scan alone: figures
#		and leaks on stdout; exit 0 clean, 1 leak, 2 nothing to vouch for
#
# RUNDIR holds one directory per script, filled by tests/lib/secrets.sh (see
# secrets_note there): req/resp (request and response bodies), adm and
# names (admin passwords and names), redis-*.dump (every key and value of
# the script's Redis before each stop) and logs/ (the service's stderr,
# web server and Redis logs).
#
# What counts as a secret:
#   - a token: every token-shaped word of a response body (URL-safe
#     characters with a '.', whose part after the last '.' is 43 base64url
#     characters); the scan looks for that secret part, which every copy of
#     the whole token contains;
#   - a password: the value of every "password" field of a request body
#     (at any depth) and every line autenticacao-admin useradd/passwd read,
#     if it has at least 8 characters, no control character, and does not
#     occur inside a value the run sent as a user name (a "username" field
#     or an admin NAME): user names are logged and stored by design, and
#     short or shared values would match unrelated text.
# Scanned: redis-*.dump and logs/* only, and of each log line that is a
# JSON object (log_format = json) its string values decoded as well, so a
# secret that JSON escaping spells differently ('"', '\\', \uXXXX) is
# found too; the scripts' own output in
# tests/tmp/logs/ prints request bodies on purpose and is not service
# output.

scan() {
	local dir=$1 w rc=0 t0 t1 nscripts ntok npw nall nshort nctl nname
	local ndump bdump nlog blog f nleak njson
	dir=${dir%/}
	[ -d "$dir" ] || { echo "secrets_scan: no directory '$dir'"; return 2; }
	w=$(mktemp -d) || return 2
	t0=${EPOCHREALTIME/[.,]/}
	shopt -s nullglob
	local -a req=("$dir"/*/req) resp=("$dir"/*/resp) adm=("$dir"/*/adm) names=("$dir"/*/names)
	local -a dumps=("$dir"/*/redis-*.dump) failed=("$dir"/*/redis-*.dump.failed) logs=()
	for f in "$dir"/*/logs/*; do [ -f "$f" ] && logs+=("$f"); done
	nscripts=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | wc -l)

	# tokens: the secret part of every token-shaped word of a response
	cat /dev/null "${resp[@]}" | grep -aoE '[A-Za-z0-9_~.-]+' |
	    awk -F. 'NF > 1 && length($NF) == 43 && $NF ~ /^[A-Za-z0-9_-]+$/ { print $NF }' |
	    sort -u >"$w/tokens"
	# passwords, by the rules above, in one jq pass: first a line
	# "ALL SHORT CTL NAME" (how many distinct values, and how many each
	# rule left out), then the passwords kept, one a line (none holds a
	# control character, so none spans two lines)
	cat /dev/null "${adm[@]}" >"$w/adm"
	cat /dev/null "${names[@]}" >"$w/names"
	cat /dev/null "${req[@]}" | jq -nrR --rawfile adm "$w/adm" --rawfile names "$w/names" '
	    def lines: split("\n") | map(select(. != ""));
	    [inputs | fromjson? | .. | objects] as $o
	    | ([$o[] | .password | strings] + ($adm | lines) | unique) as $all
	    | ([$o[] | .username | strings] + ($names | lines) | unique) as $nm
	    | [$all[] | select(length >= 8)] as $long
	    | [$long[] | select(explode | all(. >= 32 and . != 127))] as $clean
	    | [$clean[] | . as $p | select(any($nm[]; contains($p)) | not)] as $kept
	    | "\($all | length) \($all | length - ($long | length)) \($long | length - ($clean | length)) \($clean | length - ($kept | length))",
	      $kept[]' >"$w/pw" 2>"$w/jq.err" ||
	    { echo "secrets_scan: jq failed: $(head -c 300 "$w/jq.err")"; rm -rf "$w"; return 2; }
	read -r nall nshort nctl nname <"$w/pw"
	sed -i 1d "$w/pw"
	ntok=$(grep -c '' "$w/tokens")
	npw=$(grep -c '' "$w/pw")
	cat "$w/tokens" "$w/pw" | grep -v '^$' | sort -u >"$w/patterns"

	ndump=${#dumps[@]}
	nlog=${#logs[@]}
	bdump=$(cat /dev/null "${dumps[@]}" | wc -c)
	blog=$(cat /dev/null "${logs[@]}" | wc -c)

	# the decoded strings of every JSON log line, one file per log
	# (named after it, '/' as '%'), each string on its own line(s)
	local -a jlogs=()
	local rel j
	mkdir -p "$w/json"
	for f in "${logs[@]}"; do
		rel=${f#"$dir"/}
		j=$w/json/${rel//\//%}
		LC_ALL=C grep -aq '^{' "$f" || continue
		jq -Rr 'fromjson? | objects | .. | strings' "$f" >"$j" 2>/dev/null
		[ -s "$j" ] && jlogs+=("$j")
	done
	njson=${#jlogs[@]}

	: >"$w/hits"
	if [ -s "$w/patterns" ] && [ $((ndump + nlog)) -gt 0 ]; then
		LC_ALL=C grep -aHnoF -f "$w/patterns" -- "${dumps[@]}" "${logs[@]}" \
		    ${jlogs[@]+"${jlogs[@]}"} >"$w/hits"
	fi
	t1=${EPOCHREALTIME/[.,]/}

	echo "secrets_scan: $ntok token secrets and $npw passwords collected from $nscripts scripts" \
	    "(left out: $nshort passwords under 8 characters, $nctl with control characters," \
	    "$nname occurring in user names)"
	echo "secrets_scan: scanned $ndump Redis dumps ($bdump bytes) and $nlog service logs" \
	    "($blog bytes; $njson of them with JSON lines, decoded too) in $(((t1 - t0) / 1000)) ms"

	# one line per leak: where, what kind, the value cut short
	nleak=$(grep -c '' "$w/hits")
	LC_ALL=C awk -v dir="$dir/" -v jdir="$w/json/" -v tokf="$w/tokens" '
	    BEGIN { while ((getline l < tokf) > 0) tok[l] = 1 }
	    {
		# FILE:LINE:VALUE, FILE without ":" (paths made by tests/lib/secrets.sh)
		f = $0; sub(/:.*/, "", f)
		r = substr($0, length(f) + 2); ln = r; sub(/:.*/, "", ln)
		v = substr(r, length(ln) + 2)
		if (index(f, dir) == 1) f = substr(f, length(dir) + 1)
		if (index(f, jdir) == 1) {
			f = substr(f, length(jdir) + 1); gsub(/%/, "/", f)
			f = "the JSON strings of " f; ln = "(decoded) " ln
		}
		kind = (v in tok) ? "token secret" : "password"
		printf "secrets_scan: LEAK %s %s...(%d chars) in %s line %s\n",
		    kind, substr(v, 1, 4), length(v), f, ln
	    }' "$w/hits" | head -n 50
	[ "$nleak" -le 50 ] || echo "secrets_scan: ... and $((nleak - 50)) more"
	echo "secrets_scan: $nleak leaks"

	for f in "${failed[@]}"; do
		echo "secrets_scan: Redis did not answer the dump ${f#"$dir"/}: $(head -c 200 "$f" | tr '\n' ' ')"
		rc=2
	done
	if [ "$nleak" -gt 0 ]; then
		rc=1
	elif [ $((ntok + npw)) -eq 0 ]; then
		echo "secrets_scan: no secret was collected: nothing to look for"
		rc=2
	elif [ $((bdump + blog)) -eq 0 ]; then
		echo "secrets_scan: no Redis dump and no service log: nothing was scanned"
		rc=2
	fi
	rm -rf "$w"
	return $rc
}

if [ "${1:-}" = --scan ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --scan RUNDIR" >&2; exit 2; }
	scan "$2"
	exit
fi

RUN_DIR=${1:-${AUT_SECRETS_DIR:-}}
# this script notes nothing itself: its fixtures hold planted leaks
AUT_SECRETS_DIR=
. "$(dirname "$0")/../lib.sh"
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# fixture DIR: a run directory of one script, with a made-up token and
# password, both absent from its dump and log, and values the rules leave
# out (a short password, one with control characters, one inside a user
# name) present in its log; TOK, SEC and PW are set.
fixture() {
	local d=$1/fake.1
	mkdir -p "$d/logs"
	SID=$(head -c 16 /dev/urandom | basenc --base64url | tr -d '=')
	SEC=$(head -c 32 /dev/urandom | basenc --base64url | tr -d '=')
	TOK="$SID.$SEC"
	PW="Fixture-Pw-$RANDOM$RANDOM"
	printf '{"username":"ana","password":"%s"}\n' "$PW" >"$d/req"
	printf '{"username":"%s","password":"shared-name-pw"}\n' "shared-name-pw-user" >>"$d/req"
	printf '{"username":"ana","password":"Ctl-Password\\r\\nX-Leaky: 1"}\n' >>"$d/req"
	printf '{"success":true,"data":{"sessionId":"%s","authorization":"Bearer %s"}}\n' \
	    "$SID" "$TOK" >"$d/resp"
	printf 'short7x\n' >"$d/adm"
	printf 'KEY 0 hash t:session:%s\nuser\nana\nhash\n%s\n' "$SID" "$(sha256 "$TOK")" \
	    >"$d/redis-1.1.dump"
	printf 'POST /login 200 user=ana sid=%s 127.0.0.1 3ms\n' "${SID:0:8}" >"$d/logs/all-stderr"
	printf 'user=shared-name-pw-user failed; short7x; X-Leaky: 1; Ctl-Password\n' \
	    >>"$d/logs/all-stderr"
}

# scan_case NAME WANT_RC: run the scan on $FX, the test NAME wants exit WANT_RC.
scan_case() {
	SCAN_OUT=$(bash "$SELF" --scan "$FX" 2>&1)
	SCAN_RC=$?
	t_eq "scan exit status" "$SCAN_RC" "$2"
}

t_begin "self-test: a clean run directory passes, with what it collected counted"
FX=$T/clean; fixture "$FX"
scan_case clean 0
t_match figures "$SCAN_OUT" '1 token secrets and 1 passwords collected from 1 scripts'
t_match "left out" "$SCAN_OUT" '1 passwords under 8 characters, 1 with control characters, 1 occurring in user names'
t_match scanned "$SCAN_OUT" 'scanned 1 Redis dumps \([1-9][0-9]* bytes\) and 1 service logs'
t_end

t_begin "self-test: a token secret planted in a Redis dump is reported (cut short)"
FX=$T/tokdump; fixture "$FX"
printf 'KEY 0 string t:oops\n%s\n' "$SEC" >>"$FX/fake.1/redis-1.1.dump"
scan_case tokdump 1
t_match leak "$SCAN_OUT" "LEAK token secret ${SEC:0:4}\\.\\.\\.\\(43 chars\\) in fake\\.1/redis-1\\.1\\.dump line 7"
t_nomatch "whole secret printed" "$SCAN_OUT" "$SEC"
t_end

t_begin "self-test: a whole token planted in a service log is reported"
FX=$T/toklog; fixture "$FX"
printf 'Authorization: Bearer %s\n' "$TOK" >"$FX/fake.1/logs/lt_error.log"
scan_case toklog 1
t_match leak "$SCAN_OUT" 'LEAK token secret .* in fake\.1/logs/lt_error\.log line 1'
t_end

t_begin "self-test: a password planted in a service log and in a hash field name is reported"
FX=$T/pw; fixture "$FX"
printf 'login of ana with %s failed\n' "$PW" >>"$FX/fake.1/logs/all-stderr"
printf 'KEY 0 hash t:x\n%s\n1\n' "$PW" >>"$FX/fake.1/redis-1.1.dump"
scan_case pw 1
t_match "leak in log" "$SCAN_OUT" "LEAK password ${PW:0:4}\\.\\.\\.\\(${#PW} chars\\) in fake\\.1/logs/all-stderr line 3"
t_match "leak in dump" "$SCAN_OUT" "LEAK password .* in fake\\.1/redis-1\\.1\\.dump line 7"
t_match count "$SCAN_OUT" 'secrets_scan: 2 leaks'
t_end

t_begin "self-test: a password that JSON escapes, planted in a JSON log line, is reported"
FX=$T/json; fixture "$FX"
printf '{"username":"ana","password":"Quote\\"Back\\\\slash-9"}\n' >>"$FX/fake.1/req"
printf '{"time":"t","level":"info","event":"log","message":"x Quote\\"Back\\\\slash-9 y"}\n' \
    >>"$FX/fake.1/logs/all-stderr"
t_eq "raw line holds only the escaped form" "$(grep -c 'Quote"Back' "$FX/fake.1/logs/all-stderr")" 0
scan_case json 1
t_match leak "$SCAN_OUT" 'LEAK password Quot\.\.\.\(18 chars\) in the JSON strings of fake\.1/logs/all-stderr'
t_match figures "$SCAN_OUT" '1 of them with JSON lines'
t_end

t_begin "self-test: an admin useradd password (stdin) planted in a log is reported"
FX=$T/adm; fixture "$FX"
printf 'Admin-Only-Pw-42\n' >>"$FX/fake.1/adm"
printf 'x Admin-Only-Pw-42 y\n' >>"$FX/fake.1/logs/all-stderr"
scan_case adm 1
t_match leak "$SCAN_OUT" 'LEAK password Admi\.\.\.\(16 chars\)'
t_end

t_begin "self-test: a run that sent no user name at all still looks for its passwords"
FX=$T/nonames; mkdir -p "$FX/fake.1/logs"
printf '{"password":"Lone-Password-9"}\n' >"$FX/fake.1/req"
printf 'x Lone-Password-9\n' >"$FX/fake.1/logs/all-stderr"
scan_case nonames 1
t_match leak "$SCAN_OUT" 'LEAK password Lone\.\.\.\(15 chars\) in fake\.1/logs/all-stderr line 1'
t_end

t_begin "self-test: nothing collected -> the scan fails (it cannot pass vacuously)"
FX=$T/empty; mkdir -p "$FX/fake.1/logs"
printf 'some log\n' >"$FX/fake.1/logs/all-stderr"
scan_case empty 2
t_match why "$SCAN_OUT" 'no secret was collected'
t_end

t_begin "self-test: secrets but no dump and no log -> the scan fails"
FX=$T/nothing; fixture "$FX"
rm -f "$FX"/fake.1/redis-*.dump "$FX"/fake.1/logs/*
scan_case nothing 2
t_match why "$SCAN_OUT" 'nothing was scanned'
t_end

t_begin "self-test: a Redis that did not answer its dump fails the scan"
FX=$T/failed; fixture "$FX"
echo 'Could not connect to Redis' >"$FX/fake.1/redis-2.2.dump.failed"
scan_case failed 2
t_match why "$SCAN_OUT" 'did not answer the dump fake\.1/redis-2\.2\.dump\.failed'
t_end

# ---- the run
if [ -z "$RUN_DIR" ]; then
	notok "secrets scan of the run" "no run directory (give RUNDIR or set AUT_SECRETS_DIR; tests/run.sh does)"
	done_testing
fi
OUT=$(bash "$SELF" --scan "$RUN_DIR" 2>&1)
RC=$?
printf '%s\n' "$OUT" | sed 's/^/# note: /'
figure() { # REGEX-with-one-group: the number it captures in the figures
	[[ $OUT =~ $1 ]] && printf '%s' "${BASH_REMATCH[1]}"
}
# A whole run (AUT_SECRETS_FULL=1 from tests/run.sh) must have collected
# both kinds; a run of a few scripts at least one secret.
NTOK=$(figure '([0-9]+) token secrets')
NPW=$(figure 'and ([0-9]+) passwords collected')
if [ "${AUT_SECRETS_FULL:-0}" = 1 ]; then
	t_begin "run: tokens handed out and passwords sent were collected"
	t_ge "token secrets" "$NTOK" 1
	t_ge "passwords" "$NPW" 1
else
	t_begin "run: tokens handed out or passwords sent were collected"
	t_ge "token secrets + passwords" "$((${NTOK:-0} + ${NPW:-0}))" 1
	[[ $NTOK =~ ^[0-9]+$ && $NPW =~ ^[0-9]+$ ]] || t_fail "no figures: $(short "$OUT")"
fi
t_end
t_begin "run: Redis dumps and service logs were scanned"
t_ge "Redis dumps" "$(figure 'scanned ([0-9]+) Redis dumps')" 1
t_ge "service logs" "$(figure 'and ([0-9]+) service logs')" 1
t_nomatch "failed dump" "$OUT" 'did not answer the dump'
t_end
t_begin "run: no password or token is in any Redis key or value or any service log"
t_eq "leaks" "$(figure 'secrets_scan: ([0-9]+) leaks')" 0
[ "$RC" = 0 ] || t_fail "the scan exits $RC (its report follows)"
t_end
done_testing
