# tests/lib/load.sh - load through lighttpd for the fault-injection tests,
# and the checks of what Redis holds against what the clients were
# answered (load_classify, t_load_settled).
#
# Sequential clients through lighttpd, one per session, for the
# fault-injection tests (tests/e2e/fault_*.sh).  Many run in parallel; the
# requests of one are sequential, so its "last answer" is well defined.
# Client I keeps its files in $T/c<I>/: "cred" (user and password), "log"
# (one line per request: N KIND CODE SECONDS START_MS END_MS, N 0 being
# the login; START_MS is taken before curl starts, END_MS after it ended),
# and N.json (answer N's body).  KIND is rs (refresh-session), rt
# (refresh-token with the refresh token of the last rotation answered 200)
# or gs (GET /session with its authorization).
#
# The client's policy: after a 200 the next request is the next word of
# LOAD_CYCLE (default "rt rs") after the last one's kind; after anything
# else refresh-session, since a request that was not answered 200 may
# have spent the refresh token (the write applied, the answer lost).

lib_use http redis

# load_login I USER PASSWORD: log session I in; false (and a failing test)
# if that is not a 200.
load_login() {
	local d=$T/c$1
	mkdir -p "$d"
	printf '%s\n%s\n' "$2" "$3" >"$d/cred"
	http POST "$API/login" "$(jq -cn --arg u "$2" --arg p "$3" '{username:$u,password:$p}')"
	cp "$BODYF" "$d/0.json"
	echo "0 login $STATUS $HTTP_S $(now_ms) $(now_ms)" >"$d/log"
	[ "$STATUS" = 200 ] && return 0
	notok "setup: login of session $1" "status $STATUS: $(short "$BODY")"
	return 1
}

# load_last_rotation I: N of the last rotation (login, rs, rt) answered 200.
load_last_rotation() {
	awk '$3 == 200 && $2 != "gs" { n = $1 } END { print n }' "$T/c$1/log"
}

# load_start N: start clients 1..N in the background (until $T/stop
# exists, see load_client); load_wait waits for them all.
load_start() {
	local i
	rm -f "$T/stop"
	LOAD_PIDS=()
	for i in $(seq 1 "$1"); do
		load_client "$i" &
		LOAD_PIDS+=($!)
	done
}
load_wait() {
	local p
	for p in "${LOAD_PIDS[@]}"; do wait "$p"; done
	LOAD_PIDS=()
}

# load_once N: clients 1..N each go on until their first 200, all at once.
load_once() {
	local i
	LOAD_PIDS=()
	for i in $(seq 1 "$1"); do
		load_client "$i" once &
		LOAD_PIDS+=($!)
	done
	load_wait
}

# load_client I [once]: run client I until $T/stop exists, or with "once"
# until its first 200 (at most 20 requests).  Continues from its log.
# Forks only curl per request, and one jq per rotation answered 200.
load_client() {
	local i=$1 once=${2:-} d=$T/c$1 n code lkind kind w sid rt auth rs
	local tries=0 t0 next last j
	local -a cyc
	read -r -a cyc <<<"${LOAD_CYCLE:-rt rs}"
	read -r n lkind code _ < <(tail -n 1 "$d/log")
	last=$(load_last_rotation "$i")
	{ read -r sid; read -r rt; read -r auth; } < <(jq -r '.data.sessionId,
	    .data.refreshToken, .data.authorization' "$d/$last.json")
	rs=$(jq -cn --arg s "$sid" --rawfile c "$d/cred" \
	    '($c | split("\n")) as $l | {sessionId:$s,username:$l[0],password:$l[1]}')
	while :; do
		n=$((n + 1))
		if [ -n "$once" ]; then
			[ "$code" = 200 ] && [ "$tries" -gt 0 ] && return 0
			[ "$tries" -ge 20 ] && return 0
			tries=$((tries + 1))
		elif [ -e "$T/stop" ]; then
			return 0
		fi
		kind=rs
		if [ "$code" = 200 ]; then
			next=0
			for j in "${!cyc[@]}"; do
				[ "${cyc[$j]}" = "$lkind" ] && next=$(((j + 1) % ${#cyc[@]}))
			done
			kind=${cyc[$next]}
		fi
		t0=$(now_ms)
		case $kind in
		rt)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -X POST -H 'Content-Type: application/json' \
			    --data-binary "{\"sessionId\":\"$sid\",\"refreshToken\":\"$rt\"}" \
			    "$BASE$API/refresh-token") ;;
		gs)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -H "Authorization: $auth" "$BASE$API/session") ;;
		*)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -X POST -H 'Content-Type: application/json' \
			    --data-binary "$rs" "$BASE$API/refresh-session") ;;
		esac
		[ -n "$w" ] || w="000 0"
		echo "$n $kind $w $t0 $(now_ms)" >>"$d/log"
		code=${w%% *}
		lkind=$kind
		if [ "$code" != 200 ]; then
			sleep 0.05
		elif [ "$kind" != gs ]; then
			{ read -r rt; read -r auth; } < <(jq -r \
			    '.data.refreshToken, .data.authorization' "$d/$n.json")
		fi
	done
}

# load_count: how many requests the clients made so far (logins included).
load_count() {
	cat "$T"/c*/log | wc -l
}

# load_answers N: every request after the login of clients 1..N, one a
# line: I N KIND CODE SECONDS START_MS END_MS.
load_answers() {
	local i
	for i in $(seq 1 "$1"); do
		awk -v s="$i" '$1 > 0 { print s, $0 }' "$T/c$i/log"
	done
}

# load_generations I: one line per rotation of session I answered 200 (the
# login included), in order: N AH CH RH, the SHA-256 of its authorization,
# authorizationCorban and refreshToken.
load_generations() {
	local d=$T/c$1 n k c a cb r
	local -a ns=()
	rm -rf "$d/h"
	mkdir -p "$d/h"
	while read -r n k c _; do
		[ "$c" = 200 ] && [ "$k" != gs ] && ns+=("$n")
	done <"$d/log"
	(cd "$d" && jq -r '[.data.authorization, .data.authorizationCorban,
	    .data.refreshToken] | map(sub("^Bearer "; "")) | join(" ")' \
	    $(printf '%s.json ' "${ns[@]}")) >"$d/h/tokens"
	n=0
	while read -r a cb r; do
		printf '%s' "$a" >"$d/h/${ns[$n]}.a"
		printf '%s' "$cb" >"$d/h/${ns[$n]}.c"
		printf '%s' "$r" >"$d/h/${ns[$n]}.r"
		n=$((n + 1))
	done <"$d/h/tokens"
	(cd "$d/h" && sha256sum -- *.a *.c *.r) | awk '
		{ split($2, f, "."); h[f[1], f[2]] = $1
		  if (!(f[1] in seen)) { seen[f[1]] = 1; ns[++k] = f[1] } }
		END { for (i = 1; i <= k; i++)
			print ns[i], h[ns[i], "a"], h[ns[i], "c"], h[ns[i], "r"] }' |
	    sort -n
}

# load_classify I: what Redis holds for session I against what its client
# was answered.  Sets LOAD_STATE to
#	last	the three hashes of its last rotation answered 200
#	unseen	none of the three hashes was ever answered, and a request
#		not answered 200 came after that rotation (one of them
#		went through and its answer was lost)
#	missing	no session key
#	stale	the three hashes of an earlier answer (a lost write)
#	mixed	hashes of different answers, or answered and unseen ones
#	lost	none was answered, yet nothing unanswered came after the
#		last rotation
# and LOAD_MATCH to "ah:N ch:N rh:N" (N the answer holding it, - none).
load_classify() {
	local i=$1 sid key ah ch rh last after n a c r ma=- mc=- mr=-
	sid=$(jq -r .data.sessionId "$T/c$i/0.json")
	key=$(skey "$sid")
	LOAD_MATCH=
	if [ "$(rcli EXISTS "$key")" != 1 ]; then
		LOAD_STATE=missing
		return
	fi
	{ read -r ah; read -r ch; read -r rh; } < <(rcli HMGET "$key" ah ch rh)
	while read -r n a c r; do
		[ "$a" = "$ah" ] && ma=$n
		[ "$c" = "$ch" ] && mc=$n
		[ "$r" = "$rh" ] && mr=$n
	done < <(load_generations "$i")
	last=$(load_last_rotation "$i")
	after=$(awk -v l="$last" '$1 > l && $3 != 200' "$T/c$i/log" | wc -l)
	LOAD_MATCH="ah:$ma ch:$mc rh:$mr"
	if [ "$ma" != "$mc" ] || [ "$ma" != "$mr" ]; then
		LOAD_STATE=mixed
	elif [ "$ma" = "$last" ]; then
		LOAD_STATE=last
	elif [ "$ma" != - ]; then
		LOAD_STATE=stale
	elif [ "$after" -gt 0 ]; then
		LOAD_STATE=unseen
	else
		LOAD_STATE=lost
	fi
}

# t_load_settled N [FIRST]: every session FIRST (default 1)..N holds exactly the tokens of its
# last rotation answered 200, its authorization and authorizationCorban
# answer GET /session with 200, the tokens of every earlier answer are
# not held and the previous two authorizations answer 401.  Adds the
# sessions found mixed to LOAD_MIXED.
t_load_settled() {
	local i last f sid ah ch rh n a c r
	for i in $(seq "${2:-1}" "$1"); do
		load_classify "$i"
		[ "$LOAD_STATE" = last ] || t_fail "session $i: $LOAD_STATE ($LOAD_MATCH)"
		[ "$LOAD_STATE" = mixed ] && LOAD_MIXED=$((${LOAD_MIXED:-0} + 1))
		last=$(load_last_rotation "$i")
		for f in authorization authorizationCorban; do
			http GET "$API/session" "" -H "Authorization: $(jq -r ".data.$f" "$T/c$i/$last.json")"
			t_eq "session $i $f of answer $last" "$STATUS" 200
		done
		sid=$(jq -r .data.sessionId "$T/c$i/0.json")
		{ read -r ah; read -r ch; read -r rh; } < <(rcli HMGET "$(skey "$sid")" ah ch rh)
		load_generations "$i" | head -n -1 >"$T/older"
		while read -r n a c r; do
			if [ "$a" = "$ah" ] || [ "$c" = "$ch" ] || [ "$r" = "$rh" ]; then
				t_fail "session $i: answer $n's tokens are held"
			fi
		done <"$T/older"
		for n in $(tail -n 2 "$T/older" | cut -d' ' -f1); do
			http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/c$i/$n.json")"
			t_eq "session $i authorization of answer $n" "$STATUS" 401
		done
	done
}

# load_figures FILE: "R requests (X refresh-session, Y refresh-token, Z
# GET /session), A x 200, B x 503, C other, L lost" for the answers in
# FILE (lines of load_answers; CODE 000 is no answer at all).
load_figures() {
	awk '{ n++; k[$3]++; c[$4]++ }
	    END {
		other = n - c["200"] - c["503"] - c["000"]
		printf "%d requests (%d refresh-session, %d refresh-token, %d GET /session), %d x 200, %d x 503, %d other, %d lost",
		    n, k["rs"], k["rt"], k["gs"], c["200"], c["503"], other, c["000"]
	    }' "$1"
}
