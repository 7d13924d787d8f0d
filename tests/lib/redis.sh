# tests/lib/redis.sh - a throwaway redis-server per test script: start,
# stop (with or without a save), kill -9, redis-cli against it, and a dump
# of every key and value.  Each stop first dumps the store for the secrets
# scan (tests/lib/secrets.sh).

lib_use secrets

REDIS_PORT=
REDIS_PID=
REDIS_DIR=

# redis_start [PORT]: a throwaway redis-server on 127.0.0.1 (a free port
# unless PORT is given; a restart on the same port reuses its directory, so
# a dump written by redis_stop save comes back).  Sets REDIS_PORT,
# REDIS_PID, REDIS_DIR.  Returns non-zero if it does not answer PING in 10 s.
# With REDIS_AOF=1 it keeps an append-only file fsynced before every reply
# (appendonly yes, appendfsync always): every write it acknowledged
# survives kill -9 and comes back on a restart on the same port.
redis_start() {
	local port=${1:-} i
	local -a persist=(--appendonly no)
	[ "${REDIS_AOF:-0}" = 1 ] &&
	    persist=(--appendonly yes --appendfsync always --appenddirname aof)
	[ -n "$port" ] || port=$(free_port) || return 1
	REDIS_PORT=$port
	REDIS_DIR=$T/redis-$port
	mkdir -p "$REDIS_DIR"
	# Disowned, so that a bare `wait` in a test (for its curls) does not
	# wait for Redis; the shell still reaps it.
	redis-server --port "$port" --bind 127.0.0.1 --save '' \
	    "${persist[@]}" --dir "$REDIS_DIR" --dbfilename dump.rdb \
	    --daemonize no --protected-mode yes \
	    --logfile "$REDIS_DIR/redis.log" </dev/null >/dev/null 2>&1 &
	REDIS_PID=$!
	disown "$REDIS_PID"
	for i in $(seq 1 200); do
		if [ "$(rcli PING 2>/dev/null)" = PONG ]; then
			# a dump being loaded answers PING with -LOADING
			return 0
		fi
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "redis_start: redis-server on port $port did not start" >&2
	cat "$REDIS_DIR/redis.log" >&2 2>/dev/null
	return 1
}

# redis_stop [save]: SHUTDOWN NOSAVE (or SAVE) the redis of redis_start and
# wait for the process to end.  Safe to call when none is running.
redis_stop() {
	local how=NOSAVE i
	[ "${1:-}" = save ] && how=SAVE
	[ -n "$REDIS_PID" ] || return 0
	secrets_keep_redis
	rcli SHUTDOWN "$how" >/dev/null 2>&1
	for i in $(seq 1 100); do
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$REDIS_PID" 2>/dev/null; then
		kill -9 "$REDIS_PID" 2>/dev/null
		sleep 0.1
	fi
	REDIS_PID=
}

# redis_kill: SIGKILL the redis of redis_start (no shutdown, no save) and
# wait until the process is gone.
redis_kill() {
	local i
	[ -n "$REDIS_PID" ] || return 0
	kill -9 "$REDIS_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.05
	done
	REDIS_PID=
}

# ukey FAMILY NAME: the key of user NAME in FAMILY (user, user-sessions,
# fail, ban, known) under $PREFIX (the config's key_prefix):
# P FAMILY:{T}NAME, T the user's slot tag (the first four hex characters
# of NAME's SHA-1; lib/store.h).
ukey() {
	printf '%s%s:{%s}%s' "$PREFIX" "$1" \
	    "$(printf '%s' "$2" | sha1sum | cut -c1-4)" "$2"
}

# skey SID: the key of session SID under $PREFIX: P session:{T}<rand> for
# an id of 26 characters (<rand><T>), P session:SID for any other.
skey() {
	if [ ${#1} -eq 26 ]; then
		printf '%ssession:{%s}%s' "$PREFIX" "${1:22}" "${1:0:22}"
	else
		printf '%ssession:%s' "$PREFIX" "$1"
	fi
}

# rcli ARGS...: redis-cli against the test redis (raw output).
rcli() {
	timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --raw "$@"
}

# redis_dump FILE: every key of every database of the test redis and every
# value, one item a line, into FILE: "KEY DB TYPE NAME", then the value
# (string), field names and values (hash), members (set, list), members
# and scores (zset), entry ids, field names and values (stream).  One
# EVAL, so it is quick however many keys there are.  Returns non-zero (and
# FILE holds the error) if Redis did not answer.
REDIS_DUMP_LUA='
local out = {}
local function add(v) out[#out + 1] = v end
local function addall(t) for _, v in ipairs(t) do add(v) end end
for db = 0, 63 do
	if not pcall(redis.call, "SELECT", db) then break end
	for _, k in ipairs(redis.call("KEYS", "*")) do
		local ty = redis.call("TYPE", k).ok
		add("KEY " .. db .. " " .. ty .. " " .. k)
		if ty == "string" then add(redis.call("GET", k))
		elseif ty == "hash" then addall(redis.call("HGETALL", k))
		elseif ty == "set" then addall(redis.call("SMEMBERS", k))
		elseif ty == "zset" then addall(redis.call("ZRANGE", k, 0, -1, "WITHSCORES"))
		elseif ty == "list" then addall(redis.call("LRANGE", k, 0, -1))
		elseif ty == "stream" then
			for _, e in ipairs(redis.call("XRANGE", k, "-", "+")) do
				add(e[1]); addall(e[2])
			end
		else add("<no dump of type " .. ty .. ">") end
	end
end
return out'
redis_dump() {
	local out=$1
	local first=
	rcli EVAL "$REDIS_DUMP_LUA" 0 >"$out" 2>&1 || return 1
	# redis-cli --raw exits 0 on an error reply (NOAUTH, ...): a dump is
	# a lone newline (no key) or starts with KEY
	IFS= read -r first <"$out"
	[ "$(wc -c <"$out")" -le 1 ] && [ -z "$first" ] && { : >"$out"; return 0; }
	[ "${first:0:4}" = "KEY " ]
}
