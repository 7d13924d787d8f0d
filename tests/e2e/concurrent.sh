# Rotations racing each other through a real lighttpd with two FastCGI
# workers (docs/API.md: "Two rotations of one session racing each other never
# leave two live token sets"): 20 concurrent refresh-session calls on one
# session.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

N=20
redis_start || exit 1
conf_write
user_add racer racer-pw
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
http POST "$API/login" '{"username":"racer","password":"racer-pw"}'
SID=$(jget .data.sessionId)
[ "$STATUS" = 200 ] || notok "setup: login through lighttpd" "status $STATUS: $BODY"

body=$(jq -cn --arg s "$SID" '{sessionId:$s,username:"racer",password:"racer-pw"}')
pids=()
for i in $(seq 1 $N); do
	curl -s -m 20 -o "$T/r$i.json" -w '%{http_code}' -X POST \
	    "$BASE/api/v1/autenticacao/refresh-session" \
	    -H "Content-Type: application/json" -d "$body" >"$T/r$i.code" 2>/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

t_begin "e2e: $N concurrent refresh-session calls on one session all answer 200"
for i in $(seq 1 $N); do
	c=$(<"$T/r$i.code")
	[ "$c" = 200 ] || t_fail "call $i: HTTP $c $(short "$(cat "$T/r$i.json" 2>/dev/null)")"
done
t_end
t_begin "e2e: all $N concurrent answers keep the sessionId"
for i in $(seq 1 $N); do
	s=$(jq -r .data.sessionId "$T/r$i.json" 2>/dev/null)
	[ "$s" = "$SID" ] || t_fail "call $i: sessionId '$s'"
done
t_end
t_begin "e2e: the $N concurrent answers carry $N distinct token sets"
t_eq "distinct authorizations" "$(for i in $(seq 1 $N); do jq -r .data.authorization "$T/r$i.json" 2>/dev/null; done | sort -u | grep -c '^Bearer ')" $N
t_end

live_a=() live_c=()
for i in $(seq 1 $N); do
	a=$(jq -r .data.authorization "$T/r$i.json" 2>/dev/null)
	c=$(jq -r .data.authorizationCorban "$T/r$i.json" 2>/dev/null)
	http GET "$API/session" "" -H "Authorization: $a"
	[ "$STATUS" = 200 ] && live_a+=("$i")
	http GET "$API/session" "" -H "Authorization: $c"
	[ "$STATUS" = 200 ] && live_c+=("$i")
done
t_begin "e2e: after the race exactly one authorization of the $N works (GET /session)"
t_eq "live authorizations (answers ${live_a[*]})" "${#live_a[@]}" 1
t_end
t_begin "e2e: after the race exactly one authorizationCorban works, of the same answer"
t_eq "live authorizationCorban (answers ${live_c[*]})" "${#live_c[@]}" 1
t_eq "same answer" "${live_c[*]}" "${live_a[*]}"
t_end

ah=$(rcli HGET "$(skey "$SID")" ah)
ch=$(rcli HGET "$(skey "$SID")" ch)
rh=$(rcli HGET "$(skey "$SID")" rh)
ma=() mc=() mr=()
for i in $(seq 1 $N); do
	[ "$(sha256 "$(bare "$(jq -r .data.authorization "$T/r$i.json" 2>/dev/null)")")" = "$ah" ] && ma+=("$i")
	[ "$(sha256 "$(bare "$(jq -r .data.authorizationCorban "$T/r$i.json" 2>/dev/null)")")" = "$ch" ] && mc+=("$i")
	[ "$(sha256 "$(bare "$(jq -r .data.refreshToken "$T/r$i.json" 2>/dev/null)")")" = "$rh" ] && mr+=("$i")
done
t_begin "e2e: after the race Redis holds one generation: ah, ch, rh of exactly one and the same answer"
t_eq "answers matching ah" "${#ma[@]}" 1
t_eq "answers matching ch (${mc[*]}) = ah's (${ma[*]})" "${mc[*]}" "${ma[*]}"
t_eq "answers matching rh (${mr[*]}) = ah's (${ma[*]})" "${mr[*]}" "${ma[*]}"
t_end
t_begin "e2e: the live set's refresh token rotates the session once more"
if [ ${#mr[@]} = 1 ]; then
	r=$(jq -r .data.refreshToken "$T/r${mr[0]}.json")
	http POST "$API/refresh-token" "$(jq -cn --arg s "$SID" --arg r "$r" '{sessionId:$s,refreshToken:$r}')"
	t_eq status "$STATUS" 200
else
	t_fail "no single live refresh token to try"
fi
t_end

# ---- refresh-token racing itself: one winner, the others refused
http POST "$API/login" '{"username":"racer","password":"racer-pw"}'
SID2=$(jget .data.sessionId) R2=$(jget .data.refreshToken)
body=$(jq -cn --arg s "$SID2" --arg r "$R2" '{sessionId:$s,refreshToken:$r}')
pids=()
for i in $(seq 1 10); do
	curl -s -m 20 -o "$T/t$i.json" -w '%{http_code}' -X POST \
	    "$BASE/api/v1/autenticacao/refresh-token" \
	    -H "Content-Type: application/json" -d "$body" >"$T/t$i.code" 2>/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t_begin "e2e: 10 concurrent refresh-token calls with one refresh token: at most one 200"
n200=0
for i in $(seq 1 10); do
	c=$(<"$T/t$i.code")
	case $c in
	200) n200=$((n200 + 1)) ;;
	401|409) ;;
	*) t_fail "call $i: HTTP $c" ;;
	esac
done
t_le "200 answers" "$n200" 1
t_end
t_begin "e2e: after the refresh-token race at most one token set is live"
live=0
for i in $(seq 1 10); do
	[ "$(<"$T/t$i.code")" = 200 ] || continue
	http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/t$i.json")"
	[ "$STATUS" = 200 ] && live=$((live + 1))
done
t_le "live sets" "$live" 1
t_end
lighttpd_stop
t_begin "e2e: no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
done_testing
