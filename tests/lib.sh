# tests/lib.sh - sourced (by bash) by every scripted test of autenticacao.
# It loads tests/lib/core.sh, which every script needs, and defines
# lib_use, with which a script loads the other parts of tests/lib/ it uses.
#
# A test script is:
#
#	. "$(dirname "$0")/../lib.sh"
#	lib_use redis cgi answer
#	redis_start; conf_write
#	t_begin "login answers 200 for a known user"
#	cgi POST /api/v1/autenticacao/login '{"username":"a","password":"b"}'
#	t_status 200
#	t_eq "success" "$(jget .success)" true
#	t_end
#	done_testing
#
# The parts (each loads the parts it builds on itself):
#	core.sh		always: $T, the test counters, ok/notok, t_begin/t_end
#			and the t_* assertions, done_testing, the EXIT trap,
#			port_busy/free_port, now_ms, repeat, with, sha256
#	redis.sh	a throwaway redis-server: redis_start, redis_stop,
#			redis_kill, rcli, redis_dump
#	secrets.sh	what the secrets scan reads: secrets_note*,
#			secrets_keep_*, the noting curl function
#	cgi.sh		the programs of $BUILD: conf_write, conf_get, vg_* and
#			bin_path (valgrind), cgi, expect_error, login,
#			refresh_session, session_get, adm, adm_in, user_add
#	answer.sh	the last answer of cgi or http: hdr, hdr_count, jget,
#			t_status, t_json_ct, t_error, bare, secret_of,
#			take_tokens, t_token_shape
#	lighttpd.sh	lighttpd_start, lighttpd_stop, fcgi_workers,
#			t_lighttpd_clean
#	http.sh		requests over TCP: http, raw_http
#	cases.sh	the validation cases of docs/API.md: field_cases,
#			body_cases
#	load.sh		load clients for the fault-injection tests: load_*,
#			t_load_settled
# tests/README.md describes them.

[ -n "${BASH_VERSION:-}" ] || { echo "lib.sh needs bash" >&2; exit 1; }

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$TESTS_DIR/.." && pwd)
LIB_DIR=$TESTS_DIR/lib
LIB_PARTS=core

# lib_use PART...: load tests/lib/PART.sh for each PART not loaded yet.
# An unknown PART stops the script (a failure, reported by the EXIT trap).
lib_use() {
	local lib_part_
	for lib_part_ in "$@"; do
		lib_has "$lib_part_" && continue
		if [ ! -f "$LIB_DIR/$lib_part_.sh" ]; then
			echo "lib_use: no part '$lib_part_' in $LIB_DIR" >&2
			exit 1
		fi
		LIB_PARTS="$LIB_PARTS $lib_part_"
		. "$LIB_DIR/$lib_part_.sh"
	done
}

# lib_has PART: true if tests/lib/PART.sh is loaded.
lib_has() {
	case " $LIB_PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}

. "$LIB_DIR/core.sh"
