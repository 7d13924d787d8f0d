# 20 clients presenting one refresh token at once, through a real lighttpd
# with two FastCGI workers (docs/API.md: a refresh token is single-use; two
# racing uses mint at most one successor; RFC 9700 4.14.2).
#
# With refresh_reuse_grace > 0 the losers get 409 and the session keeps
# exactly the winner's tokens.  With the default grace 0 a loser that
# arrives after the winner's rotation presents a spent token and revokes
# the session: still exactly one 200, and never two live token sets.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

N=20
redis_start || exit 1

# race GRACE: log in, fire N refresh-token calls with the login's refresh
# token, leave the answers in $T/g<GRACE>-<i>.{code,json}; sets RSID.
race() {
	local g=$1 i body
	local -a pids=()
	http POST "$API/login" '{"username":"racer","password":"racer-pw"}'
	RSID=$(jget .data.sessionId)
	[ "$STATUS" = 200 ] || notok "grace $g: login through lighttpd" "status $STATUS: $BODY"
	body=$(jq -cn --arg s "$RSID" --arg r "$(jget .data.refreshToken)" \
	    '{sessionId:$s,refreshToken:$r}')
	for i in $(seq 1 $N); do
		curl -s -m 20 -o "$T/g$g-$i.json" -w '%{http_code}' -X POST \
		    "$BASE/api/v1/autenticacao/refresh-token" \
		    -H "Content-Type: application/json" -d "$body" \
		    >"$T/g$g-$i.code" 2>/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
}

# count GRACE CODE: how many of the N answers had HTTP status CODE.
count() {
	local i n=0
	for i in $(seq 1 $N); do
		[ "$(<"$T/g$1-$i.code")" = "$2" ] && n=$((n + 1))
	done
	echo "$n"
}

# winner GRACE: index of the 200 answer.
winner() {
	local i
	for i in $(seq 1 $N); do
		[ "$(<"$T/g$1-$i.code")" = 200 ] && { echo "$i"; return; }
	done
}

# ---- refresh_reuse_grace = 30: one 200, the others 409, winner's set live
conf_write refresh_reuse_grace=30
user_add racer racer-pw
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
race 30
t_begin "grace 30: $N concurrent refresh-token calls give exactly one 200"
t_eq "200 answers" "$(count 30 200)" 1
t_end
t_begin "grace 30: the $((N - 1)) others answer 409 REFRESH_CONFLICT"
t_eq "409 answers" "$(count 30 409)" $((N - 1))
for i in $(seq 1 $N); do
	[ "$(<"$T/g30-$i.code")" = 409 ] || continue
	t_eq "code of answer $i" "$(jq -r .error.code "$T/g30-$i.json")" REFRESH_CONFLICT
done
t_end
w=$(winner 30)
t_begin "grace 30: the winner's authorization and authorizationCorban are live"
if [ -n "$w" ]; then
	http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/g30-$w.json")"
	t_status 200
	t_eq sessionId "$(jget .data.sessionId)" "$RSID"
	http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorizationCorban "$T/g30-$w.json")"
	t_status 200
else
	t_fail "no winner"
fi
t_end
t_begin "grace 30: Redis holds exactly the winner's three token hashes"
if [ -n "$w" ]; then
	for f in authorization:ah authorizationCorban:ch refreshToken:rh; do
		tok=$(jq -r ".data.${f%%:*}" "$T/g30-$w.json")
		t_eq "${f#*:}" "$(rcli HGET "$(skey "$RSID")" "${f#*:}")" \
		    "$(printf '%s' "${tok#Bearer }" | sha256sum | cut -d' ' -f1)"
	done
else
	t_fail "no winner"
fi
t_end
t_begin "grace 30: the winner's refresh token rotates the session once more"
if [ -n "$w" ]; then
	http POST "$API/refresh-token" "$(jq -cn --arg s "$RSID" \
	    --arg r "$(jq -r .data.refreshToken "$T/g30-$w.json")" \
	    '{sessionId:$s,refreshToken:$r}')"
	t_status 200
else
	t_fail "no winner"
fi
t_end
lighttpd_stop

# ---- refresh_reuse_grace = 0 (the default): theft policy
conf_write
user_add racer racer-pw
if ! lighttpd_start; then
	notok "lighttpd starts (grace 0)" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
race 0
t_begin "grace 0: $N concurrent refresh-token calls give exactly one 200, the others 401"
t_eq "200 answers" "$(count 0 200)" 1
t_eq "401 answers" "$(count 0 401)" $((N - 1))
t_end
t_begin "grace 0: never two live token sets (the winner's set, or none when a late loser revoked the session)"
live=0
for i in $(seq 1 $N); do
	[ "$(<"$T/g0-$i.code")" = 200 ] || continue
	http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/g0-$i.json")"
	[ "$STATUS" = 200 ] && live=$((live + 1))
done
t_le "live sets" "$live" 1
if [ "$live" = 0 ]; then
	t_eq "session key after revocation" "$(rcli EXISTS "$(skey "$RSID")")" 0
fi
t_end

# ---- replay: after a rotation the old refresh token kills the session
http POST "$API/login" '{"username":"racer","password":"racer-pw"}'
sid=$(jget .data.sessionId) old=$(jget .data.refreshToken)
http POST "$API/refresh-token" "$(jq -cn --arg s "$sid" --arg r "$old" '{sessionId:$s,refreshToken:$r}')"
new_auth=$(jget .data.authorization) new_rt=$(jget .data.refreshToken)
t_begin "replay: the old refresh token after a rotation -> 401 INVALID_TOKEN"
http POST "$API/refresh-token" "$(jq -cn --arg s "$sid" --arg r "$old" '{sessionId:$s,refreshToken:$r}')"
t_status 401
t_eq code "$(jget .error.code)" INVALID_TOKEN
t_end
t_begin "replay: the replay revoked the session: the rotation's tokens are dead too"
http GET "$API/session" "" -H "Authorization: $new_auth"
t_status 401
http POST "$API/refresh-token" "$(jq -cn --arg s "$sid" --arg r "$new_rt" '{sessionId:$s,refreshToken:$r}')"
t_status 401
t_end
lighttpd_stop
t_begin "no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
done_testing
