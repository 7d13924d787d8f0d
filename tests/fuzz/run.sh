#!/bin/sh
# tests/fuzz/run.sh - `make fuzz`, `make fuzz-scrypt`: run the libFuzzer
# build of tests/fuzz/fuzz_request.c or tests/fuzz/fuzz_scrypt.c for
# FUZZ_TIME seconds (default 60).
#
#	FUZZ_TIME=600 sh tests/fuzz/run.sh build-fuzz/fuzz_request
#	FUZZ_TIME=600 sh tests/fuzz/run.sh build-fuzz/fuzz_scrypt
#
# Reads the committed seeds (tests/fuzz/corpus; for fuzz_scrypt
# tests/fuzz/corpus_scrypt) and regressions (tests/fuzz/regress) and never
# writes to them: inputs that reach new coverage go to build-fuzz/corpus
# (build-fuzz/corpus_scrypt), which later runs start from too, and a
# crash, leak, timeout or failed check is written under build-fuzz/crashes/.
# Prints one summary line; on a finding, also the path of the input that
# triggered it, and exits non-zero.  The full log: build-fuzz/fuzz.log.
#
# A finding is kept for good by copying it to tests/fuzz/regress/ (with a
# name that says what it was) once lib/ is fixed: `make test` replays it.
#
# One worker (the machine may be shared).  Extra arguments after the
# binary go to libFuzzer.

set -u
bin=${1:?usage: run.sh FUZZ_BINARY [LIBFUZZER_ARGS...]}
shift
dir=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$bin")
time=${FUZZ_TIME:-60}
log=$out/fuzz.log

case $time in ''|*[!0-9]*) echo "fuzz: FUZZ_TIME must be whole seconds" >&2; exit 2 ;; esac
mkdir -p "$out/crashes" "$dir/regress"

# fuzz_request: -max_len is a body of max_body (8192) bytes plus the CGI
# variables.  fuzz_scrypt: a 6-byte header, a password and a salt.  Inputs
# that take longer than 10 s count as hangs; detect_leaks stays on.
case $(basename "$bin") in
fuzz_scrypt)
	log=$out/fuzz_scrypt.log
	replay=fuzz_scrypt_replay
	found=$out/corpus_scrypt
	seeds="$dir/corpus_scrypt"
	set -- -max_len=512 "$@" ;;
*)
	replay=fuzz_replay
	found=$out/corpus
	seeds="$dir/corpus $dir/regress"
	set -- -max_len=12288 -dict="$dir/request.dict" "$@" ;;
esac
mkdir -p "$found"
before=$(ls "$found" | wc -l)
set -- -max_total_time="$time" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/" "$@"
start=$(date +%s)
# shellcheck disable=SC2086 # $seeds: one or two directories
"$bin" "$@" "$found" $seeds >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
after=$(ls "$found" | wc -l)
printf 'fuzz: %s execs in %ss, cov %s, ft %s, corpus %s (+%s new in %s)\n' \
    "${execs:-?}" "$secs" "${cov:-?}" "${ft:-?}" "$after" \
    "$((after - before))" "$found"
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR: |runtime error:|check failed|SUMMARY:' "$log" | head -n 5
	files=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log")
	for f in $files; do
		printf 'fuzz: FINDING: %s (replay: build/%s -v %s)\n' "$f" "$replay" "$f"
	done
	[ -n "$files" ] || echo "fuzz: FINDING: libFuzzer exit $rc, no input written; see $log"
	exit 1
fi
echo "fuzz: no finding (log: $log)"
