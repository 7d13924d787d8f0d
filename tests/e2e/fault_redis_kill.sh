# Redis killed with SIGKILL in the middle of a load of refresh-session and
# refresh-token requests through a real lighttpd with two FastCGI workers,
# then restarted on the same port and data directory.
#
# Redis keeps an append-only file fsynced before every reply
# (REDIS_AOF=1): a write it acknowledged survives kill -9; a write it
# applied but never acknowledged may survive or not.  Each session has one
# client whose requests are sequential, many sessions run in parallel.
# What is provably true, and asserted:
#
#  - every request is answered, 200 or 503 (docs/API.md: Redis unreachable is
#    503), within redis_timeout_ms + slack; no worker dies.
#  - A 200 means the rotation was acknowledged by Redis, so it survives.
#    A 503 means nothing about the write: Redis may have applied it and
#    died before answering (the rotation's tokens are then unknown to
#    everybody), or never seen it.  So right after the restart a session
#    holds either the tokens of its last 200 answer, or (only if a 503
#    came after that 200) the tokens of one unanswered rotation: in that
#    case none of the three stored hashes is one the client was given.
#    Never an older generation (a lost acknowledged write), never a mix
#    of access, corban and refresh hashes of different rotations (every
#    rotation is one Lua script, replayed whole from the AOF).
#  - The client's policy after a 503: its refresh token may be spent, so
#    it proves its password with refresh-session (which accepts either
#    state).  Presenting the old refresh token again would be a replay of
#    a spent token when the rotation went through, and revoke the session
#    (401; refresh_token_race.sh covers that policy).
#  - Once Redis is back every request answers 200, and then each session
#    holds exactly the tokens of its last answer.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi lighttpd http load

NS=6		# sessions, one sequential client each
KILL_AFTER=90	# answers of the load before Redis is killed
DOWN=1.5	# seconds Redis stays dead under the load
LIMIT=2.5	# seconds: redis_timeout_ms 500 + slack
[ "$SANITIZE" = 1 ] && LIMIT=5

REDIS_AOF=1
redis_start || exit 1
PORT=$REDIS_PORT
conf_write redis_timeout_ms=500
user_add ana ana-pw || done_testing
user_add bia bia-pw || done_testing
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
for i in $(seq 1 $NS); do
	if [ $((i % 2)) = 1 ]; then load_login "$i" ana ana-pw || done_testing
	else load_login "$i" bia bia-pw || done_testing; fi
done
WORKERS=$(fcgi_workers)
t_begin "setup: lighttpd runs two FastCGI workers"
t_match "worker pids" "$WORKERS" '^[0-9]+ [0-9]+$'
t_end

# ---- the load (refresh-token and refresh-session), Redis killed under it
load_start $NS
for k in $(seq 1 300); do
	[ "$(load_count)" -ge $((KILL_AFTER + NS)) ] && break
	sleep 0.2
done
BEFORE=$(($(load_count) - NS))
redis_kill
sleep "$DOWN"
touch "$T/stop"
load_wait
load_answers $NS >"$T/phase1"

t_begin "load: $BEFORE answers before the kill, some after it"
t_ge "answers before the kill" "$BEFORE" $KILL_AFTER
t_ge "answers after the kill" "$(($(wc -l <"$T/phase1") - BEFORE))" 1
t_end
t_begin "Redis killed under load: every request answered 200 or 503, none lost"
n=$(awk '$4 != 200 && $4 != 503' "$T/phase1" | wc -l)
t_eq "answers other than 200/503 ($(awk '$4 != 200 && $4 != 503 { print $4 }' "$T/phase1" | sort | uniq -c | tr '\n' ' '))" "$n" 0
t_ge "503 answers (Redis was dead for ${DOWN}s)" "$(awk '$4 == 503' "$T/phase1" | wc -l)" 1
t_end
t_begin "Redis killed under load: every answer within ${LIMIT}s"
n=$(awk -v l="$LIMIT" '$5 + 0 > l + 0 { printf "session %s request %s (%s): %ss; ", $1, $2, $3, $5 }' "$T/phase1")
[ -z "$n" ] || t_fail "$n"
t_end
t_begin "Redis killed under load: every 503 is SERVICE_UNAVAILABLE"
while read -r s n kind code _; do
	[ "$code" = 503 ] || continue
	c=$(jq -r .error.code "$T/c$s/$n.json" 2>/dev/null)
	[ "$c" = SERVICE_UNAVAILABLE ] || t_fail "session $s request $n: '$c'"
done <"$T/phase1"
t_end
t_begin "Redis killed under load: no FastCGI worker died"
t_eq "worker pids" "$(fcgi_workers)" "$WORKERS"
t_end

# ---- Redis back on the same port and data directory: what survived
if ! redis_start "$PORT"; then
	notok "Redis restarts on port $PORT" "$(tail -n 5 "$REDIS_DIR/redis.log")"
	done_testing
fi
declare -A NSTATE=()
t_begin "Redis back: every session holds its last 200's tokens or an unanswered rotation's, never older ones, never a mix"
for i in $(seq 1 $NS); do
	load_classify "$i"
	NSTATE[$LOAD_STATE]=$((${NSTATE[$LOAD_STATE]:-0} + 1))
	echo "# session $i after the restart: $LOAD_STATE ($LOAD_MATCH)"
	case $LOAD_STATE in
	last|unseen) ;;
	*) t_fail "session $i: $LOAD_STATE ($LOAD_MATCH)" ;;
	esac
	eval "STATE_$i=$LOAD_STATE"
done
t_end
t_begin "Redis back: the last 200's tokens answer GET /session with 200 when Redis holds them, 401 after an unanswered rotation"
for i in $(seq 1 $NS); do
	last=$(load_last_rotation "$i")
	st=STATE_$i
	want=401
	[ "${!st}" = last ] && want=200
	for f in authorization authorizationCorban; do
		http GET "$API/session" "" -H "Authorization: $(jq -r ".data.$f" "$T/c$i/$last.json")"
		t_eq "session $i (${!st}) $f of answer $last" "$STATUS" "$want"
	done
done
t_end
LOAD_MIXED=${NSTATE[mixed]:-0}

# ---- Redis back: the clients go on until a 200 each
load_once $NS
load_answers $NS >"$T/all"
awk 'NR == FNR { seen[$1 " " $2] = 1; next } !(($1 " " $2) in seen)' "$T/phase1" "$T/all" >"$T/phase2"
t_begin "Redis back: every request of the clients answers 200 (the workers reconnect by themselves)"
t_ge "requests" "$(wc -l <"$T/phase2")" $NS
n=$(awk '$4 != 200' "$T/phase2" | wc -l)
t_eq "non-200 answers ($(awk '$4 != 200 { print $1 "/" $2 ":" $4 }' "$T/phase2" | tr '\n' ' '))" "$n" 0
t_end
t_begin "Redis back: every session holds exactly the tokens of its last answer, they work, earlier ones are dead"
t_load_settled $NS
t_end
t_begin "Redis back: the same two FastCGI workers serve"
t_eq "worker pids" "$(fcgi_workers)" "$WORKERS"
t_end
lighttpd_stop
t_begin "no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end

echo "# fault redis-kill: $(load_figures "$T/all"), $LOAD_MIXED mixed;" \
    "$NS sessions right after the restart: ${NSTATE[last]:-0} at their last 200," \
    "${NSTATE[unseen]:-0} at an unanswered rotation," \
    "$((NS - ${NSTATE[last]:-0} - ${NSTATE[unseen]:-0})) other"
done_testing
