# GET /sessions (docs/API.md "Sessions a user can see and end"): either
# access token lists every live session of its user, newest first, with
# the caller's own marked current, and each session's creation, last use,
# end, client address (after trusted_proxies) and User-Agent (at most 256
# bytes, control characters as '?').  Another user's sessions never show;
# no or a dead token is 401.  The User-Agent is kept, never logged.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200 trusted_proxies=10.0.0.1
user_add alice alice-pw
user_add bob bob-pw

login alice alice-pw HTTP_USER_AGENT=first/1.0 REMOTE_ADDR=192.0.2.10
S1=$SID A1=$AUTH
sleep 1
login alice alice-pw "HTTP_USER_AGENT=second/2.0 (X11)" REMOTE_ADDR=10.0.0.1 \
    HTTP_X_FORWARDED_FOR=203.0.113.7
S2=$SID A2=$AUTH C2=$CORBAN
login bob bob-pw HTTP_USER_AGENT=bob/1
SB=$SID AB=$AUTH

t_begin "GET /sessions -> 200, both of alice's sessions, newest first"
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A1"
t_status 200
t_json_ct
t_eq success "$(jget .success)" true
t_eq count "$(jget '.data.sessions | length')" 2
t_eq "first (newest)" "$(jget '.data.sessions[0].sessionId')" "$S2"
t_eq "second" "$(jget '.data.sessions[1].sessionId')" "$S1"
t_eq "keys" "$(jq -c '.data.sessions[0] | keys' "$BODYF")" \
    '["address","createdAt","current","lastUsedAt","sessionExpiresAt","sessionId","userAgent"]'
t_end

t_begin "the caller's own session is current, the other is not"
t_eq "S2 current" "$(jget '.data.sessions[0].current')" false
t_eq "S1 current" "$(jget '.data.sessions[1].current')" true
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$C2"
t_status 200
t_eq "with corban, S2 current" "$(jget '.data.sessions[0].current')" true
t_eq "with corban, S1 current" "$(jget '.data.sessions[1].current')" false
t_end

t_begin "address after trusted_proxies and User-Agent as sent"
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A1"
t_eq "S2 address" "$(jget '.data.sessions[0].address')" 203.0.113.7
t_eq "S1 address" "$(jget '.data.sessions[1].address')" 192.0.2.10
t_eq "S2 userAgent" "$(jget '.data.sessions[0].userAgent')" "second/2.0 (X11)"
t_eq "S1 userAgent" "$(jget '.data.sessions[1].userAgent')" first/1.0
t_end

t_begin "times: RFC 3339 UTC, createdAt matches the record, end after it"
c=$(rcli HGET "$(skey "$S1")" created)
e=$(rcli HGET "$(skey "$S1")" sexp)
t_eq createdAt "$(jget '.data.sessions[1].createdAt')" "$(date -u -d "@$c" +%Y-%m-%dT%H:%M:%SZ)"
t_eq sessionExpiresAt "$(jget '.data.sessions[1].sessionExpiresAt')" "$(date -u -d "@$e" +%Y-%m-%dT%H:%M:%SZ)"
t_match lastUsedAt "$(jget '.data.sessions[1].lastUsedAt')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
t_end

t_begin "bob sees only his own session"
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$AB"
t_status 200
t_eq "sessions" "$(jq -c '[.data.sessions[].sessionId]' "$BODYF")" "[\"$SB\"]"
t_end

t_begin "no or a dead token -> 401 INVALID_TOKEN"
cgi GET "$API/sessions"
t_error 401 INVALID_TOKEN
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=Bearer ${S1}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
t_error 401 INVALID_TOKEN
t_end

t_begin "POST /sessions -> 405 Allow: GET"
cgi POST "$API/sessions" "" "HTTP_AUTHORIZATION=$A1"
t_error 405 METHOD_NOT_ALLOWED
t_eq Allow "$(hdr Allow)" GET
t_end

t_begin "lastUsedAt: written by the first use a minute after the last one"
rcli HSET "$(skey "$S1")" used $(( $(date +%s) - 120 )) >/dev/null
session_get "$A1"
t_status 200
t_ge "used moved to now" "$(rcli HGET "$(skey "$S1")" used)" $(( $(date +%s) - 2 ))
rcli HSET "$(skey "$S1")" used $(( $(date +%s) - 30 )) >/dev/null
u=$(rcli HGET "$(skey "$S1")" used)
session_get "$A1"
t_eq "within the minute: not written" "$(rcli HGET "$(skey "$S1")" used)" "$u"
t_end

t_begin "a wrong token of a live session does not count as use"
rcli HSET "$(skey "$S1")" used 1000 >/dev/null
session_get "Bearer ${S1}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
t_status 401
t_eq used "$(rcli HGET "$(skey "$S1")" used)" 1000
t_end

t_begin "User-Agent: control characters become '?', cut at 256 bytes on a whole character"
login alice alice-pw "HTTP_USER_AGENT=a"$'\t'"b"$'\x7f'"c"$'\xc2\x85'"d"$'\xff'"e"
S3=$SID
t_eq "controls" "$(rcli HGET "$(skey "$S3")" ua)" "a?b?c?d?e"
login alice alice-pw "HTTP_USER_AGENT=$(repeat 'x ' 127)xé$(repeat y 10)"
S4=$SID
t_eq "cut before the 2-byte character" "$(rcli HGET "$(skey "$S4")" ua)" "$(repeat 'x ' 127)x"
login alice alice-pw "HTTP_USER_AGENT=$(repeat 'x/' 150)"
t_eq "256 bytes kept" "$(rcli HGET "$(skey "$SID")" ua | wc -c)" 257
t_end

t_begin "a session written without address and User-Agent lists them as null"
rcli HDEL "$(skey "$S1")" addr ua used >/dev/null
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A2"
t_status 200
t_eq address "$(jq -c --arg s "$S1" '.data.sessions[] | select(.sessionId == $s) | [.address, .userAgent, .lastUsedAt == .createdAt]' "$BODYF")" '[null,null,true]'
t_end

t_begin "a token in a User-Agent is neither logged nor stored nor listed"
fake="Bearer ${S2}.ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
login alice alice-pw "HTTP_USER_AGENT=evil/1.0 ($fake)"
t_status 200
t_nomatch "stderr" "$CGI_ERR" "ZZZZZZZZZZ"
t_eq "stored" "$(rcli HGET "$(skey "$SID")" ua)" "evil/1.0 (Bearer ***.***)"
t_eq "a usual browser User-Agent is kept whole" "$(
	login alice alice-pw "HTTP_USER_AGENT=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	rcli HGET "$(skey "$SID")" ua)" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$A2" "HTTP_USER_AGENT=evil $fake"
t_status 200
t_nomatch "stderr" "$CGI_ERR" "ZZZZZZZZZZ"
t_end
done_testing
