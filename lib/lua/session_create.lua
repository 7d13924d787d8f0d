-- session_create.lua - write a new session and index it, in one step,
-- within the user's cap on live sessions.
--
-- KEYS[1]     P session:<sid>
-- KEYS[2]     P user-sessions:<name>
-- KEYS[3..]   P session:<id> of each id the caller read from the index
--             (only with a cap)
-- ARGV[1..12] sid, user, created (= now), sexp, aexp, ah, ch, rh,
--             session_ttl, addr, ua, key end (sexp, or the idle end
--             when idle_ttl is set and it comes first); used starts at
--             created
-- ARGV[13..16] cap (max_sessions_per_user, 0: none), mode (1: refuse,
--             0: evict the least recently used), idle_ttl, touch
-- ARGV[17..]  the ids of KEYS[3..], in the same order
-- Answers {code, evicted}.  LUA_DONE: the session was written (expiring
-- at the key end) with its index entry (score sexp), after ending the
-- evicted least recently used sessions of the user when it was at the
-- cap.  LUA_NOTHING: the session key exists, nothing written.  LUA_LIMIT:
-- at the cap under refuse, nothing written.  LUA_RETRY: to stay within the
-- cap more sessions would have to go than the caller named (logins ran in
-- between): nothing written, read the index again.  The index is pruned
-- in every case.  Ids in the index that the caller did not name are
-- counted as live: they can only be logins newer than its read.
--@include index.lua
--@include session_fields.lua
local LUA_DONE = 1
local LUA_NOTHING = 0
local LUA_LIMIT = -3
local LUA_RETRY = -4

local ks, ki = KEYS[1], KEYS[2]
local now = tonumber(ARGV[3])
index_upgrade(ki, now, tonumber(ARGV[9]))
index_prune(ki, now)
if redis.call('EXISTS', ks) == 1 then return {LUA_NOTHING, 0} end

local cap, refuse = tonumber(ARGV[13]), ARGV[14] == '1'
local idle, touch = tonumber(ARGV[15]), tonumber(ARGV[16])
local evicted = 0
if cap > 0 then
  local named, live = {}, {}
  for i = 3, #KEYS do
    local id = ARGV[14 + i]
    named[id] = true
    local f = redis.call('HMGET', KEYS[i], 'user', 'sexp', 'used',
        'created')
    local used = tonumber(f[3]) or tonumber(f[4]) or 0
    if f[1] == ARGV[2] and (tonumber(f[2]) or 0) > now and
        not idle_over(used, now, idle, touch) then
      live[#live + 1] = {used = used, id = id, key = KEYS[i]}
    else
      -- Ended (or someone else's): out of the index, and gone.
      if f[1] == ARGV[2] then redis.call('DEL', KEYS[i]) end
      redis.call('ZREM', ki, id)
    end
  end
  local unnamed = 0
  for _, id in ipairs(redis.call('ZRANGE', ki, 0, -1)) do
    if not named[id] then unnamed = unnamed + 1 end
  end
  local over = #live + unnamed - cap + 1
  if over > 0 then
    if refuse then return {LUA_LIMIT, 0} end
    if over > #live then return {LUA_RETRY, 0} end
    table.sort(live, function(a, b)
      if a.used ~= b.used then return a.used < b.used end
      return a.id < b.id
    end)
    for i = 1, over do
      redis.call('DEL', live[i].key)
      redis.call('ZREM', ki, live[i].id)
    end
    evicted = over
  end
end

redis.call('HSET', ks, 'user', ARGV[2], 'created', ARGV[3],
    'sexp', ARGV[4], 'aexp', ARGV[5], 'ah', ARGV[6], 'ch', ARGV[7],
    'rh', ARGV[8], 'sn', '0', 'used', ARGV[3], 'addr', ARGV[10],
    'ua', ARGV[11])
redis.call('EXPIREAT', ks, ARGV[12])
redis.call('ZADD', ki, ARGV[4], ARGV[1])
index_prune(ki, now)
return {LUA_DONE, evicted}
