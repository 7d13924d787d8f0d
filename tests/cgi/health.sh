# GET /health (docs/API.md): 200 {success:true, data:{redis:"ok"}} while
# Redis answers; it takes no body, so Content-Type and a body are ignored.
# Redis down: tests/cgi/redis_down.sh.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200

t_begin "GET /health -> 200 {success:true, data:{redis:\"ok\"}}"
cgi GET "$API/health"
t_status 200
t_json_ct
t_eq body "$(jq -c . "$BODYF")" '{"success":true,"data":{"redis":"ok"}}'
t_end

t_begin "GET /health ignores Content-Type and a body (takes none)"
cgi GET "$API/health" "garbage" CONTENT_TYPE=text/plain
t_status 200
t_end
done_testing
