# Redis unreachable or slow (docs/API.md: 503 SERVICE_UNAVAILABLE, "never 401
# and never 200"; redis_timeout_ms bounds the wait).
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write redis_timeout_ms=300
user_add alice alice-pw
login alice alice-pw
S=$SID A=$AUTH R=$REFRESH
[ "$STATUS" = 200 ] || notok "setup: login alice" "status $STATUS: $BODY"
LIMIT=1800	# ms: redis_timeout_ms 300 + slack for process start
[ "$SANITIZE" = 1 ] && LIMIT=4000
[ "$VALGRIND" = 1 ] && LIMIT=10000	# valgrind alone takes 1-3 s to start

# ---- a config pointing at a closed port
CLOSED=$T/closed.conf
conf_write "$CLOSED" "redis_port=$(free_port)" redis_timeout_ms=300
u503() { # NAME [cgi args]
	local name=$1
	shift
	t_begin "$name"
	CONF=$CLOSED cgi "$@"
	t_error 503 SERVICE_UNAVAILABLE
	t_le "ms" "$CGI_MS" "$LIMIT"
	t_end
}
u503 "closed Redis port: login -> 503 SERVICE_UNAVAILABLE" \
    POST "$API/login" '{"username":"alice","password":"alice-pw"}'
u503 "closed Redis port: login with a wrong password -> 503, never 401" \
    POST "$API/login" '{"username":"alice","password":"wrong"}'
u503 "closed Redis port: login of an unknown user -> 503, never 401" \
    POST "$API/login" '{"username":"nobody","password":"wrong"}'
u503 "closed Redis port: refresh-session -> 503" \
    POST "$API/refresh-session" "$(jq -cn --arg s "$S" '{sessionId:$s,username:"alice",password:"alice-pw"}')"
u503 "closed Redis port: refresh-token -> 503, never 401" \
    POST "$API/refresh-token" "$(jq -cn --arg s "$S" --arg r "$R" '{sessionId:$s,refreshToken:$r}')"
u503 "closed Redis port: GET /session with a good token -> 503, never 401" \
    GET "$API/session" "" "HTTP_AUTHORIZATION=$A"
u503 "closed Redis port: logout -> 503" \
    POST "$API/logout" "" "HTTP_AUTHORIZATION=$A"
u503 "closed Redis port: GET /health -> 503" GET "$API/health"
t_begin "closed Redis port: validation still answers 400 (checks before any I/O)"
CONF=$CLOSED cgi POST "$API/login" '{"username":"alice"}'
t_error 400 MISSING_FIELD password
t_end
t_begin "closed Redis port: unknown route still answers 404"
CONF=$CLOSED cgi GET "$API/nope"
t_error 404 NOT_FOUND
t_end
t_begin "closed Redis port: the admin tool exits 1 with a reason"
CONF=$CLOSED adm list
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" .
t_end

# ---- Redis that accepts connections but does not answer (CLIENT PAUSE)
slow503() { # NAME [cgi args]
	local name=$1
	shift
	t_begin "$name"
	rcli CLIENT PAUSE 4000 ALL >/dev/null
	cgi "$@"
	t_error 503 SERVICE_UNAVAILABLE
	t_le "ms (redis_timeout_ms 300)" "$CGI_MS" "$LIMIT"
	rcli CLIENT UNPAUSE >/dev/null
	t_end
}
slow503 "Redis not answering: login -> 503 within redis_timeout_ms" \
    POST "$API/login" '{"username":"alice","password":"alice-pw"}'
slow503 "Redis not answering: refresh-session -> 503 within redis_timeout_ms" \
    POST "$API/refresh-session" "$(jq -cn --arg s "$S" '{sessionId:$s,username:"alice",password:"alice-pw"}')"
slow503 "Redis not answering: GET /session -> 503 within redis_timeout_ms, never 401" \
    GET "$API/session" "" "HTTP_AUTHORIZATION=$A"
slow503 "Redis not answering: GET /health -> 503 within redis_timeout_ms" GET "$API/health"
t_begin "after the pause the session is intact: refresh-session answers 200"
refresh_session "$S" alice alice-pw
t_status 200
t_eq sessionId "$(jget .data.sessionId)" "$S"
t_end
A=$AUTH

# ---- the test's Redis stopped
t_begin "Redis stopped: login -> 503 SERVICE_UNAVAILABLE"
PORT=$REDIS_PORT
redis_stop
login alice alice-pw
t_error 503 SERVICE_UNAVAILABLE
t_le ms "$CGI_MS" "$LIMIT"
t_end
t_begin "Redis stopped: refresh-session -> 503"
refresh_session "$S" alice alice-pw
t_error 503 SERVICE_UNAVAILABLE
t_end
t_begin "Redis stopped: GET /session -> 503, never 401"
session_get "$A"
t_error 503 SERVICE_UNAVAILABLE
t_end
t_begin "Redis stopped: the admin tool exits 1"
adm sessions alice
t_eq exit "$ADM_RC" 1
t_end
t_begin "Redis back on the same port: GET /health -> 200"
redis_start "$PORT"
cgi GET "$API/health"
t_status 200
t_eq redis "$(jget .data.redis)" ok
t_end
done_testing
