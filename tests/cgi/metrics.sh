# GET /metrics (docs/API.md "Observability"; autenticacao.conf(5)
# "metrics"): 404 unless metrics = on and the client is in metrics_allow,
# whatever the method; else the Prometheus text format, which promtool
# check metrics accepts, with the counters of every process (each CGI
# run is a worker of its own) added up in Redis.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
command -v promtool >/dev/null 2>&1 ||
    { notok "promtool is installed (make deps: prometheus)" "no promtool"; done_testing; }
conf_write metrics=on max_failures=3
OFF=$T/off.conf
conf_write "$OFF" metrics=-

# scrape [VAR=VALUE...]: GET /metrics as CGI; the body is $BODY.
scrape() {
	cgi GET "$API/metrics" "" "$@"
}
# metric 'NAME{LABELS}': its value in the last scrape (0 when absent).
metric() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' <<<"$BODY"
}
# t_promtool: promtool check metrics finds nothing in the last scrape.
t_promtool() {
	local out
	out=$(printf '%s' "$BODY" | promtool check metrics 2>&1)
	t_eq "promtool check metrics" "$?:$out" "0:"
}

t_begin "metrics off (the default): GET /metrics is 404 NOT_FOUND"
CONF=$OFF scrape
t_error 404 NOT_FOUND
t_end
t_begin "metrics off: other methods are 404 too, not 405"
CONF=$OFF cgi POST "$API/metrics" '{}'
t_error 404 NOT_FOUND
t_end

t_begin "metrics on: 200 in the Prometheus text format that promtool accepts"
scrape
t_status 200
t_eq "content type" "$(hdr Content-Type)" 'text/plain; version=0.0.4; charset=utf-8'
t_promtool
t_match "every family" "$BODY" '# TYPE autenticacao_requests_total counter'
for m in autenticacao_logins_total autenticacao_refresh_reuse_total \
    autenticacao_sessions_revoked_total autenticacao_redis_errors_total; do
	t_match "$m" "$BODY" "# TYPE $m counter"
done
t_match "histogram" "$BODY" '# TYPE autenticacao_request_duration_seconds histogram'
t_end

t_begin "an address outside metrics_allow gets 404 NOT_FOUND, also for POST"
scrape REMOTE_ADDR=192.0.2.10
t_error 404 NOT_FOUND
cgi POST "$API/metrics" '{}' REMOTE_ADDR=192.0.2.10
t_error 404 NOT_FOUND
t_end
t_begin "an allowed address with another method gets 405"
cgi POST "$API/metrics" '{}'
t_error 405 METHOD_NOT_ALLOWED
t_end
t_begin "::1 is allowed by default"
scrape REMOTE_ADDR=::1
t_status 200
t_end
t_begin "metrics_allow with a CIDR block: inside 200, outside (127.0.0.1 too) 404"
conf_write "$T/net.conf" metrics=on metrics_allow=10.0.0.0/8,2001:db8::/32
CONF=$T/net.conf scrape REMOTE_ADDR=10.1.2.3
t_status 200
CONF=$T/net.conf scrape REMOTE_ADDR=2001:db8::7
t_status 200
CONF=$T/net.conf scrape
t_error 404 NOT_FOUND
t_end
t_begin "X-Forwarded-For is believed only from trusted_proxies for metrics_allow"
conf_write "$T/xff.conf" metrics=on trusted_proxies=10.9.9.9
CONF=$T/xff.conf scrape REMOTE_ADDR=10.9.9.9 HTTP_X_FORWARDED_FOR=192.0.2.1
t_error 404 NOT_FOUND
CONF=$T/xff.conf scrape REMOTE_ADDR=10.9.9.9 HTTP_X_FORWARDED_FOR=127.0.0.1
t_status 200
CONF=$T/xff.conf scrape REMOTE_ADDR=192.0.2.1 HTTP_X_FORWARDED_FOR=127.0.0.1
t_error 404 NOT_FOUND
t_end

t_begin "requests are counted by endpoint and status, in every process, with their durations"
scrape
h0=$(metric 'autenticacao_requests_total{endpoint="health",status="200"}')
c0=$(metric 'autenticacao_request_duration_seconds_count{endpoint="health"}')
for i in 1 2 3 4 5; do cgi GET "$API/health"; done
cgi GET "$API/no-such-endpoint"
scrape
t_eq "health 200" "$(metric 'autenticacao_requests_total{endpoint="health",status="200"}')" "$((h0 + 5))"
t_eq "histogram count" "$(metric 'autenticacao_request_duration_seconds_count{endpoint="health"}')" "$((c0 + 5))"
t_eq "+Inf bucket = count" "$(metric 'autenticacao_request_duration_seconds_bucket{endpoint="health",le="+Inf"}')" "$((c0 + 5))"
t_ge "unknown path as other/404" "$(metric 'autenticacao_requests_total{endpoint="other",status="404"}')" 1
t_promtool
t_end

t_begin "logins by result: success, failure, banned"
user_add alice alice-pw-1234
login alice alice-pw-1234
t_status 200
login alice wrong-pw-0001 REMOTE_ADDR=192.0.2.5
login nobody wrong-pw-0002 REMOTE_ADDR=192.0.2.5
login alice wrong-pw-0003 REMOTE_ADDR=192.0.2.5
login alice wrong-pw-0004 REMOTE_ADDR=192.0.2.5
t_status 429
scrape
t_eq "success" "$(metric 'autenticacao_logins_total{result="success"}')" 1
t_eq "failure" "$(metric 'autenticacao_logins_total{result="failure"}')" 3
t_eq "banned" "$(metric 'autenticacao_logins_total{result="banned"}')" 1
t_eq "login 429" "$(metric 'autenticacao_requests_total{endpoint="login",status="429"}')" 1
t_end

t_begin "a reused refresh token counts refresh_reuse and a revocation for reuse"
login alice alice-pw-1234
sid=$SID old=$REFRESH
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SID" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
t_status 200
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$sid" --arg r "$old" '{sessionId:$s,refreshToken:$r}')"
t_status 401
scrape
t_eq "reuse" "$(metric autenticacao_refresh_reuse_total)" 1
t_eq "revoked reuse" "$(metric 'autenticacao_sessions_revoked_total{reason="reuse"}')" 1
t_end

t_begin "logout, logout-all and autenticacao-admin revocations count by reason"
login alice alice-pw-1234
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH"
t_status 200
login alice alice-pw-1234
login alice alice-pw-1234
cgi POST "$API/logout-all" "" "HTTP_AUTHORIZATION=$AUTH"
t_status 200
n_all=$(jget .data.revoked)
login alice alice-pw-1234
login alice alice-pw-1234
adm revoke-user alice
t_eq "admin exit" "$ADM_RC" 0
scrape
t_eq "logout" "$(metric 'autenticacao_sessions_revoked_total{reason="logout"}')" 1
t_eq "logout_all" "$(metric 'autenticacao_sessions_revoked_total{reason="logout_all"}')" "$n_all"
t_eq "admin" "$(metric 'autenticacao_sessions_revoked_total{reason="admin"}')" 2
t_end

t_begin "sessions evicted by max_sessions_per_user count as evicted"
conf_write "$T/cap.conf" metrics=on max_sessions_per_user=1
CONF=$T/cap.conf login alice alice-pw-1234
CONF=$T/cap.conf login alice alice-pw-1234
t_status 200
scrape
t_eq "evicted" "$(metric 'autenticacao_sessions_revoked_total{reason="evicted"}')" 1
t_end

t_begin "the counters live in one Redis hash under key_prefix, without a secret"
t_eq "type" "$(rcli TYPE "${PREFIX}metrics")" hash
t_eq "no expiry" "$(rcli TTL "${PREFIX}metrics")" -1
t_nomatch "fields" "$(rcli HKEYS "${PREFIX}metrics")" 'alice|Bearer|pw'
t_end

t_begin "metrics off counts nothing"
before=$(rcli HGET "${PREFIX}metrics" 'req:health:200')
CONF=$OFF cgi GET "$API/health"
t_eq "unchanged" "$(rcli HGET "${PREFIX}metrics" 'req:health:200')" "$before"
t_end

t_begin "a final scrape still passes promtool"
scrape
t_promtool
t_end

done_testing
