# tests/fuzz/replay_scrypt.sh - the scrypt fuzz target
# (tests/fuzz/fuzz_scrypt.c, built as $BUILD/fuzz_scrypt_replay by `make
# unit`) on every committed input of tests/fuzz/corpus_scrypt/: our
# scrypt against OpenSSL's on each input's password, salt, cost and
# dispatch path.  One test per file: it passes when the run exits 0 in
# time with no sanitizer report.
#
#	BUILD=build SANITIZE=0 sh tests/run.sh tests/fuzz/replay_scrypt.sh
. "$(dirname "$0")/../lib.sh"

REPLAY_TIMEOUT=10
[ "$SANITIZE" = 1 ] && REPLAY_TIMEOUT=30
n=0
for f in "$TESTS_DIR"/fuzz/corpus_scrypt/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=${f#$TESTS_DIR/fuzz/}
	t_begin "replay $name"
	timeout -k 5 "$REPLAY_TIMEOUT" "$BUILD/fuzz_scrypt_replay" "$f" >"$T/out" 2>&1
	rc=$?
	if grep -Eq "$SAN_PATTERN" "$T/out"; then
		t_fail "sanitizer report: $(grep -Em1 "$SAN_PATTERN" "$T/out")"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		t_fail "timed out after ${REPLAY_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		t_fail "exit $rc: $(grep -v '^replayed ' "$T/out" | head -n 3)"
	fi
	t_end
done
t_begin "the scrypt corpus is there"
t_ge "files replayed" "$n" 10
t_end
done_testing
