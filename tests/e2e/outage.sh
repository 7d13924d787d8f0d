# Redis going away under a running lighttpd (docs/API.md: 503, never 401 or 200;
# store.h: a long-lived worker reconnects by itself once Redis is back).
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
PORT=$REDIS_PORT
conf_write redis_timeout_ms=500
user_add ana ana-pw
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
LIMIT=2.5	# seconds: redis_timeout_ms 500 + slack
[ "$SANITIZE" = 1 ] && LIMIT=5
fast() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
rs_body() { jq -cn --arg s "$1" '{sessionId:$s,username:"ana",password:"ana-pw"}'; }

t_begin "e2e outage: before, login and refresh-session answer 200"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
t_eq login "$STATUS" 200
SID=$(jget .data.sessionId)
http POST "$API/refresh-session" "$(rs_body "$SID")"
t_eq refresh-session "$STATUS" 200
AUTH=$(jget .data.authorization)
# warm both workers so that each holds a Redis connection
pids=()
for i in 1 2 3 4; do curl -s -m 10 -o /dev/null "$BASE$API/health" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
t_end

redis_stop save
t_begin "e2e outage: Redis stopped -> refresh-session 503 SERVICE_UNAVAILABLE within the timeout"
http POST "$API/refresh-session" "$(rs_body "$SID")"
t_eq status "$STATUS" 503
t_eq code "$(jget .error.code)" SERVICE_UNAVAILABLE
fast "$HTTP_S" "$LIMIT" || t_fail "took ${HTTP_S}s (limit ${LIMIT}s)"
t_end
t_begin "e2e outage: Redis stopped -> login 503, never 401"
http POST "$API/login" '{"username":"ana","password":"wrong"}'
t_eq status "$STATUS" 503
fast "$HTTP_S" "$LIMIT" || t_fail "took ${HTTP_S}s (limit ${LIMIT}s)"
t_end
t_begin "e2e outage: Redis stopped -> GET /session 503, never 401"
http GET "$API/session" "" -H "Authorization: $AUTH"
t_eq status "$STATUS" 503
t_end
t_begin "e2e outage: Redis stopped -> GET /health 503"
http GET "$API/health"
t_eq status "$STATUS" 503
t_end
t_begin "e2e outage: Redis stopped -> every one of 6 parallel requests answers 503 in time"
pids=()
for i in 1 2 3 4 5 6; do
	curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}\n' -X POST \
	    -H 'Content-Type: application/json' -d "$(rs_body "$SID")" \
	    "$BASE$API/refresh-session" >"$T/p$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in 1 2 3 4 5 6; do
	read -r c s <"$T/p$i"
	[ "$c" = 503 ] || t_fail "request $i: HTTP $c"
	fast "$s" "$LIMIT" || t_fail "request $i took ${s}s"
done
t_end

redis_start "$PORT"
t_begin "e2e outage: Redis back on the same port -> 200 again without restarting lighttpd"
ok200=0
for i in $(seq 1 10); do
	http POST "$API/refresh-session" "$(rs_body "$SID")"
	[ "$STATUS" = 200 ] && { ok200=1; break; }
	sleep 0.2
done
t_eq "a 200 within 10 tries" "$ok200" 1
t_eq "same session (saved and reloaded)" "$(jget .data.sessionId)" "$SID"
t_end
t_begin "e2e outage: once Redis is back, no request answers 503 (stale connections are replaced)"
pids=()
for i in 1 2 3 4 5 6; do
	curl -s -m 10 -o /dev/null -w '%{http_code}\n' "$BASE$API/health" >"$T/h$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in 1 2 3 4 5 6; do
	c=$(<"$T/h$i")
	[ "$c" = 200 ] || t_fail "health $i: HTTP $c"
done
t_end

# ---- Redis that hangs: command timeouts, then recovery without desync
t_begin "e2e hang: Redis paused -> refresh-session 503 within redis_timeout_ms + slack"
rcli CLIENT PAUSE 3000 ALL >/dev/null
http POST "$API/refresh-session" "$(rs_body "$SID")"
t_eq status "$STATUS" 503
fast "$HTTP_S" "$LIMIT" || t_fail "took ${HTTP_S}s (limit ${LIMIT}s)"
t_end
sleep 3.2
t_begin "e2e hang: after the pause answers are right again (no reply mix-up on the connection)"
http POST "$API/login" '{"username":"ana","password":"ana-pw"}'
t_eq login "$STATUS" 200
S2=$(jget .data.sessionId) A2=$(jget .data.authorization)
http GET "$API/session" "" -H "Authorization: $A2"
t_eq session "$STATUS" 200
t_eq "session's id" "$(jget .data.sessionId)" "$S2"
t_eq "session's user" "$(jget .data.username)" ana
http GET "$API/health"
t_eq health "$STATUS" 200
t_end
lighttpd_stop
t_begin "e2e outage: no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
done_testing
