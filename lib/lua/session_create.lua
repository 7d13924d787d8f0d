-- session_create.lua - write a new session and index it, in one step.
--
-- KEYS[1]  P session:<sid>
-- KEYS[2]  P user-sessions:<name>
-- ARGV     sid, user, created (= now), sexp, aexp, ah, ch, rh,
--          session_ttl, addr, ua (used starts at created), key end
--          (sexp, or the idle end when idle_ttl is set and it comes first)
-- Returns LUA_DONE when the session was written (expiring at sexp) and
-- its id is in the index with score sexp; LUA_NOTHING when the session
-- key already exists (nothing changed).  The index is pruned either way.
--@include index.lua
local LUA_DONE = 1
local LUA_NOTHING = 0

local ks, ki = KEYS[1], KEYS[2]
local now = tonumber(ARGV[3])
index_upgrade(ki, now, tonumber(ARGV[9]))
if redis.call('EXISTS', ks) == 1 then
  index_prune(ki, now)
  return LUA_NOTHING
end
redis.call('HSET', ks, 'user', ARGV[2], 'created', ARGV[3],
    'sexp', ARGV[4], 'aexp', ARGV[5], 'ah', ARGV[6], 'ch', ARGV[7],
    'rh', ARGV[8], 'sn', '0', 'used', ARGV[3], 'addr', ARGV[10],
    'ua', ARGV[11])
redis.call('EXPIREAT', ks, ARGV[12])
redis.call('ZADD', ki, ARGV[4], ARGV[1])
index_prune(ki, now)
return LUA_DONE
