# log_format = json (docs/API.md "Observability"; autenticacao.fcgi(8)
# "LOGS"): every line the responder and autenticacao-admin write is one
# JSON object with time, level and event, the events of the contract carry
# their fields, every string is escaped whatever the request sent, and no
# password or token is in any line (tests/suite/secrets_scan.sh also reads
# the decoded strings of these lines).
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write log_format=json max_failures=3

# json_lines FILE: exit 0 if every line of FILE is a JSON object with
# string time (RFC 3339 UTC), level (info|warn|error) and event; else
# print the first bad line.
json_lines() {
	python3 - "$1" <<'PY'
import json, re, sys
ok = True
for n, line in enumerate(open(sys.argv[1], 'rb').read().split(b'\n'), 1):
    if not line:
        continue
    try:
        o = json.loads(line.decode('utf-8'))
        assert isinstance(o, dict), 'not an object'
        assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', o['time']), 'time'
        assert o['level'] in ('info', 'warn', 'error'), 'level'
        assert isinstance(o['event'], str) and o['event'], 'event'
        assert o['program'] in ('autenticacao', 'autenticacao-admin'), 'program'
        assert isinstance(o['pid'], int), 'pid'
    except Exception as e:
        print('line %d: %s: %r' % (n, e, line[:200]))
        ok = False
        break
sys.exit(0 if ok else 1)
PY
}
# events FILE EVENT: the lines of FILE whose event is EVENT, compact JSON
# (lines that are not JSON, such as autenticacao-admin's messages for
# people, are skipped).
events() {
	jq -cR --arg e "$2" 'fromjson? | select(.event == $e)' "$1"
}

t_begin "a login writes one JSON request line with the fields of the text format"
user_add alice alice-pw-1234
login alice alice-pw-1234
t_status 200
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
line=$(events "$ERR" request)
t_eq "request lines" "$(printf '%s\n' "$line" | grep -c .)" 1
t_eq "fields" "$(jq -c '[.method, .path, .endpoint, .status, .code, .user, .sid, .addr, (.ms | type)]' <<<"$line")" \
    "[\"POST\",\"$API/login\",\"login\",200,\"OK\",\"alice\",\"${SID:0:8}\",\"127.0.0.1\",\"number\"]"
t_eq "level" "$(jq -r .level <<<"$line")" info
t_end

t_begin "login.success names the user, the endpoint and the address"
line=$(events "$ERR" login.success)
t_eq "fields" "$(jq -c '[.endpoint, .user, .addr]' <<<"$line")" '["login","alice","127.0.0.1"]'
t_end

t_begin "login.failure for a wrong password, as warn, without the password"
login alice 'wrong-pw-"quoted"\'
t_status 401
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
line=$(events "$ERR" login.failure)
t_eq "fields" "$(jq -c '[.level, .endpoint, .user, .addr]' <<<"$line")" '["warn","login","alice","127.0.0.1"]'
t_nomatch "no password" "$(<"$ERR")" 'wrong-pw'
t_end

t_begin "a refused attempt of a banned user is event ban with retry_after"
login alice wrong-pw-2222 REMOTE_ADDR=192.0.2.1
login alice wrong-pw-3333 REMOTE_ADDR=192.0.2.1
login alice wrong-pw-4444 REMOTE_ADDR=192.0.2.1
login alice wrong-pw-5555 REMOTE_ADDR=192.0.2.1
t_status 429
line=$(events "$ERR" ban)
t_eq "fields" "$(jq -c '[.level, .user, (.retry_after > 0)]' <<<"$line")" '["warn","alice",true]'
t_eq "request status" "$(events "$ERR" request | jq .status)" 429
adm unban alice
adm unban 192.0.2.1
adm unban 127.0.0.1
t_end

t_begin "a user name with quotes, a backslash and a non-ASCII letter: valid JSON, the value of the text format"
login $'a"b\\c\xc3\xa7' some-password-1 REMOTE_ADDR=192.0.2.2
t_status 401
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
t_eq "user as in the text format" "$(events "$ERR" login.failure | jq -r .user)" 'a"b\c%C3%A7'
t_end

t_begin "an authorizer URL with quotes and controls keeps the line valid JSON"
cgi GET /p "" FCGI_ROLE=AUTHORIZER $'REQUEST_URI=/p"\\\x1b[2J\xe2\x80\xa8\xff\xfe'
t_status 401
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
t_eq "endpoint" "$(events "$ERR" request | jq -r .endpoint)" authorizer
t_end

t_begin "an authorizer URL of 6000 quotes and backslashes: the line is cut, still one valid JSON object"
long=$(printf '"\\%.0s' $(seq 3000))
cgi GET /p "" FCGI_ROLE=AUTHORIZER "REQUEST_URI=/p$long"
t_status 401
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
t_le "line length" "$(events "$ERR" request | wc -c)" 2048
t_end

t_begin "a reused refresh token is refresh.reuse and session.revoke reason reuse"
login alice alice-pw-1234
old=$REFRESH sid=$SID
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SID" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
t_status 200
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$sid" --arg r "$old" '{sessionId:$s,refreshToken:$r}')"
t_status 401
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
t_eq "refresh.reuse" "$(events "$ERR" refresh.reuse | jq -c '[.level, .sid]')" "[\"warn\",\"${sid:0:8}\"]"
t_eq "session.revoke" "$(events "$ERR" session.revoke | jq -r .reason)" reuse
t_end

t_begin "logout, DELETE /sessions/{id} and logout-all are session.revoke with their reason"
login alice alice-pw-1234
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH"
t_status 200
t_eq "logout" "$(events "$ERR" session.revoke | jq -c '[.reason, .user, .sid, .count]')" "[\"logout\",\"alice\",\"${SID:0:8}\",1]"
login alice alice-pw-1234
a1=$AUTH
login alice alice-pw-1234
cgi DELETE "$API/sessions/$SID" "" "HTTP_AUTHORIZATION=$a1"
t_status 200
t_eq "one session" "$(events "$ERR" session.revoke | jq -c '[.reason, .sid]')" "[\"logout\",\"${SID:0:8}\"]"
# a1's session and the first test's are left
cgi POST "$API/logout-all" "" "HTTP_AUTHORIZATION=$a1"
t_status 200
t_eq "logout-all" "$(events "$ERR" session.revoke | jq -c '[.reason, .count]')" '["logout_all",2]'
t_end

t_begin "autenticacao-admin writes admin.<command> as JSON, never the password"
adm_in $'bob-secret-pw-1\n' useradd bob
t_eq exit "$ADM_RC" 0
t_eq "valid JSON lines" "$(json_lines "$ADM_ERRF")" ""
t_eq "event" "$(events "$ADM_ERRF" admin.useradd | jq -c '[.user, .exit, .program]')" '["bob",0,"autenticacao-admin"]'
t_nomatch "no password" "$ADM_ERR" 'bob-secret-pw-1'
adm revoke nosuchsession
t_eq exit "$ADM_RC" 1
t_eq "failed command" "$(events "$ADM_ERRF" admin.revoke | jq -c '[.level, .sid, .exit]')" '["warn","nosuchse",1]'
t_end

t_begin "messages of the program (a Redis failure) are JSON events log with a message"
conf_write "$T/down.conf" log_format=json "redis_port=$(free_port)"
CONF=$T/down.conf cgi GET "$API/health"
t_status 503
t_eq "valid JSON lines" "$(json_lines "$ERR")" ""
t_match "message" "$(jq -r 'select(.event == "log") | .level + " " + .message' "$ERR")" '^error redis: '
t_end

t_begin "the whole run's log: valid JSON on every line, no password or token"
# autenticacao-admin's messages for people are not log lines
grep -v '^autenticacao-admin: ' "$T/all-stderr" >"$T/log.json"
t_eq "valid JSON lines" "$(json_lines "$T/log.json")" ""
t_nomatch "no password" "$(<"$T/all-stderr")" 'alice-pw-1234|bob-secret-pw-1'
t_nomatch "no token secret" "$(<"$T/all-stderr")" "$(secret_of "$a1")"
t_end

t_begin "log_format text keeps the text line"
conf_write "$T/text.conf" log_format=text
CONF=$T/text.conf cgi GET "$API/health"
t_match "text" "$CGI_ERR" '^[^ ]+ autenticacao\[[0-9]+\]: info: GET '
t_end

done_testing
