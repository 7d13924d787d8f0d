# Redis out of memory (README "Running Redis"): with maxmemory reached and
# maxmemory-policy noeviction, the only policy under which nothing the
# service relies on disappears (a ban, a user's session index), every
# write is refused: the service answers 503 SERVICE_UNAVAILABLE, never a
# 200 it could not keep nor a 500; token checks, which only read, go on.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write
user_add mia mia-pw
login mia mia-pw
t_status 200
AUTH0=$AUTH
SID0=$SID
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
rcli CONFIG SET maxmemory 1 >/dev/null

t_begin "Redis full: a login answers 503, and no session was written"
n0=$(rcli KEYS "${PREFIX}session:*" | wc -l)
login mia mia-pw
t_error 503 SERVICE_UNAVAILABLE
t_eq "sessions" "$(rcli KEYS "${PREFIX}session:*" | wc -l)" "$n0"
t_end
t_begin "Redis full: refresh-session answers 503"
refresh_session "$SID0" mia mia-pw
t_error 503 SERVICE_UNAVAILABLE
t_end
t_begin "Redis full: GET /session with a live token still answers 200"
session_get "$AUTH0"
t_status 200
t_end
t_begin "room again: login answers 200"
rcli CONFIG SET maxmemory 0 >/dev/null
login mia mia-pw
t_status 200
t_end
done_testing
