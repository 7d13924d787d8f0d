# max_sessions_per_user and session_limit_mode (docs/API.md "Sessions a
# user can see and end"): at the cap a login ends the user's least
# recently used session (evict_oldest) or answers 409
# SESSION_LIMIT_REACHED (refuse).  Ended sessions do not count, other
# users are not affected, and 20 parallel logins under refuse leave
# exactly the cap alive: the count and the write are one script.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
# idle_ttl = 4 writes lastUsedAt every 2 seconds, so recency shows within
# a few seconds; no session here stays unused for 6.
conf_write access_ttl=600 session_ttl=7200 idle_ttl=4 max_sessions_per_user=2
user_add alice alice-pw
user_add bob bob-pw

t_begin "evict_oldest: the third login ends the least recently used session"
login alice alice-pw
SA=$SID AA=$AUTH
sleep 1
login alice alice-pw
SB=$SID AB=$AUTH
sleep 2
session_get "$AA"	# A is now more recently used than B
t_status 200
login alice alice-pw
t_status 200
SC=$SID AC=$AUTH
session_get "$AB"
t_eq "B (least recently used)" "$STATUS" 401
t_eq "B's key" "$(rcli EXISTS "$(skey "$SB")")" 0
session_get "$AA"
t_eq "A" "$STATUS" 200
session_get "$AC"
t_eq "C" "$STATUS" 200
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$AC"
t_eq "listed" "$(jq -c '[.data.sessions[].sessionId] | sort' "$BODYF")" "$(jq -cn --arg a "$SA" --arg c "$SC" '[$a,$c] | sort')"
t_eq "index" "$(rcli ZCARD "$(ukey user-sessions "alice")")" 2
t_match "log" "$CGI_ERR$(cat "$T/all-stderr")" "least recently used session ended"
t_end

t_begin "evict_oldest: another user's sessions are not counted"
login bob bob-pw
t_status 200
session_get "$AA"
t_eq "alice's A" "$STATUS" 200
session_get "$AC"
t_eq "alice's C" "$STATUS" 200
t_end

conf_write access_ttl=600 session_ttl=7200 max_sessions_per_user=2 session_limit_mode=refuse
user_add carol carol-pw
user_add dave dave-pw

t_begin "refuse: at the cap a login is 409 SESSION_LIMIT_REACHED and changes nothing"
login carol carol-pw
S1=$SID A1=$AUTH
login carol carol-pw
S2=$SID A2=$AUTH
login carol carol-pw
t_error 409 SESSION_LIMIT_REACHED
t_nomatch "no tokens" "$BODY" "Bearer"
t_eq "index" "$(rcli ZCARD "$(ukey user-sessions "carol")")" 2
session_get "$A1"
t_eq "first" "$STATUS" 200
session_get "$A2"
t_eq "second" "$STATUS" 200
t_end

t_begin "refuse: an ended session frees its place"
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$A1"
t_status 200
login carol carol-pw
t_status 200
t_end

t_begin "refuse: a session gone without logout (expired key) frees its place"
login carol carol-pw
t_error 409 SESSION_LIMIT_REACHED
rcli DEL "$(skey "$S2")" >/dev/null
login carol carol-pw
t_status 200
t_end

t_begin "refuse: a wrong password at the cap is still 401"
login carol wrong-pw
t_error 401 INVALID_CREDENTIALS
t_end

t_begin "refuse: 20 parallel logins leave exactly the cap alive"
body=$(jq -cn '{username:"dave",password:"dave-pw"}')
printf '%s' "$body" >"$T/par.in"
pids=()
for i in $(seq 1 20); do
	env -i GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST \
	    SCRIPT_NAME= PATH_INFO="$API/login" REQUEST_URI="$API/login" \
	    REMOTE_ADDR=127.0.0.1 CONTENT_TYPE=application/json CONTENT_LENGTH=${#body} \
	    AUTENTICACAO_CONF="$CONF" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    "$BUILD/autenticacao.fcgi" <"$T/par.in" >"$T/par.$i.out" 2>"$T/par.$i.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
cat "$T"/par.*.err >>"$T/all-stderr"
ok=$(grep -l '^Status: 200' "$T"/par.*.out | wc -l)
refused=$(grep -l '^Status: 409' "$T"/par.*.out | wc -l)
t_eq "200 answers" "$ok" 2
t_eq "409 answers" "$refused" 18
t_eq "409 code" "$(grep -h -o '"code":"[A-Z_]*"' "$T"/par.*.out | sort -u)" '"code":"SESSION_LIMIT_REACHED"'
t_eq "index" "$(rcli ZCARD "$(ukey user-sessions "dave")")" 2
live=0
for s in $(rcli ZRANGE "$(ukey user-sessions "dave")" 0 -1); do
	live=$((live + $(rcli EXISTS "$(skey "$s")")))
done
t_eq "live session keys" "$live" 2
t_eq "no other session of dave" "$(rcli --scan --pattern "${PREFIX}session:*" | while read -r k; do rcli HGET "$k" user; done | grep -c '^dave$')" 2
t_end

conf_write access_ttl=600 session_ttl=7200 max_sessions_per_user=3
user_add erin erin-pw
t_begin "evict_oldest: 20 parallel logins leave exactly the cap alive"
body=$(jq -cn '{username:"erin",password:"erin-pw"}')
printf '%s' "$body" >"$T/par.in"
pids=()
for i in $(seq 1 20); do
	env -i GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST \
	    SCRIPT_NAME= PATH_INFO="$API/login" REQUEST_URI="$API/login" \
	    REMOTE_ADDR=127.0.0.1 CONTENT_TYPE=application/json CONTENT_LENGTH=${#body} \
	    AUTENTICACAO_CONF="$CONF" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	    "$BUILD/autenticacao.fcgi" <"$T/par.in" >"$T/par.$i.out" 2>"$T/par.$i.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
cat "$T"/par.*.err >>"$T/all-stderr"
t_eq "200 answers" "$(grep -l '^Status: 200' "$T"/par.*.out | wc -l)" 20
t_eq "index" "$(rcli ZCARD "$(ukey user-sessions "erin")")" 3
t_eq "sessions of erin" "$(rcli --scan --pattern "${PREFIX}session:*" | while read -r k; do rcli HGET "$k" user; done | grep -c '^erin$')" 3
t_end
done_testing
