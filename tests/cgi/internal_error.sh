# 500 INTERNAL_ERROR (docs/API.md): a record Redis holds in the wrong shape
# is answered 500 (never 401, never 200); the details go to the log, never
# to the client.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

t_begin "a malformed session record -> 500 INTERNAL_ERROR without details"
login alice alice-pw
rcli SET "$(skey "$SID")" not-a-hash >/dev/null
session_get "$AUTH"
t_error 500 INTERNAL_ERROR
t_nomatch body "$BODY" 'WRONGTYPE|[Rr]edis|HGET|HMGET|EVAL|script|lua'
t_end
t_begin "a malformed user record -> 500 INTERNAL_ERROR (never 401, never 200)"
rcli SET "$(ukey user "broken")" not-a-hash >/dev/null
login broken whatever
t_error 500 INTERNAL_ERROR
t_nomatch body "$BODY" 'WRONGTYPE|[Rr]edis|HGET|HMGET'
t_end
done_testing
