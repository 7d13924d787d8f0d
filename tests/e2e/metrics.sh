# GET /metrics behind the shipped lighttpd recipe, two FastCGI workers
# (docs/API.md "Observability"): the counters of both workers add up in
# Redis; a worker's counts reach Redis about a second late even when no
# request follows (the idle flush) and when it is stopped (SIGTERM); and
# the batches cost no Redis round trip of their own: Redis reads per
# request (INFO total_reads_processed) are the same with metrics on and
# off, while the batches did go out (cmdstat_eval).
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
command -v promtool >/dev/null 2>&1 ||
    { notok "promtool is installed (make deps: prometheus)" "no promtool"; done_testing; }
command -v ab >/dev/null 2>&1 ||
    { notok "ab is installed (make deps: apache2-utils)" "no ab"; done_testing; }
conf_write metrics=on
user_add eva eva-pw-12345
N=0

# hval FIELD: the value of FIELD in the Redis hash of the counters (0).
hval() {
	local v
	v=$(rcli HGET "${PREFIX}metrics" "$1")
	printf '%s' "${v:-0}"
}
# stat NAME: a field of Redis INFO (total_reads_processed) or of the
# calls of a cmdstat_NAME line.
stat() {
	case $1 in
	cmd_*) rcli INFO commandstats | tr -d '\r' |
	    awk -F'[:=,]' -v c="cmdstat_${1#cmd_}" '$1 == c { print $3; f = 1 } END { if (!f) print 0 }' ;;
	*) rcli INFO stats | tr -d '\r' | sed -n "s/^$1://p" ;;
	esac
}
# load: GET /session with $AUTH through lighttpd, 4 at a time, for 3
# seconds (longer than MET_FLUSH_MS, so that batches are due during it);
# sets N (requests answered), READS (Redis reads per request, two
# decimals) and EVALS (EVAL calls).
load() {
	local r0 r1 e0 e1
	r0=$(stat total_reads_processed)
	e0=$(stat cmd_eval)
	ab -q -t 3 -n 1000000 -c 4 -H "Authorization: $AUTH" "$BASE$API/session" >"$T/ab.out" 2>&1
	r1=$(stat total_reads_processed)
	e1=$(stat cmd_eval)
	N=$(awk '/^Complete requests:/ { print $3 }' "$T/ab.out")
	# the two INFO calls after r0 are reads of their own
	READS=$(awk -v a="$r0" -v b="$r1" -v n="$N" 'BEGIN { printf "%.2f", (b - a - 2) / n }')
	EVALS=$((e1 - e0))
	LOAD_OK=$(awk '/^Complete requests:/ { c = $3 } /^Non-2xx responses:/ { bad = $3 } END { print c - bad }' "$T/ab.out")
}

if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
http POST "$API/login" '{"username":"eva","password":"eva-pw-12345"}'
AUTH=$(jget .data.authorization)

t_begin "e2e metrics: the counts of both workers add up (idle flush, no scrape)"
s0=$(hval 'req:session:200')
load
t_eq "answered 200" "$LOAD_OK" "$N"
sleep 2.5
# ab stops counting at its time limit with up to 4 requests in flight,
# which the workers still answer and count
t_ge "req:session:200 in Redis" "$(hval 'req:session:200')" "$((s0 + N))"
t_le "req:session:200 in Redis" "$(hval 'req:session:200')" "$((s0 + N + 4))"
TOTAL=$(hval 'req:session:200')
ON_READS=$READS ON_EVALS=$EVALS
t_end

t_begin "e2e metrics: the batches went out during the load, piggybacked"
t_ge "EVAL calls (batches) during the load" "$ON_EVALS" 1
t_le "batches: about one a second per worker" "$ON_EVALS" 20
t_end

t_begin "e2e metrics: GET /metrics through lighttpd passes promtool and sums both workers"
http GET "$API/metrics"
t_status 200
t_match "content type" "$HEADERS" 'Content-Type: text/plain; version=0.0.4'
out=$(promtool check metrics <"$BODYF" 2>&1)
t_eq "promtool check metrics" "$?:$out" "0:"
t_eq "session 200" "$(awk '$1 == "autenticacao_requests_total{endpoint=\"session\",status=\"200\"}" { print $2 }' <<<"$BODY")" "$TOTAL"
cp "$BODYF" "$T/metrics.sample"
t_end

t_begin "e2e metrics: a stopped worker sends what it counted (SIGTERM)"
s1=$(hval 'req:session:200')
for i in 1 2 3; do http GET "$API/session" "" -H "Authorization: $AUTH"; done
lighttpd_stop
t_eq "req:session:200" "$(hval 'req:session:200')" "$((s1 + 3))"
t_end

t_begin "e2e metrics: Redis reads per request are the same with metrics off"
conf_write "$T/off.conf" metrics=off
CONF=$T/off.conf lighttpd_start || t_fail "lighttpd starts"
http GET "$API/session" "" -H "Authorization: $AUTH"
load
t_eq "answered 200" "$LOAD_OK" "$N"
t_eq "no batch with metrics off" "$EVALS" 0
echo "# note: Redis reads per GET /session: metrics on $ON_READS, off $READS ($ON_EVALS batches with metrics on)"
t_le "reads per request, on - off" "$(awk -v a="$ON_READS" -v b="$READS" 'BEGIN { printf "%d", (a - b) * 100 }')" 5
lighttpd_stop
t_end

# An idle worker whose batch cannot go (Redis down) waits another
# interval before trying again: it must not spin on its timer, nor fill
# the log with a failed connect per try.
t_begin "e2e metrics: Redis down, an idle worker with counts waiting neither spins nor floods the log"
CONF=$T/autenticacao.conf lighttpd_start || t_fail "lighttpd starts"
http GET "$API/health"
redis_stop
sleep 1.5
lines0=$(grep -c 'redis: connect' "$LIGHTTPD_LOG")
ticks0=0
for p in $(fcgi_workers); do ticks0=$((ticks0 + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
sleep 3
ticks1=0
for p in $(fcgi_workers); do ticks1=$((ticks1 + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
lines1=$(grep -c 'redis: connect' "$LIGHTTPD_LOG")
t_le "CPU ticks of the workers in 3 s" "$((ticks1 - ticks0))" 30
t_le "failed connects logged in 3 s" "$((lines1 - lines0))" 12
lighttpd_stop
t_end

done_testing
