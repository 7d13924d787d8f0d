# Redis that stops answering (CLIENT PAUSE ALL for 4 s: connections are
# accepted, commands wait) in the middle of a load of refresh-session,
# refresh-token and GET /session through a real lighttpd with two FastCGI
# workers (redis_down.sh and outage.sh do it for single requests).
#
# Asserted: every request is answered, 200 or 503, within
# redis_timeout_ms + slack; every request that starts and ends while the
# pause surely lasts answers 503 (each of its Redis commands waits out the
# timeout); every request that starts after the pause answers 200.  A command still waiting when the pause ends runs
# then, before anything sent later (Redis serves the paused clients
# first), so once the load has settled every session holds exactly the
# tokens of its last rotation answered 200.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi lighttpd load

NS=4		# sessions, one sequential client each (at most one waits
		# behind another at each of the two workers)
PAUSE=4000	# ms of CLIENT PAUSE
TIMEOUT=500	# redis_timeout_ms
LIMIT=2.5	# seconds: redis_timeout_ms + slack
[ "$SANITIZE" = 1 ] && LIMIT=5

redis_start || exit 1
conf_write redis_timeout_ms=$TIMEOUT
user_add ana ana-pw || done_testing
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
for i in $(seq 1 $NS); do load_login "$i" ana ana-pw || done_testing; done
WORKERS=$(fcgi_workers)

# ---- the load, and the pause in its middle
export LOAD_CYCLE="rt gs rs gs"
load_start $NS
for k in $(seq 1 300); do
	[ "$(load_count)" -ge $((NS + 60)) ] && break
	sleep 0.2
done
BEFORE=$(($(load_count) - NS))
# The pause starts between Pa and P0, so it surely lasts from P0 to
# Pa + PAUSE and is surely over at P0 + PAUSE.
Pa=$(now_ms)
rcli CLIENT PAUSE $PAUSE ALL >/dev/null
P0=$(now_ms)
sleep $((PAUSE / 1000 + 2))
touch "$T/stop"
load_wait
load_answers $NS >"$T/all"

# a request "during" started and ended while the pause surely lasted:
# nothing it needed from Redis can have been served.  (One that started
# during the pause may still have waited at a busy worker until after it,
# and then rightly been answered 200.)  "after" starts once the pause is
# surely over (+ 100 ms).
awk -v a="$P0" -v b=$((Pa + PAUSE)) '$6 >= a && $7 <= b' "$T/all" >"$T/during"
awk -v a=$((P0 + PAUSE + 100)) '$6 >= a' "$T/all" >"$T/after"

t_begin "load: $BEFORE answers before the pause, requests during and after it"
t_ge "answers before the pause" "$BEFORE" 60
t_ge "requests made during the pause" "$(wc -l <"$T/during")" 2
t_ge "requests started after the pause" "$(wc -l <"$T/after")" $NS
t_end
t_begin "Redis paused under load: every request answered 200 or 503, none lost"
n=$(awk '$4 != 200 && $4 != 503 { printf "%s/%s(%s):%s ", $1, $2, $3, $4 }' "$T/all")
t_eq "answers other than 200/503" "$n" ""
t_end
t_begin "Redis paused under load: every answer within ${LIMIT}s"
n=$(awk -v l="$LIMIT" '$5 + 0 > l + 0 { printf "%s/%s(%s): %ss ", $1, $2, $3, $5 }' "$T/all")
t_eq "slower answers" "$n" ""
t_end
t_begin "Redis paused under load: every request made during the pause answers 503 SERVICE_UNAVAILABLE"
n=$(awk '$4 != 503 { printf "%s/%s(%s):%s ", $1, $2, $3, $4 }' "$T/during")
t_eq "non-503 answers" "$n" ""
while read -r s n _; do
	c=$(jq -r .error.code "$T/c$s/$n.json" 2>/dev/null)
	[ "$c" = SERVICE_UNAVAILABLE ] || t_fail "session $s request $n: '$c'"
done <"$T/during"
t_end
t_begin "Redis paused under load: every request started after the pause answers 200"
n=$(awk '$4 != 200 { printf "%s/%s(%s):%s ", $1, $2, $3, $4 }' "$T/after")
t_eq "non-200 answers" "$n" ""
t_end
t_begin "Redis paused under load: no FastCGI worker died"
t_eq "worker pids" "$(fcgi_workers)" "$WORKERS"
t_end
t_begin "after the pause every session holds exactly the tokens of its last rotation, they work, earlier ones are dead"
LOAD_MIXED=0
t_load_settled $NS
t_end
lighttpd_stop
t_begin "no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end

echo "# fault redis-slow: $(load_figures "$T/all"), $LOAD_MIXED mixed;" \
    "made during the pause: $(load_figures "$T/during");" \
    "started after it: $(load_figures "$T/after")"
done_testing
