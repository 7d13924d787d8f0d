# Request validation of POST /login (docs/API.md "Errors"; docs/design.md
# order of checks): every MISSING_FIELD / INVALID_FIELD / INVALID_JSON case.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer cases

redis_start || exit 1
conf_write

BASE='{"username":"nobody","password":"secret"}'
body_cases login "$BASE" username
field_cases login "$BASE" username 64 text
field_cases login "$BASE" password 1024 text

# field order: the first bad field of the table is the one named
expect_error "login: bad username and missing password -> INVALID_FIELD username" \
    400 INVALID_FIELD username -- POST "$API/login" '{"username":1}'
expect_error "login: missing username and bad password -> MISSING_FIELD username" \
    400 MISSING_FIELD username -- POST "$API/login" '{"password":1}'

# the limits are inclusive: a body that is valid reaches the credential
# check (401 for an unknown user), never a 400
t_begin "login: 64-byte username is accepted (401 unknown user, not 400)"
cgi POST "$API/login" "$(with "$BASE" ".username = \"$(repeat u 64)\"")"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: 32 two-byte characters (64 bytes) username is accepted"
cgi POST "$API/login" "$(with "$BASE" ".username = \"$(repeat é 32)\"")"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: 1024-byte password is accepted (401 unknown user, not 400)"
cgi POST "$API/login" "$(with "$BASE" ".password = \"$(repeat p 1024)\"")"
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: 1-byte username and password are accepted"
cgi POST "$API/login" '{"username":"x","password":"y"}'
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: unknown fields are ignored"
cgi POST "$API/login" '{"username":"nobody","password":"secret","remember":true,"extra":{"a":[1,2]}}'
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: escaped unicode in username is valid (\\u00e9)"
cgi POST "$API/login" '{"username":"jos\u00e9","password":"secret"}'
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: fields in any order"
cgi POST "$API/login" '{"password":"secret","username":"nobody"}'
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "login: whitespace and newlines between tokens are valid JSON"
cgi POST "$API/login" $'{\n  "username" : "nobody",\n\t"password":"secret"\n}'
t_error 401 INVALID_CREDENTIALS
t_end
done_testing
