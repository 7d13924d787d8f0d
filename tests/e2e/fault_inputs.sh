# Malformed requests through a real lighttpd (mod_fastcgi, two workers):
# each gets the API's JSON error (status and error.code of docs/API.md) or a
# correct answer, or, for what lighttpd itself refuses, lighttpd's own
# 4xx; never a crash, a hang, or a write: after each bad request Redis
# holds no new session and the same two workers serve.
#
# Where each malformed input is covered (plain CGI runs the responder
# with exact CONTENT_LENGTH values and bytes; this file goes through the
# server):
#	body cut short		here (client half-closes); plain CGI:
#				tests/cgi/http.sh "short body"
#	1 MB body		here (413 with the default max_body, a correct
#				answer with max_body = 1 MB); plain CGI:
#				tests/cgi/http.sh (1000000000, 2^64 + n)
#	10,000-deep JSON	here; plain CGI: body_cases in tests/lib/cases.sh
#				(4000 deep, run by tests/cgi/validation_*.sh)
#	invalid UTF-8		here; plain CGI: body_cases (6 sequences, keys)
#	duplicate keys		here; plain CGI: body_cases
#	NUL: \u0000, raw NUL	here; plain CGI: field_cases (\u0000) and
#				body_cases (raw NUL inside and around)
#	CONTENT_LENGTH garbage,	here as an HTTP Content-Length (lighttpd
#	negative		refuses it itself); plain CGI, where the value
#				reaches the responder: tests/cgi/http.sh
#				"strict CONTENT_LENGTH"
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
conf_write
DEFAULT_CONF=$CONF
BIG=$T/big.conf
conf_write "$BIG" max_body=1048576
user_add ana ana-pw || done_testing

# sessions: how many session keys of this config Redis holds.
sessions() {
	rcli --scan --pattern "${PREFIX}session:*" | wc -l
}

# post_file EP FILE: POST FILE's exact bytes to $API/EP as JSON; sets
# STATUS, BODY, BODYF, HTTP_S like http.
post_file() {
	local w
	BODYF=$T/http.body
	w=$(curl -s -m 20 -o "$BODYF" -w '%{http_code} %{time_total}' -X POST \
	    -H 'Content-Type: application/json' --data-binary "@$2" "$BASE$API/$1")
	STATUS=${w%% *}
	HTTP_S=${w#* }
	BODY=$(cat "$BODYF" 2>/dev/null)
}

# t_api_error STATUS CODE: the last answer is the API's JSON error.
t_api_error() {
	t_eq status "$STATUS" "$1"
	t_eq "success" "$(jget .success)" false
	t_eq "error.code" "$(jget .error.code)" "$2"
}

# t_unharmed: no new session, the same workers, lighttpd answers.
t_unharmed() {
	t_eq "session keys" "$(sessions)" "$S0"
	t_eq "workers" "$(fcgi_workers)" "$WORKERS"
}

start() {
	lighttpd_stop
	if ! lighttpd_start; then
		notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
		done_testing
	fi
	http GET "$API/health"
	WORKERS=$(fcgi_workers)
	S0=$(sessions)
}
start
LOGIN='{"username":"ana","password":"ana-pw"}'

# ---- a body cut short: Content-Length 200, 30 bytes, then the client
# shuts its side
printf 'POST %s/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n%s' \
    "$API" "${LOGIN:0:30}" >"$T/short.req"
t_begin "inputs: body cut short and the client closes -> lighttpd gives up at once, the responder sees nothing"
before=$(grep -c 'autenticacao\[' "$LIGHTTPD_LOG")
raw_http "$T/short.req"
echo "# body cut short: lighttpd answered ${RAW_STATUS/000/nothing} and closed in $RAW_MS ms"
t_eq "connection closed by lighttpd" "$RAW_CLOSED" 1
t_le "ms" "$RAW_MS" 5000
t_match "status (lighttpd's own, or none)" "$RAW_STATUS" '^(000|400)$'
t_eq "responder log lines" "$(grep -c 'autenticacao\[' "$LIGHTTPD_LOG")" "$before"
t_unharmed
t_end
t_begin "inputs: a body cut short while the client stays -> no answer until the client gives up; the service goes on"
raw_http "$T/short.req" keep
t_eq "answer" "$RAW_STATUS" 000
http POST "$API/login" "$LOGIN"
t_eq "next login" "$STATUS" 200
S0=$(sessions)
t_unharmed
t_end

# ---- 1 MB bodies
{ printf '{"username":"ana","password":"ana-pw","pad":"'; head -c $((1048576 - 50)) /dev/zero | tr '\0' a; printf '"}'; } >"$T/1mb.json"
t_begin "inputs: a 1 MB body with the default max_body -> 413 PAYLOAD_TOO_LARGE"
post_file login "$T/1mb.json"
t_api_error 413 PAYLOAD_TOO_LARGE
t_unharmed
t_end
deep=$T/deep.json
{ head -c 10000 /dev/zero | tr '\0' '['; head -c 10000 /dev/zero | tr '\0' ']'; } >"$deep"
t_begin "inputs: 10,000-deep JSON (20 kB) with the default max_body -> 413"
post_file login "$deep"
t_api_error 413 PAYLOAD_TOO_LARGE
t_unharmed
t_end

CONF=$BIG start
# exactly 1 MB: the pad fills what the login leaves
pre='{"username":"ana","password":"ana-pw","x":"'
{ printf '%s' "$pre"; head -c $((1048576 - ${#pre} - 2)) /dev/zero | tr '\0' a; printf '"}'; } >"$T/1mb.json"
t_begin "inputs: max_body 1 MB: a login of exactly 1 MB is answered 200 (one session)"
t_eq "body bytes" "$(wc -c <"$T/1mb.json")" 1048576
post_file login "$T/1mb.json"
t_eq status "$STATUS" 200
t_eq "session keys" "$(sessions)" $((S0 + 1))
t_eq "workers" "$(fcgi_workers)" "$WORKERS"
t_end
S0=$(sessions)
t_begin "inputs: max_body 1 MB: 1 MB + 1 byte -> 413"
printf ' ' >>"$T/1mb.json"
post_file login "$T/1mb.json"
t_api_error 413 PAYLOAD_TOO_LARGE
t_unharmed
t_end
t_begin "inputs: max_body 1 MB: 10,000-deep [[[...]]] -> 400 INVALID_JSON, no stack overflow"
post_file login "$deep"
t_api_error 400 INVALID_JSON
t_unharmed
t_end
{ printf '{"username":"ana","password":"ana-pw","x":'; cat "$deep"; printf '}'; } >"$T/deep2.json"
t_begin "inputs: max_body 1 MB: a login with a 10,000-deep field -> 400 INVALID_JSON"
post_file login "$T/deep2.json"
t_api_error 400 INVALID_JSON
t_unharmed
t_end
{ printf '{"username":"ana","password":"ana-pw","x":'; head -c 10000 /dev/zero | tr '\0' '{' | sed 's/{/{"a":/g'; printf '1'; head -c 10000 /dev/zero | tr '\0' '}'; printf '}'; } >"$T/deep3.json"
t_begin "inputs: max_body 1 MB: 10,000 nested objects -> 400 INVALID_JSON"
post_file login "$T/deep3.json"
t_api_error 400 INVALID_JSON
t_unharmed
t_end
{ head -c 100000 /dev/zero | tr '\0' '['; } >"$T/open.json"
t_begin "inputs: max_body 1 MB: 100,000 unclosed [ -> 400 INVALID_JSON"
post_file login "$T/open.json"
t_api_error 400 INVALID_JSON
t_unharmed
t_end
CONF=$DEFAULT_CONF start

# ---- invalid UTF-8, duplicate keys, NUL
for seq in 'ff:\xff' 'c0af-overlong:\xc0\xaf' 'surrogate-ed-a0-80:\xed\xa0\x80' 'truncated-e2-82:\xe2\x82'; do
	name=${seq%%:*}
	printf "{\"username\":\"an${seq#*:}a\",\"password\":\"ana-pw\"}" >"$T/u.json"
	t_begin "inputs: invalid UTF-8 ($name) in username -> 400 INVALID_JSON"
	post_file login "$T/u.json"
	t_api_error 400 INVALID_JSON
	t_unharmed
	t_end
done
printf '{"username":"ana","password":"wrong","password":"ana-pw"}' >"$T/dup.json"
t_begin "inputs: duplicate key (the second one right) -> 400 INVALID_JSON, no login"
post_file login "$T/dup.json"
t_api_error 400 INVALID_JSON
t_unharmed
t_end
printf '{"username":"ana\\u0000","password":"ana-pw"}' >"$T/nul.json"
t_begin "inputs: \"ana\\u0000\" (escaped NUL) -> 400 INVALID_FIELD username, not user ana"
post_file login "$T/nul.json"
t_api_error 400 INVALID_FIELD
t_eq "error.field" "$(jget .error.field)" username
t_unharmed
t_end
printf '{"username":"ana\0","password":"ana-pw"}' >"$T/nul.json"
t_begin "inputs: a raw NUL byte after \"ana\" -> 400 INVALID_JSON or INVALID_FIELD, not user ana"
post_file login "$T/nul.json"
t_eq status "$STATUS" 400
t_match "error.code" "$(jget .error.code)" '^(INVALID_JSON|INVALID_FIELD)$'
t_unharmed
t_end
printf '{"username":"ana","password":"ana-pw"}\0{"username":"x"}' >"$T/nul.json"
t_begin "inputs: a raw NUL byte after the object -> 400 INVALID_JSON"
post_file login "$T/nul.json"
t_api_error 400 INVALID_JSON
t_unharmed
t_end

# ---- Content-Length garbage: lighttpd refuses it before any worker
for cl in abc -1 -100 1e3 ' ' 0x20 99999999999999999999999; do
	printf 'POST %s/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
	    "$API" "$cl" "$LOGIN" >"$T/cl.req"
	t_begin "inputs: Content-Length '$cl' -> lighttpd's 4xx, no worker involved"
	before=$(grep -c 'autenticacao\[' "$LIGHTTPD_LOG")
	raw_http "$T/cl.req"
	echo "# Content-Length '$cl': lighttpd answered $RAW_STATUS"
	t_match status "$RAW_STATUS" '^4[0-9][0-9]$'
	t_eq "responder log lines" "$(grep -c 'autenticacao\[' "$LIGHTTPD_LOG")" "$before"
	t_unharmed
	t_end
done

t_begin "inputs: afterwards the service answers as before"
http POST "$API/login" "$LOGIN"
t_eq login "$STATUS" 200
http GET "$API/session" "" -H "Authorization: $(jget .data.authorization)"
t_eq session "$STATUS" 200
t_eq "workers" "$(fcgi_workers)" "$WORKERS"
t_end
lighttpd_stop
t_begin "no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
echo "# fault inputs: $PASSED of $((PASSED + FAILED)) malformed-input checks passed"
done_testing
