# idle_ttl (docs/API.md "Sessions a user can see and end"): a session that
# is neither used nor rotated for idle_ttl seconds ends; GET /session, the
# authorizer role and a rotation each count as use.  With idle_ttl = 3 the
# last use is written every idle_ttl/2 = 1 second, so a session ends 3 to
# 4 seconds after its last use.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200 idle_ttl=3 authorizer_token=any
user_add alice alice-pw

authz() {
	cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=$1"
}

login alice alice-pw
SA=$SID AA=$AUTH CA=$CORBAN RA=$REFRESH
login alice alice-pw
SB=$SID AB=$AUTH
login alice alice-pw
SC=$SID AC=$AUTH
login alice alice-pw
SD=$SID AD=$AUTH RD=$REFRESH

t_begin "the session key expires at its idle end, well before sexp"
ttl=$(rcli TTL "$(skey "$SA")")
t_le "TTL" "$ttl" 4
t_ge "TTL" "$ttl" 2
t_end

t_begin "sessions used by GET /session, the authorizer or a rotation stay alive past idle_ttl"
for i in 1 2 3 4 5; do
	sleep 1
	session_get "$AB"
	[ "$STATUS" = 200 ] || t_fail "GET /session after ${i}s: $STATUS"
	authz "$AC"
	[ "$STATUS" = 200 ] || t_fail "authorizer after ${i}s: $STATUS"
	if [ $i = 2 ]; then
		cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SD" --arg r "$RD" '{sessionId:$s,refreshToken:$r}')"
		[ "$STATUS" = 200 ] || t_fail "refresh-token after ${i}s: $STATUS"
		take_tokens
		AD=$AUTH
	fi
	if [ $i = 4 ]; then
		# Without the rotation at 2s it would have ended by 4s.
		session_get "$AD"
		[ "$STATUS" = 200 ] || t_fail "rotated session after ${i}s: $STATUS"
	fi
done
t_end

t_begin "an unused session is gone after idle_ttl: 401 everywhere, out of the list"
session_get "$AA"
t_eq "GET /session" "$STATUS" 401
authz "$CA"
t_eq "authorizer" "$STATUS" 401
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$SA" --arg r "$RA" '{sessionId:$s,refreshToken:$r}')"
t_eq "refresh-token" "$STATUS" 401
t_eq "key" "$(rcli EXISTS "$(skey "$SA")")" 0
cgi GET "$API/sessions" "" "HTTP_AUTHORIZATION=$AB"
t_status 200
t_eq "listed" "$(jq -c --arg s "$SA" '[.data.sessions[].sessionId | select(. == $s)] | length' "$BODYF")" 0
t_eq "index entry" "$(rcli ZSCORE "$(ukey user-sessions "alice")" "$SA")" ""
t_end

t_begin "once use stops, the used sessions end too"
sleep 5
session_get "$AB"
t_eq "GET /session" "$STATUS" 401
authz "$AC"
t_eq "authorizer" "$STATUS" 401
t_end

t_begin "a session whose idle end passed is refused even while its key lives"
login alice alice-pw
S=$SID A=$AUTH
rcli HSET "$(skey "$S")" used $(( $(date +%s) - 10 )) >/dev/null
rcli EXPIRE "$(skey "$S")" 600 >/dev/null
session_get "$A"
t_eq "GET /session" "$STATUS" 401
refresh_session "$S" alice alice-pw
t_error 404 SESSION_NOT_FOUND
t_end

t_begin "idle_ttl = 0: no idle end (the key lives until sexp)"
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw
login alice alice-pw
t_ge "TTL" "$(rcli TTL "$(skey "$SID")")" 7000
t_end
done_testing
