# A flood of password checks through a real lighttpd with two FastCGI
# workers (autenticacao.conf(5) password_checks): six clients send logins
# of names that change every time, so regulation alone never stops them.
# With password_checks = 1 one worker at most runs scrypt; the checks
# beyond it are answered 503 with Retry-After at once, and GET /health,
# served by the other worker, never queues behind scrypt.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

CLIENTS=6
PER_CLIENT=15
redis_start || exit 1
# A costly check (about 50-100 ms here), a cap of one.
conf_write scrypt_n=16384 scrypt_r=8 scrypt_p=1 password_checks=${FLOOD_CHECKS:-1}
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi

# flood N: PER_CLIENT logins of fresh names, one status code a line.
flood() {
	local i
	for i in $(seq 1 "$PER_CLIENT"); do
		curl -s -m 20 -o /dev/null -D "$T/h$1.$i" -w '%{http_code}\n' \
		    -X POST "$BASE/api/v1/autenticacao/login" \
		    -H "Content-Type: application/json" \
		    -d "{\"username\":\"ghost$1-$i\",\"password\":\"guess-$i\"}"
	done >"$T/flood$1.codes" 2>/dev/null
}
# Side by side, on this machine now: a /health alone and a password check
# alone (medians of 5), then /health during the flood.
median_of() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
hb=() hs=()
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	curl -s -m 20 -o /dev/null "$BASE/api/v1/autenticacao/health"
	hb+=($(( $(now_ms) - t0 )))
	t0=$(now_ms)
	curl -s -m 20 -o /dev/null -X POST "$BASE/api/v1/autenticacao/login" \
	    -H "Content-Type: application/json" \
	    -d "{\"username\":\"alone$i\",\"password\":\"x\"}"
	hs+=($(( $(now_ms) - t0 )))
done
base=$(median_of "${hb[@]}")
check=$(median_of "${hs[@]}")
pids=()
for c in $(seq 1 $CLIENTS); do flood "$c" & pids+=($!); done
sleep 0.3
ms=()
for i in $(seq 1 20); do
	t0=$(now_ms)
	curl -s -m 20 -o /dev/null "$BASE/api/v1/autenticacao/health"
	ms+=($(( $(now_ms) - t0 )))
	sleep 0.05
done
for p in "${pids[@]}"; do wait "$p"; done
median=$(median_of "${ms[@]}")
codes=$(cat "$T"/flood*.codes)
n503=$(grep -c '^503$' <<<"$codes")
n401=$(grep -c '^401$' <<<"$codes")
nall=$(wc -l <<<"$codes")

t_begin "e2e flood: every login is answered 401 (checked) or 503 (no slot), never anything else"
t_eq "answers" "$nall" $((CLIENTS * PER_CLIENT))
t_eq "other codes" "$(grep -vc '^\(401\|503\)$' <<<"$codes")" 0
t_end
t_begin "e2e flood: checks beyond the cap are refused at once (503 with Retry-After: 1)"
t_ge "503 answers" "$n503" 1
t_ge "401 answers (checks that ran)" "$n401" 1
t_match "Retry-After" "$(cat "$T"/h* | tr -d '\r' | grep -m1 '^Retry-After:')" '^Retry-After: 1$'
t_end
# Without the cap the six clients queue about six checks ahead of each
# /health (three per worker); with it, a /health waits at most for the one
# check in progress.
t_begin "e2e flood: GET /health waits for one password check at most, not a queue of them"
t_le "median ms during the flood (alone: health $base, check $check; all: ${ms[*]})" \
    "$median" $(( base + check * 2 + 100 ))
t_end
t_lighttpd_clean
done_testing
