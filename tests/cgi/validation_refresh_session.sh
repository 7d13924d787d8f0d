# Request validation of POST /refresh-session (the seed's body: sessionId,
# username, password): every MISSING_FIELD / INVALID_FIELD / INVALID_JSON
# case of docs/API.md, in the order of the endpoint's table.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer cases

redis_start || exit 1
conf_write

SID0=AAAAAAAAAAAAAAAAAAAAAA
BASE="{\"sessionId\":\"$SID0\",\"username\":\"nobody\",\"password\":\"secret\"}"
body_cases refresh-session "$BASE" sessionId
field_cases refresh-session "$BASE" sessionId 256 id
field_cases refresh-session "$BASE" username 64 text
field_cases refresh-session "$BASE" password 1024 text

expect_error "refresh-session: {} names sessionId first" \
    400 MISSING_FIELD sessionId -- POST "$API/refresh-session" '{}'
expect_error "refresh-session: only sessionId -> MISSING_FIELD username" \
    400 MISSING_FIELD username -- POST "$API/refresh-session" "{\"sessionId\":\"$SID0\"}"
expect_error "refresh-session: sessionId and username -> MISSING_FIELD password" \
    400 MISSING_FIELD password -- POST "$API/refresh-session" "{\"sessionId\":\"$SID0\",\"username\":\"u\"}"
expect_error "refresh-session: bad sessionId wins over bad username" \
    400 INVALID_FIELD sessionId -- POST "$API/refresh-session" '{"sessionId":1,"username":2,"password":3}'
expect_error "refresh-session: bad username wins over missing password" \
    400 INVALID_FIELD username -- POST "$API/refresh-session" "{\"sessionId\":\"$SID0\",\"username\":[]}"
expect_error "refresh-session: login's body (no sessionId) -> MISSING_FIELD sessionId" \
    400 MISSING_FIELD sessionId -- POST "$API/refresh-session" '{"username":"nobody","password":"secret"}'

t_begin "refresh-session: 256-byte sessionId is accepted (401 unknown user, not 400)"
cgi POST "$API/refresh-session" "$(with "$BASE" ".sessionId = \"$(repeat s 256)\"")"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "refresh-session: sessionId with every URL-safe character is accepted"
cgi POST "$API/refresh-session" "$(with "$BASE" '.sessionId = "AZaz09-._~"')"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "refresh-session: 64-byte username and 1024-byte password are accepted"
cgi POST "$API/refresh-session" "$(with "$BASE" ".username = \"$(repeat u 64)\" | .password = \"$(repeat p 1024)\"")"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "refresh-session: unknown fields are ignored"
cgi POST "$API/refresh-session" "$(with "$BASE" '.x = [1,{"y":null}] | .refreshToken = 5')"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "refresh-session: the seed's multi-line body shape is valid JSON"
cgi POST "$API/refresh-session" $'{\n    "sessionId": "abc123",\n    "username": "seu_usuario",\n    "password": "sua_senha"\n  }'
t_error 401 INVALID_CREDENTIALS
t_end
done_testing
