# Redis Sentinel failover under load (docs/API.md, "Scaling out"): a
# master, one replica and three sentinels on loopback, the responder
# behind lighttpd with redis_sentinels, a steady load of logins,
# refresh-session, refresh-token and GET /session.  Each of two phases
# starts its own topology and lighttpd, then makes two failovers without
# touching lighttpd or the responders: SENTINEL FAILOVER (the master is
# handed over to the replica), then kill -9 of the new master.
#
#   phase "noack" (redis_min_replicas_ack = 0): every answer is 200, 401
#     or 503 and none hangs; after the kill every request answers 200
#     again within down-after + failover + 1 s.  What the failovers lost
#     (tokens answered 200 that are gone) is counted and printed, not
#     failed: that is what acknowledgements are for.
#   phase "ack" (redis_min_replicas_ack = 1): every answer is 200 or 503
#     (never 401 for a token or password the client holds, never 500),
#     none hangs; every session answered 200 before the kill (logins and
#     rotations) is valid after it with its last tokens, every token
#     rotated away is dead; token checks answer 200 again within
#     down-after + failover + 1 s of the kill, and with no replica left a
#     write answers 503, never a 200 that no replica holds.
#
# Prints "# note: ..." lines (shown by tests/run.sh): requests and statuses during each failover,
# time to recovery, sessions lost, and the latency WAIT adds to a
# refresh-token.  Run by `make test-ha`, not by `make test`.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http load

DOWN_AFTER=1000		# sentinel down-after-milliseconds
FAILOVER_TIMEOUT=3000	# sentinel failover-timeout
TIMEOUT_MS=500		# redis_timeout_ms
LIMIT=3			# seconds any one request may take
[ "$SANITIZE" = 1 ] && LIMIT=6
CLIENTS=4		# rotation clients (tests/lib/load.sh)
MASTER_NAME=autmaster

# Phase "ack" also runs with passwords: redis_password on master and
# replica (requirepass, masterauth; Sentinel's auth-pass), and
# redis_sentinel_username/password on the sentinels (requirepass,
# sentinel-pass), so that every AUTH of the responder is exercised.
HA_RPW=
HA_SPW=
declare -A HA_PID	# name -> pid of each redis-server / sentinel
declare -A HA_PORT	# name -> port

# ha_server NAME [ARGS...]: a redis-server called NAME on a free port in
# $T/NAME, with diskless replication (syncs in milliseconds) and ARGS.
ha_server() {
	local name=$1 port i
	shift
	port=$(free_port) || return 1
	mkdir -p "$T/$name"
	local -a auth=()
	[ -n "$HA_RPW" ] && auth=(--requirepass "$HA_RPW" --masterauth "$HA_RPW")
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$T/$name" --daemonize no "${auth[@]}" \
	    --repl-diskless-sync yes --repl-diskless-sync-delay 0 \
	    --logfile "$T/$name/redis.log" "$@" </dev/null >/dev/null 2>&1 &
	HA_PID[$name]=$!
	HA_PORT[$name]=$port
	disown "$!"
	BG_PIDS+=("$!")
	for i in $(seq 1 100); do
		[ "$(hcli "$port" PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	notok "setup: redis-server $name starts" "$(tail -n 5 "$T/$name/redis.log")"
	return 1
}

# ha_sentinel NAME MASTER_PORT: a redis-sentinel called NAME monitoring
# the master on MASTER_PORT (quorum 2), with a config file of its own
# (sentinels rewrite theirs).
ha_sentinel() {
	local name=$1 mport=$2 port i
	port=$(free_port) || return 1
	mkdir -p "$T/$name"
	cat >"$T/$name/sentinel.conf" <<EOF
port $port
bind 127.0.0.1
daemonize no
dir $T/$name
logfile $T/$name/sentinel.log
sentinel monitor $MASTER_NAME 127.0.0.1 $mport 2
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER
sentinel failover-timeout $MASTER_NAME $FAILOVER_TIMEOUT
sentinel parallel-syncs $MASTER_NAME 1
EOF
	if [ -n "$HA_RPW" ]; then
		printf 'sentinel auth-pass %s %s\nrequirepass %s\nsentinel sentinel-pass %s\n' \
		    "$MASTER_NAME" "$HA_RPW" "$HA_SPW" "$HA_SPW" >>"$T/$name/sentinel.conf"
	fi
	HA_SENTINEL[$port]=1
	redis-sentinel "$T/$name/sentinel.conf" </dev/null >/dev/null 2>&1 &
	HA_PID[$name]=$!
	HA_PORT[$name]=$port
	disown "$!"
	BG_PIDS+=("$!")
	for i in $(seq 1 100); do
		[ "$(hcli "$port" PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	notok "setup: sentinel $name starts" "$(tail -n 5 "$T/$name/sentinel.log")"
	return 1
}

# hcli PORT ARGS...: redis-cli against 127.0.0.1:PORT, with the
# sentinels' or the servers' password of the phase.
declare -A HA_SENTINEL	# port -> 1 for each sentinel
hcli() {
	local p=$1 pw=$HA_RPW
	shift
	[ -n "${HA_SENTINEL[$p]:-}" ] && pw=$HA_SPW
	if [ -n "$pw" ]; then
		REDISCLI_AUTH=$pw timeout 5 redis-cli -h 127.0.0.1 -p "$p" --raw "$@"
	else
		timeout 5 redis-cli -h 127.0.0.1 -p "$p" --raw "$@"
	fi
}

# ha_master_port: the master's port as sentinel s1 says it.
ha_master_port() {
	hcli "${HA_PORT[s1]}" SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | sed -n 2p
}

# ha_name_of PORT: the NAME of the redis-server on PORT.
ha_name_of() {
	local n
	for n in "${!HA_PORT[@]}"; do
		[ "${HA_PORT[$n]}" = "$1" ] && { echo "$n"; return; }
	done
}

# ha_synced PORT: true when the redis-server on PORT is a replica whose
# link to its master is up and that the master counts as online.
ha_synced() {
	local m
	hcli "$1" INFO replication | grep -q '^master_link_status:up' || return 1
	m=$(hcli "$1" INFO replication | sed -n 's/^master_port:\([0-9]*\).*/\1/p')
	hcli "$m" INFO replication | grep -q "port=$1,state=online"
}

# ha_wait WHAT SECONDS CMD...: run CMD every 0.1 s until it succeeds;
# false (and a failing test) after SECONDS.
ha_wait() {
	local what=$1 s=$2 i
	shift 2
	for i in $(seq 1 $((s * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	notok "setup: $what within ${s}s" "gave up"
	return 1
}

# ha_sentinels_ready: every sentinel knows the replica and the other two.
ha_sentinels_ready() {
	local s
	for s in s1 s2 s3; do
		[ "$(hcli "${HA_PORT[$s]}" SENTINEL replicas "$MASTER_NAME" | grep -c '^slave$')" -ge 1 ] ||
		    return 1
		[ "$(hcli "${HA_PORT[$s]}" SENTINEL sentinels "$MASTER_NAME" | grep -c '^name$')" -ge 2 ] ||
		    return 1
	done
}

# ha_logins: a client that logs in as lo over and over and checks each new
# session's authorization at once, until $T/stop exists.  Log
# $T/logins/log: N KIND CODE SECONDS START_MS END_MS (KIND login or lgs),
# answer N's body in $T/logins/N.json.
ha_logins() {
	local d=$T/logins n=0 w auth t0
	mkdir -p "$d"
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		t0=$(now_ms)
		w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
		    -X POST -H 'Content-Type: application/json' \
		    --data-binary '{"username":"lo","password":"lo-pw"}' \
		    "$BASE$API/login")
		[ -n "$w" ] || w="000 0"
		echo "$n login $w $t0 $(now_ms)" >>"$d/log"
		if [ "${w%% *}" = 200 ]; then
			auth=$(jq -r .data.authorization "$d/$n.json")
			n=$((n + 1))
			t0=$(now_ms)
			w=$(curl -s -m 10 -o "$d/$n.json" -w '%{http_code} %{time_total}' \
			    -H "Authorization: $auth" "$BASE$API/session")
			[ -n "$w" ] || w="000 0"
			echo "$n lgs $w $t0 $(now_ms)" >>"$d/log"
		else
			sleep 0.05
		fi
	done
}

# ha_reader AUTH: a client that checks the one authorization AUTH with
# GET /session over and over, until $T/stop exists.  Log $T/reader/log
# as for ha_logins (KIND gs).
ha_reader() {
	local d=$T/reader n=0 w t0
	mkdir -p "$d"
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		t0=$(now_ms)
		w=$(curl -s -m 10 -o "$d/last.json" -w '%{http_code} %{time_total}' \
		    -H "Authorization: $1" "$BASE$API/session")
		[ -n "$w" ] || w="000 0"
		echo "$n gs $w $t0 $(now_ms)" >>"$d/log"
		sleep 0.05
	done
}

# ha_answers: every answer of this phase, one a line:
# CLIENT N KIND CODE SECONDS START_MS END_MS.
ha_answers() {
	load_answers "$CLIENTS"
	awk '{ print "L", $0 }' "$T/logins/log"
	awk '{ print "R", $0 }' "$T/reader/log"
}

# ha_window FROM TO: the answers whose request started in [FROM, TO) ms.
ha_window() {
	ha_answers | awk -v a="$1" -v b="$2" '$6 >= a && $6 < b'
}

# ha_figures FILE: "R requests: S" with S the count of each status.
ha_figures() {
	awk '{ n++; c[$4]++ } END {
		s = ""; for (k in c) s = s sprintf(" %s x %d,", k, c[k])
		printf "%d requests:%s", n, substr(s, 1, length(s) - 1) }' "$1"
}

# ha_recovery EVENT_MS FILE [KINDS]: milliseconds from EVENT_MS to the end
# of the last answer of FILE (of KINDS, a regex, default all) that was not
# 200; 0 when all were 200.
ha_recovery() {
	awk -v e="$1" -v k="${3:-.}" '$3 ~ k && $4 != 200 && $7 > m { m = $7 }
	    END { print (m > e ? m - e : 0) }' "$2"
}

# ha_settled: for each rotation client, Redis holds the tokens of its
# last rotation answered 200, or those of a rotation after it that was not
# answered 200 (under redis_min_replicas_ack a 503 may have been written
# and not acknowledged: the client proves its password next); never an
# older generation, a mix or nothing.  Its last tokens answer 200 when
# they are held; the authorizations of the two answers before its last
# 200 answer 401.
ha_settled() {
	local i last n
	for i in $(seq 1 "$CLIENTS"); do
		load_classify "$i"
		case $LOAD_STATE in
		last|unseen) ;;
		*) t_fail "session $i: $LOAD_STATE ($LOAD_MATCH)" ;;
		esac
		last=$(load_last_rotation "$i")
		if [ "$LOAD_STATE" = last ]; then
			http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/c$i/$last.json")"
			t_eq "session $i authorization of answer $last" "$STATUS" 200
		fi
		load_generations "$i" | head -n -1 | tail -n 2 | while read -r n _; do
			http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/c$i/$n.json")"
			echo "$n $STATUS"
		done >"$T/older"
		while read -r n code; do
			t_eq "session $i authorization of answer $n (rotated away)" "$code" 401
		done <"$T/older"
	done
}

# ha_rt_times N: N refresh-tokens of one new session of lo one after the
# other, before the load: the seconds of each, one a line.
ha_rt_times() {
	local i rt sid w
	http POST "$API/login" '{"username":"lo","password":"lo-pw"}'
	sid=$(jget .data.sessionId)
	rt=$(jget .data.refreshToken)
	for i in $(seq 1 "$1"); do
		w=$(curl -s -m 10 -o "$T/rt.json" -w '%{http_code} %{time_total}' \
		    -X POST -H 'Content-Type: application/json' \
		    --data-binary "{\"sessionId\":\"$sid\",\"refreshToken\":\"$rt\"}" \
		    "$BASE$API/refresh-token")
		[ "${w%% *}" = 200 ] || { echo "rt $i: $w" >&2; return 1; }
		echo "${w#* }"
		rt=$(jq -r .data.refreshToken "$T/rt.json")
	done
}

# ha_phase NAME ACK: one phase (see the top of this file).
ha_phase() {
	local phase=$1 ack=$2 mport oport nport t_f t_k t_end i f n m
	local lost_login=0 lost_rot=0 pre

	HA_PID=() HA_PORT=() HA_SENTINEL=()
	ha_server m1 || return 1
	ha_server m2 --replicaof 127.0.0.1 "${HA_PORT[m1]}" || return 1
	ha_wait "replica m2 in sync" 10 ha_synced "${HA_PORT[m2]}" || return 1
	for i in 1 2 3; do ha_sentinel "s$i" "${HA_PORT[m1]}" || return 1; done
	ha_wait "sentinels see the replica and each other" 15 ha_sentinels_ready || return 1

	local -a pw=()
	[ -n "$HA_RPW" ] && pw=(redis_password="$HA_RPW"
	    redis_sentinel_username=default redis_sentinel_password="$HA_SPW")
	HA_CONF=(redis_host=- redis_port=- redis_timeout_ms=$TIMEOUT_MS
	    redis_min_replicas_ack="$ack"
	    "redis_sentinels = 127.0.0.1:${HA_PORT[s1]}, 127.0.0.1:${HA_PORT[s2]} 127.0.0.1:${HA_PORT[s3]}"
	    "redis_master_name = $MASTER_NAME")
	conf_write "${HA_CONF[@]}" "${pw[@]}"
	# the secrets scan and load_classify read the master through rcli
	REDIS_PORT=${HA_PORT[m1]}
	user_add lo lo-pw || return 1
	for i in $(seq 1 "$CLIENTS"); do user_add "u$i" "u$i-pw" || return 1; done
	if ! lighttpd_start; then
		notok "$phase: lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
		return 1
	fi
	for i in $(seq 1 "$CLIENTS"); do load_login "$i" "u$i" "u$i-pw" || return 1; done

	http POST "$API/login" '{"username":"lo","password":"lo-pw"}'
	[ "$STATUS" = 200 ] || { notok "$phase: setup login" "$STATUS"; return 1; }
	reader_auth=$(jget .data.authorization)
	ha_rt_times 40 >"$T/rt.$phase"

	workers=$(fcgi_workers)
	LOAD_CYCLE="gs rs gs rt"
	rm -rf "$T/logins" "$T/reader"
	load_start "$CLIENTS"
	ha_logins &
	LOAD_PIDS+=($!)
	ha_reader "$reader_auth" &
	LOAD_PIDS+=($!)
	sleep 2

	# 1: the master handed over to the replica.
	oport=${HA_PORT[m1]}
	t_f=$(now_ms)
	hcli "${HA_PORT[s1]}" SENTINEL FAILOVER "$MASTER_NAME" >/dev/null
	ha_wait "$phase: sentinels name the replica" 10 \
	    eval '[ "$(ha_master_port)" = "${HA_PORT[m2]}" ]' || return 1
	t_sw=$(now_ms)
	# the old master comes back as the replica of the new one (Sentinel
	# converts it some 8-10 s after the switch) before the kill
	ha_wait "$phase: old master turned replica and in sync" 30 ha_synced "$oport" || return 1
	sleep 2
	nport=${HA_PORT[m2]}
	REDIS_PORT=$nport

	# 2: kill -9 of the new master.  What was answered before it is
	# kept for after it.
	t_k=$(now_ms)
	kill -9 "${HA_PID[m2]}"
	t_k1=$(now_ms)
	pre=$T/$phase.before-kill
	ha_answers | awk -v k="$t_k" '$7 < k' >"$pre"
	ha_wait "$phase: sentinels name the old master again" 15 \
	    eval '[ "$(ha_master_port)" = "$oport" ]' || return 1
	t_sw2=$(now_ms)
	REDIS_PORT=$oport
	sleep 3
	touch "$T/stop"
	load_wait
	t_end=$(now_ms)

	# w1: answered between the two failovers; w2: still open at the kill
	# or started after it
	ha_window "$t_f" "$t_end" | awk -v k="$t_k" '$7 < k' >"$T/$phase.w1"
	ha_window "$t_f" "$t_end" | awk -v k="$t_k" '$7 >= k' >"$T/$phase.w2"
	ha_window 0 "$t_f" >"$T/$phase.w0"
	echo "# note: $phase SENTINEL FAILOVER: $(ha_figures "$T/$phase.w1"); sentinels switched after $((t_sw - t_f)) ms; non-200 until $(ha_recovery "$t_f" "$T/$phase.w1") ms after it (writes: $(ha_recovery "$t_f" "$T/$phase.w1" 'login|rs|rt') ms)"
	echo "# note: $phase kill -9 of the new master: $(ha_figures "$T/$phase.w2"); sentinels switched after $((t_sw2 - t_k)) ms; token checks non-200 until $(ha_recovery "$t_k" "$T/$phase.w2" 'gs') ms after it, writes until $(ha_recovery "$t_k" "$T/$phase.w2" 'login|rs|rt') ms"
	echo "# note: $phase steady state before the failovers: $(ha_figures "$T/$phase.w0")"

	t_begin "sentinel $phase: no answer is 500 or another status than 200, 401, 503, and none takes over ${LIMIT}s"
	ha_answers | awk -v l="$LIMIT" '($4 != 200 && $4 != 401 && $4 != 503) || $5 > l' >"$T/bad"
	[ -s "$T/bad" ] && t_fail "$(wc -l <"$T/bad") answers, first: $(head -n 3 "$T/bad" | tr '\n' ';')"
	t_end

	# down-after + failover: until the sentinels name the new master
	bound=$((t_sw2 - t_k + 1000))
	t_begin "sentinel $phase: after the kill, token checks answer 200 again within 1 s of the sentinels' switch"
	m=$(ha_recovery "$t_k" "$T/$phase.w2" 'gs')
	t_le "ms of token checks not answered 200" "$m" "$bound"
	n=$(awk -v s="$t_sw2" '$3 == "gs" && $4 == 200 && $6 > s' "$T/$phase.w2" | wc -l)
	t_ge "token checks answered 200 after the switch" "$n" 1
	t_end

	# every token check the clients made was of the tokens of their last
	# 200; every login-loop check of a session just answered 200
	lost_rot=$(awk '$3 == "gs" && $4 == 401' "$T/$phase.w1" "$T/$phase.w2" | wc -l)
	lost_login=$(awk '$3 == "lgs" && $4 == 401' "$T/$phase.w1" "$T/$phase.w2" | wc -l)

	if [ "$ack" = 0 ]; then
		t_begin "sentinel noack: after the kill, writes answer 200 again within 1 s of the sentinels' switch"
		m=$(ha_recovery "$t_k" "$T/$phase.w2" 'login|rs|rt')
		t_le "ms of writes not answered 200" "$m" "$bound"
		t_end
		echo "# note: noack lost: $lost_rot token checks of rotated sessions and $lost_login of fresh logins answered 401 (writes answered 200 and then lost)"
	else
		t_begin "sentinel ack: no token or password the clients held is ever answered 401"
		ha_answers | awk '$4 == 401' >"$T/bad"
		[ -s "$T/bad" ] && t_fail "$(wc -l <"$T/bad") answers 401, first: $(head -n 3 "$T/bad" | tr '\n' ';')"
		t_end
		t_begin "sentinel ack: with no replica left, no write is answered 200"
		n=$(awk -v s="$t_k1" '$3 ~ /^(login|rs|rt)$/ && $4 == 200 && $6 > s' "$T/$phase.w2" | wc -l)
		t_eq "writes answered 200 after the kill" "$n" 0
		t_end
		t_begin "sentinel ack: every login answered 200 before the kill is a live session after it"
		n=0
		while read -r _ i kind code _; do
			[ "$kind" = login ] && [ "$code" = 200 ] || continue
			http GET "$API/session" "" -H "Authorization: $(jq -r .data.authorization "$T/logins/$i.json")"
			[ "$STATUS" = 200 ] || { t_fail "login $i: GET /session $STATUS"; n=$((n + 1)); }
		done <"$pre"
		echo "# note: ack sessions lost: $n of $(awk '$3 == "login" && $4 == 200' "$pre" | wc -l) logins answered 200 before the kill"
		t_end
		t_begin "sentinel ack: the sentinels' AUTH: the right password finds the master, a wrong one is 503 and logged"
		cgi GET "$API/health"
		t_eq "health with the right passwords" "$STATUS" 200
		bad=bad-$RANDOM$RANDOM
		conf_write "$T/wrong.conf" "${HA_CONF[@]}" "${pw[@]}" redis_sentinel_password="$bad"
		cgi GET "$API/health" "" AUTENTICACAO_CONF="$T/wrong.conf"
		t_eq "health with a wrong redis_sentinel_password" "$STATUS" 503
		t_match "log" "$CGI_ERR" 'sentinel 127\.0\.0\.1:[0-9]+: AUTH: WRONGPASS'
		t_match "log" "$CGI_ERR" 'no master autmaster found through 3 sentinels'
		t_nomatch "no password in the log" "$CGI_ERR" "$bad|$HA_SPW|$HA_RPW"
		t_end
		t_begin "sentinel ack: every rotated session holds its last tokens answered 200 (or those of a later unanswered rotation), earlier ones are dead"
		ha_settled
		t_end
	fi

	t_begin "sentinel $phase: no worker died and no sanitizer report in the web server's log"
	t_lighttpd_clean
	t_eq "the FastCGI workers (same pids as before the load)" "$(fcgi_workers)" "$workers"
	t_end
	lighttpd_stop
	for i in "${!HA_PID[@]}"; do
		kill -0 "${HA_PID[$i]}" 2>/dev/null || continue
		[ "${HA_PORT[$i]}" = "$REDIS_PORT" ] && secrets_keep_redis
	done
	for i in "${!HA_PID[@]}"; do kill "${HA_PID[$i]}" 2>/dev/null; done
	mkdir -p "$T/$phase"
	mv "$T"/c[0-9]* "$T/logins" "$T/reader" "$T/$phase/"
	return 0
}

ha_phase noack 0
# rcli (load_classify, the secrets scan's dump) authenticates too
HA_RPW=rpw-$RANDOM$RANDOM HA_SPW=spw-$RANDOM$RANDOM
export REDISCLI_AUTH=$HA_RPW
ha_phase ack 1
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
a=$(med "$T/rt.noack")
b=$(med "$T/rt.ack")
echo "# note: WAIT adds $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) * 1000 }') ms to the median of 40 refresh-tokens in a row through lighttpd ($a s without, $b s with redis_min_replicas_ack = 1)"
REDIS_PORT=
done_testing
