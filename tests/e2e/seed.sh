# The seed page through a real lighttpd (conf/lighttpd.conf, mod_fastcgi)
# and a real redis-server: log in with curl, then run the seed's exact curl
# command shape against /api/v1/autenticacao/refresh-session.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
conf_write
user_add seu_usuario sua_senha
if ! lighttpd_start; then
	notok "lighttpd starts with $LIGHTTPD_CONF" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
ok "lighttpd starts ($( [ "$LIGHTTPD_SHIPPED" = 1 ] && echo "the shipped conf/lighttpd.conf" || echo "a test-written config"))"

t_begin "e2e: the shipped conf/lighttpd.conf is the one under test"
t_eq "config" "$LIGHTTPD_CONF" "$ROOT_DIR/conf/lighttpd.conf"
t_end

t_begin "e2e: login with curl -> 200 and a session"
code=$(curl -s -m 10 -o "$T/login.json" -D "$T/login.hdr" -w '%{http_code}' \
    -X POST "$BASE/api/v1/autenticacao/login" \
    -H "Content-Type: application/json" \
    -d '{"username": "seu_usuario", "password": "sua_senha"}')
t_eq "HTTP status" "$code" 200
SID=$(jq -r .data.sessionId "$T/login.json" 2>/dev/null)
OLD_AUTH=$(jq -r .data.authorization "$T/login.json" 2>/dev/null)
t_match sessionId "$SID" '^[A-Za-z0-9._~-]{22,256}$'
t_end

# The seed's request, byte for byte in shape: -X POST, the header, and -d
# with the multi-line body (only the sessionId is the live one).
t_begin "e2e: the seed's curl example -> 200 success true, same sessionId, three Bearer tokens"
code=$(curl -s -m 10 -o "$T/seed.json" -D "$T/seed.hdr" -w '%{http_code}' \
  -X POST "$BASE/api/v1/autenticacao/refresh-session" \
  -H "Content-Type: application/json" \
  -d '{
    "sessionId": "'"$SID"'",
    "username": "seu_usuario",
    "password": "sua_senha"
  }')
t_eq "HTTP status" "$code" 200
t_eq success "$(jq -r .success "$T/seed.json" 2>/dev/null)" true
t_eq "data.sessionId (mantido)" "$(jq -r .data.sessionId "$T/seed.json" 2>/dev/null)" "$SID"
for f in authorization authorizationCorban refreshToken; do
	t_token_shape "$f" "$(jq -r ".data.$f" "$T/seed.json" 2>/dev/null)"
done
t_eq "seed keys present (strings)" \
    "$(jq -c '[.data.sessionId, .data.authorization, .data.authorizationCorban, .data.refreshToken] | map(type)' "$T/seed.json" 2>/dev/null)" \
    '["string","string","string","string"]'
t_eq "top-level keys" "$(jq -c 'keys_unsorted' "$T/seed.json" 2>/dev/null)" '["success","data"]'
t_end
t_begin "e2e: the seed's answer has the HTTP headers of the contract"
HDRF=$T/seed.hdr.clean
tr -d '\r' <"$T/seed.hdr" | sed '1d;/^$/d' >"$HDRF"
HEADERS=$(<"$HDRF")
t_match "status line" "$(head -n 1 "$T/seed.hdr")" '^HTTP/1\.[01] 200'
t_eq Content-Type "$(hdr Content-Type)" "application/json; charset=utf-8"
t_eq Cache-Control "$(hdr Cache-Control)" no-store
t_eq Pragma "$(hdr Pragma)" no-cache
t_eq "Status header not leaked" "$(hdr_count Status)" 0
t_end
NEW_AUTH=$(jq -r .data.authorization "$T/seed.json" 2>/dev/null)
t_begin "e2e: after the seed's refresh the old authorization is dead and the new one live"
http GET "$API/session" "" -H "Authorization: $OLD_AUTH"
t_eq "old" "$STATUS" 401
http GET "$API/session" "" -H "Authorization: $NEW_AUTH"
t_eq "new" "$STATUS" 200
t_eq sessionId "$(jget .data.sessionId)" "$SID"
t_end
t_begin "e2e: the seed's JavaScript fetch body (JSON.stringify, one line) works too"
http POST "$API/refresh-session" "{\"sessionId\":\"$SID\",\"username\":\"seu_usuario\",\"password\":\"sua_senha\"}"
t_eq status "$STATUS" 200
t_eq sessionId "$(jget .data.sessionId)" "$SID"
t_end

# ---- the front line through lighttpd
t_begin "e2e: wrong password -> HTTP 401 INVALID_CREDENTIALS"
http POST "$API/refresh-session" "{\"sessionId\":\"$SID\",\"username\":\"seu_usuario\",\"password\":\"x\"}"
t_eq status "$STATUS" 401
t_eq code "$(jget .error.code)" INVALID_CREDENTIALS
t_end
t_begin "e2e: unknown route -> HTTP 404 NOT_FOUND JSON"
http POST "$API/nope" '{}'
t_eq status "$STATUS" 404
t_eq code "$(jget .error.code)" NOT_FOUND
t_end
t_begin "e2e: GET /refresh-session -> HTTP 405 with Allow: POST"
http GET "$API/refresh-session"
t_eq status "$STATUS" 405
t_eq Allow "$(hdr Allow)" POST
t_eq code "$(jget .error.code)" METHOD_NOT_ALLOWED
t_end
t_begin "e2e: text/plain -> HTTP 415"
http POST "$API/login" "" -H 'Content-Type: text/plain' --data-binary '{"username":"a","password":"b"}'
t_eq status "$STATUS" 415
t_eq code "$(jget .error.code)" UNSUPPORTED_MEDIA_TYPE
t_end
t_begin "e2e: a 9000-byte body -> HTTP 413"
http POST "$API/login" "{\"username\":\"a\",\"password\":\"b\",\"x\":\"$(repeat x 9000)\"}"
t_eq status "$STATUS" 413
t_eq code "$(jget .error.code)" PAYLOAD_TOO_LARGE
t_end
t_begin "e2e: GET /health -> 200"
http GET "$API/health"
t_eq status "$STATUS" 200
t_eq redis "$(jget .data.redis)" ok
t_end
t_begin "e2e: a query string on a route does not change it"
http GET "$API/health?x=1&login"
t_eq status "$STATUS" 200
t_end
t_begin "e2e: the responder's log lines reach the error log, without secrets"
sleep 0.3
t_match "log has a request line" "$(<"$LIGHTTPD_LOG")" 'refresh-session'
grep -qF sua_senha "$LIGHTTPD_LOG" && t_fail "password in the log"
grep -qF "$(secret_of "$NEW_AUTH")" "$LIGHTTPD_LOG" && t_fail "token in the log"
t_end
lighttpd_stop
t_begin "e2e: no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
done_testing
