# A body that arrives slowly (autenticacao.conf(5) body_timeout): the
# responder stops waiting for it body_timeout seconds after the request
# came, answers 400 INVALID_JSON and says why in the log, so a client
# that sends its body a byte at a time cannot hold a worker.  The stdin
# of these runs stays open after what was sent (tests/lib/cgi.sh
# CGI_HOLD), as a web server's pipe would.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write body_timeout=1
user_add slow slow-password

LOGIN_BODY='{"username":"slow","password":"slow-password"}'
t_begin "a body shorter than CONTENT_LENGTH: 400 after body_timeout, not a hang"
CGI_HOLD=1 cgi POST "$API/login" "${LOGIN_BODY:0:20}" "CONTENT_LENGTH=${#LOGIN_BODY}"
t_error 400 INVALID_JSON
t_ge "ms" "$CGI_MS" 900
t_le "ms" "$CGI_MS" 5000
t_match "log" "$CGI_ERR" 'request body not received within 1 s \(body_timeout\)'
t_end
t_begin "a whole body held open after it: answered at once, no wait for EOF"
conf_write "$CONF" body_timeout=5
CGI_HOLD=1 cgi POST "$API/login" "$LOGIN_BODY"
t_status 200
t_le "ms, well under body_timeout" "$CGI_MS" 4000
t_nomatch "log" "$CGI_ERR" 'not received within'
t_end
t_begin "body_timeout is read from the config: 3 s"
conf_write "$CONF" body_timeout=3
CGI_HOLD=1 cgi POST "$API/login" "${LOGIN_BODY:0:20}" "CONTENT_LENGTH=${#LOGIN_BODY}"
t_error 400 INVALID_JSON
t_ge "ms" "$CGI_MS" 2900
t_match "log" "$CGI_ERR" 'within 3 s'
t_end
done_testing
