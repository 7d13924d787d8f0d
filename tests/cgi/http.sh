# The front line of the responder as a CGI program (docs/API.md "Errors",
# docs/design.md "Routing" and "Order of checks"): routes, methods,
# media type, CONTENT_LENGTH, body reading, argv, header injection and the
# headers of every answer.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer
# "Answers at once" means well before the run's timeout; a run under
# valgrind takes a few seconds by itself on a busy machine.
NOHANG_MS=5000
[ "$VALGRIND" = 1 ] && NOHANG_MS=20000

redis_start || exit 1
conf_write
LOGIN='{"username":"nobody","password":"secret"}'
LOGIN_LEN=${#LOGIN}

# ---- routing: 404 NOT_FOUND

for p in /api/v1/autenticacao/nope /api/v1/autenticacao/ /api/v1/autenticacao \
    /api/v1/autenticacao/login/ /api/v1/autenticacao/login/x \
    /api/v1/autenticacao/Login /api/v1/autenticacao/LOGIN /api/v1/autenticacao/loginx \
    /api/v1/autenticacao/login.json /api/v2/autenticacao/login /api/v1/autenticaca/login \
    / /login /foo/bar; do
	expect_error "POST $p -> 404 NOT_FOUND" 404 NOT_FOUND -- POST "$p" "$LOGIN"
done
expect_error "GET of an unknown route -> 404 NOT_FOUND (not 405)" 404 NOT_FOUND -- \
    GET /api/v1/autenticacao/nope
expect_error "DELETE of an unknown route -> 404 NOT_FOUND" 404 NOT_FOUND -- \
    DELETE /api/v1/autenticacao/users
expect_error "unknown route under a mount prefix (SCRIPT_NAME /cgi-bin/x.fcgi) -> 404" \
    404 NOT_FOUND -- POST "" "$LOGIN" SCRIPT_NAME=/cgi-bin/autenticacao.fcgi \
    PATH_INFO=/api/v1/autenticacao/nope REQUEST_URI=/cgi-bin/autenticacao.fcgi/api/v1/autenticacao/nope
expect_error "unknown route under another mount prefix (/auth/api/v1/autenticacao/nope) -> 404" \
    404 NOT_FOUND -- POST /auth/api/v1/autenticacao/nope "$LOGIN"
expect_error "a mount prefix without the API path (/cgi-bin/x.fcgi/login) -> 404" \
    404 NOT_FOUND -- POST "" "$LOGIN" SCRIPT_NAME=/cgi-bin/autenticacao.fcgi \
    PATH_INFO=/login REQUEST_URI=/cgi-bin/autenticacao.fcgi/login
expect_error "a query string does not make a route (/nope?x=/api/v1/autenticacao/login) -> 404" \
    404 NOT_FOUND -- POST /api/v1/autenticacao/nope "$LOGIN" \
    QUERY_STRING=x=/api/v1/autenticacao/login \
    REQUEST_URI=/api/v1/autenticacao/nope?x=/api/v1/autenticacao/login

# ---- routing: where the route is found

expect_error "route under a mount prefix: SCRIPT_NAME=/cgi-bin/x.fcgi PATH_INFO=/api/v1/autenticacao/login" \
    400 MISSING_FIELD username -- POST "" '{}' SCRIPT_NAME=/cgi-bin/autenticacao.fcgi \
    PATH_INFO=/api/v1/autenticacao/login REQUEST_URI=/cgi-bin/autenticacao.fcgi/api/v1/autenticacao/login
expect_error "route as lighttpd passes it: SCRIPT_NAME=/api/v1/autenticacao/login, no PATH_INFO" \
    400 MISSING_FIELD username -- POST "" '{}' SCRIPT_NAME=/api/v1/autenticacao/login \
    -PATH_INFO REQUEST_URI=/api/v1/autenticacao/login
expect_error "route under a prefix path (/auth/api/v1/autenticacao/login)" \
    400 MISSING_FIELD username -- POST /auth/api/v1/autenticacao/login '{}'
expect_error "route after the last /api/v1/autenticacao/ in the path" \
    400 MISSING_FIELD sessionId -- POST /api/v1/autenticacao/x/api/v1/autenticacao/refresh-session '{}'
expect_error "REQUEST_URI (query string cut) when SCRIPT_NAME and PATH_INFO are empty" \
    400 MISSING_FIELD username -- POST "" '{}' -PATH_INFO SCRIPT_NAME= \
    REQUEST_URI='/api/v1/autenticacao/login?lang=pt' QUERY_STRING=lang=pt
expect_error "a query string on a route is ignored" \
    400 MISSING_FIELD username -- POST /api/v1/autenticacao/login '{}' QUERY_STRING=login \
    'REQUEST_URI=/api/v1/autenticacao/login?login'

# ---- 405 METHOD_NOT_ALLOWED with Allow

m405() { # NAME METHOD ROUTE ALLOW [cgi args]
	local name=$1 m=$2 r=$3 allow=$4
	shift 4
	t_begin "$name"
	cgi "$m" "$API/$r" "$@"
	t_error 405 METHOD_NOT_ALLOWED
	t_eq "Allow" "$(hdr Allow)" "$allow"
	t_end
}
m405 "GET /login -> 405, Allow: POST" GET login POST
m405 "GET /refresh-session -> 405, Allow: POST" GET refresh-session POST
m405 "PUT /refresh-session -> 405, Allow: POST" PUT refresh-session POST "$LOGIN"
m405 "DELETE /login -> 405, Allow: POST" DELETE login POST
m405 "PATCH /login with a JSON body -> 405, Allow: POST" PATCH login POST "$LOGIN"
m405 "OPTIONS /login -> 405, Allow: POST" OPTIONS login POST
m405 "GET /refresh-token -> 405, Allow: POST" GET refresh-token POST
m405 "GET /logout -> 405, Allow: POST" GET logout POST
m405 "POST /session -> 405, Allow: GET" POST session GET "$LOGIN"
m405 "POST /health -> 405, Allow: GET" POST health GET "$LOGIN"
m405 "DELETE /session -> 405, Allow: GET" DELETE session GET
m405 "HEAD /health -> 405, Allow: GET (GET only)" HEAD health GET
m405 "lower-case 'post' is not POST -> 405" post login POST "$LOGIN"
m405 "405 comes before 415 (GET /login, text/plain)" GET login POST "x" CONTENT_TYPE=text/plain
m405 "405 comes before 413 (PUT /login, huge CONTENT_LENGTH)" PUT login POST "" CONTENT_LENGTH=999999999

# ---- 415 UNSUPPORTED_MEDIA_TYPE

for ct in text/plain application/x-www-form-urlencoded multipart/form-data \
    text/json application/jsonp application/json-patch+json application/jsonx \
    application/javascript 'json' 'application/' 'application/json, text/plain' \
    'application/xml; x=application/json'; do
	expect_error "login with Content-Type '$ct' -> 415" 415 UNSUPPORTED_MEDIA_TYPE -- \
	    POST "$API/login" "$LOGIN" "CONTENT_TYPE=$ct"
done
expect_error "login without CONTENT_TYPE -> 415" 415 UNSUPPORTED_MEDIA_TYPE -- \
    POST "$API/login" "$LOGIN" -CONTENT_TYPE
expect_error "login with an empty CONTENT_TYPE -> 415" 415 UNSUPPORTED_MEDIA_TYPE -- \
    POST "$API/login" "$LOGIN" CONTENT_TYPE=
expect_error "refresh-session with text/plain -> 415" 415 UNSUPPORTED_MEDIA_TYPE -- \
    POST "$API/refresh-session" "$LOGIN" CONTENT_TYPE=text/plain
expect_error "415 comes before 413 (text/plain, CONTENT_LENGTH 999999999)" 415 UNSUPPORTED_MEDIA_TYPE -- \
    POST "$API/login" "" CONTENT_TYPE=text/plain CONTENT_LENGTH=999999999
for ct in 'application/json; charset=utf-8' 'application/json;charset=UTF-8' \
    'Application/JSON' 'APPLICATION/JSON; CHARSET=UTF-8' 'application/json; charset="utf-8"'; do
	expect_error "login with Content-Type '$ct' is accepted (401, not 415)" \
	    401 INVALID_CREDENTIALS -- POST "$API/login" "$LOGIN" "CONTENT_TYPE=$ct"
done

# ---- 413 PAYLOAD_TOO_LARGE, decided before reading

t_begin "CONTENT_LENGTH 8193 (> max_body 8192) -> 413 before reading the body"
CGI_HOLD=1 cgi POST "$API/login" "" CONTENT_LENGTH=8193
t_error 413 PAYLOAD_TOO_LARGE
t_le "ms to answer with stdin held open" "$CGI_MS" "$NOHANG_MS"
t_end
t_begin "CONTENT_LENGTH 1000000000 -> 413 at once"
CGI_HOLD=1 cgi POST "$API/login" "" CONTENT_LENGTH=1000000000
t_error 413 PAYLOAD_TOO_LARGE
t_le "ms to answer with stdin held open" "$CGI_MS" "$NOHANG_MS"
t_end
pad=$(repeat a $((8192 - LOGIN_LEN - 7)))
big="{\"username\":\"nobody\",\"password\":\"secret\",\"p\":\"$pad\"}"
t_begin "a body of exactly max_body (8192) bytes is read (401, not 413)"
t_eq "test body length" "${#big}" 8192
cgi POST "$API/login" "$big"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "a body of max_body + 1 bytes -> 413"
cgi POST "$API/login" "${big%\}} }"
t_error 413 PAYLOAD_TOO_LARGE
t_end
expect_error "refresh-session with CONTENT_LENGTH 9000 -> 413" 413 PAYLOAD_TOO_LARGE -- \
    POST "$API/refresh-session" "" CONTENT_LENGTH=9000
SMALL=$T/small.conf
conf_write "$SMALL" max_body=64
t_begin "max_body from the config: 65 bytes -> 413 with max_body = 64"
b65=$(with "$LOGIN" '.x = "12345678901234567"')
t_eq "test body length" "${#b65}" 65
CONF=$SMALL cgi POST "$API/login" "$b65"
t_error 413 PAYLOAD_TOO_LARGE
t_end
t_begin "max_body from the config: 64 bytes are read with max_body = 64"
CONF=$SMALL cgi POST "$API/login" "${b65/\"1234/\"234}"
t_error 401 INVALID_CREDENTIALS
t_end
conf_write

# ---- strict CONTENT_LENGTH (RFC 3875 4.1.2: 1*digit)

for cl in abc -1 "+$LOGIN_LEN" " $LOGIN_LEN" "$LOGIN_LEN " "${LOGIN_LEN}abc" "$LOGIN_LEN.0" \
    0x3f 1e2 "-$LOGIN_LEN"; do
	expect_error "CONTENT_LENGTH '$cl' -> 400 INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/login" "$LOGIN" "CONTENT_LENGTH=$cl"
done
# A number past 64 bits is a length above max_body, however many digits:
# 2^64 + LOGIN_LEN would wrap to the real length in a careless parser.
expect_error "CONTENT_LENGTH 2^64 + body length -> 413 PAYLOAD_TOO_LARGE" \
    413 PAYLOAD_TOO_LARGE -- POST "$API/login" "$LOGIN" \
    "CONTENT_LENGTH=$(awk -v n="$LOGIN_LEN" 'BEGIN { printf "1844674407370955%04d", 1616 + n }')"
expect_error "no CONTENT_LENGTH (a body on stdin is not read) -> 400 INVALID_JSON" \
    400 INVALID_JSON -- POST "$API/login" "$LOGIN" -CONTENT_LENGTH
expect_error "empty CONTENT_LENGTH -> 400 INVALID_JSON" \
    400 INVALID_JSON -- POST "$API/login" "$LOGIN" CONTENT_LENGTH=
expect_error "CONTENT_LENGTH 0 with bytes on stdin -> 400 INVALID_JSON" \
    400 INVALID_JSON -- POST "$API/login" "$LOGIN" CONTENT_LENGTH=0

# ---- reading the body: exactly CONTENT_LENGTH bytes

t_begin "short body: CONTENT_LENGTH larger than the bytes sent -> 400 INVALID_JSON, no hang"
cgi POST "$API/login" "$LOGIN" CONTENT_LENGTH=$((LOGIN_LEN + 50))
t_error 400 INVALID_JSON
t_le "ms" "$CGI_MS" "$NOHANG_MS"
t_end
t_begin "short body: 1 byte sent of CONTENT_LENGTH 100 -> 400 INVALID_JSON"
cgi POST "$API/login" "{" CONTENT_LENGTH=100
t_error 400 INVALID_JSON
t_end
t_begin "reads exactly CONTENT_LENGTH bytes, never waits for EOF"
CGI_HOLD=1 cgi POST "$API/login" "$LOGIN"
t_error 401 INVALID_CREDENTIALS
t_le "ms to answer with stdin held open" "$CGI_MS" "$NOHANG_MS"
t_end
t_begin "bytes after CONTENT_LENGTH are not part of the body"
cgi POST "$API/login" "${LOGIN}garbage" CONTENT_LENGTH=$LOGIN_LEN
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "CONTENT_LENGTH shorter than the JSON -> 400 INVALID_JSON (truncated)"
cgi POST "$API/login" "$LOGIN" CONTENT_LENGTH=$((LOGIN_LEN - 1))
t_error 400 INVALID_JSON
t_end

# ---- the responder takes no arguments (RFC 3875 4.4)

for a in login --help -h --version health '-c /nonexistent' 'username=x' '--config=/nonexistent'; do
	read -r -a CGI_ARGV <<<"$a"
	expect_error "argv '$a' is ignored: the env's request is answered (404)" \
	    404 NOT_FOUND -- GET /api/v1/autenticacao/nope
	expect_error "argv '$a' is ignored: the env's login is answered (MISSING_FIELD)" \
	    400 MISSING_FIELD password -- POST "$API/login" '{"username":"a"}'
	VG_SKIP=1	# one argv case under valgrind is enough (tests/lib/cgi.sh)
done
VG_SKIP=0
unset CGI_ARGV

# ---- header injection: request data never becomes a header

inj() { # NAME [cgi args]: no "X-Injected" header, one Status, one Content-Type
	local name=$1
	shift
	t_begin "$name"
	cgi "$@"
	t_match "Status header" "$STATUS" '^[1-5][0-9][0-9]$'
	t_eq "Status headers" "$(hdr_count Status)" 1
	t_eq "Content-Type headers" "$(hdr_count Content-Type)" 1
	t_eq "X-Injected headers" "$(hdr_count X-Injected)" 0
	t_nomatch "header block" "$HEADERS" $'(^|\n)[^:\n]*X-Injected'
	t_nomatch "stderr log" "$CGI_ERR" $'(^|\n)X-Injected'
	t_end
}
inj "CR/LF in PATH_INFO does not reach the headers" \
    POST $'/api/v1/autenticacao/nope\r\nX-Injected: 1' "$LOGIN"
inj "CR/LF after a known route in PATH_INFO does not reach the headers" \
    POST $'/api/v1/autenticacao/login\r\nX-Injected: 1' "$LOGIN"
inj "CR/LF in a GET path does not reach the headers" \
    GET $'/api/v1/autenticacao/session\r\nX-Injected: 1\r\n\r\n{}'
inj "CR/LF in REQUEST_METHOD does not reach the headers" \
    $'GET\r\nX-Injected: 1' "$API/login" "$LOGIN"
inj "CR/LF in username does not reach the headers" \
    POST "$API/login" '{"username":"a\r\nX-Injected: 1","password":"b"}'
inj "CR/LF in X-Forwarded-For does not reach the headers" \
    POST "$API/login" "$LOGIN" $'HTTP_X_FORWARDED_FOR=1.2.3.4\r\nX-Injected: 1'
inj "CR/LF in CONTENT_TYPE does not reach the headers" \
    POST "$API/login" "$LOGIN" $'CONTENT_TYPE=text/plain\r\nX-Injected: 1'
inj "CR/LF in Authorization does not reach the headers" \
    GET "$API/session" "" $'HTTP_AUTHORIZATION=Bearer abc\r\nX-Injected: 1'
inj "CR/LF in REMOTE_ADDR does not reach the headers" \
    POST "$API/login" "$LOGIN" $'REMOTE_ADDR=127.0.0.1\r\nX-Injected: 1'
t_begin "CR/LF in the path is not echoed raw in the body"
cgi POST $'/api/v1/autenticacao/nope\r\nX-Injected: 1' "$LOGIN"
t_nomatch "body" "$BODY" $'[\r\n]X-Injected'
t_end

# ---- headers of every answer (docs/design.md "Output")

hdrs() { # NAME [cgi args]
	local name=$1
	shift
	t_begin "$name"
	cgi "$@"
	t_match "first line is the Status header (never an HTTP status line)" \
	    "${HEADERS%%$'\n'*}" '^Status: [1-5][0-9][0-9]( |$)'
	t_json_ct
	t_eq "Cache-Control" "$(hdr Cache-Control)" no-store
	t_eq "Pragma" "$(hdr Pragma)" no-cache
	t_eq "Status headers" "$(hdr_count Status)" 1
	t_eq "Content-Type headers" "$(hdr_count Content-Type)" 1
	t_match "output ends the header block with CRLF CRLF" "$(head -c 4096 "$OUT" | od -An -c | tr -d ' \n')" '\\r\\n\\r\\n'
	t_end
}
hdrs "400 answer: Status first, JSON Content-Type, no-store, no-cache" POST "$API/login" '{}'
hdrs "404 answer: Status first, JSON Content-Type, no-store, no-cache" GET /nope
hdrs "405 answer: Status first, JSON Content-Type, no-store, no-cache" GET "$API/login"
hdrs "401 answer: Status first, JSON Content-Type, no-store, no-cache" POST "$API/login" "$LOGIN"
hdrs "413 answer: Status first, JSON Content-Type, no-store, no-cache" POST "$API/login" "" CONTENT_LENGTH=9999
hdrs "415 answer: Status first, JSON Content-Type, no-store, no-cache" POST "$API/login" "$LOGIN" CONTENT_TYPE=text/plain

t_begin "plain CGI run exits 0 after one answer"
cgi POST "$API/login" '{}'
t_eq "exit status" "$CGI_RC" 0
t_end
t_begin "one log line on stderr per request, no secret in it"
cgi POST "$API/login" '{"username":"nobody","password":"Sup3rSecretPw"}'
t_eq "stderr lines" "$(printf '%s\n' "$CGI_ERR" | grep -c .)" 1
t_nomatch "stderr" "$CGI_ERR" 'Sup3rSecretPw'
t_match "stderr names the status" "$CGI_ERR" '401'
t_end
done_testing
