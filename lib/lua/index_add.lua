-- index_add.lua - add a session id to a user's session index and keep the
-- index alive at least until a given time.
--
-- KEYS[1]  P user-sessions:<name>
-- ARGV[1]  session id to add ("" adds nothing)
-- ARGV[2]  now (unix seconds)
-- ARGV[3]  time until which the index must live at least
-- Returns LUA_DONE when ARGV[1] was added, else LUA_NOTHING.
local LUA_DONE = 1
local LUA_NOTHING = 0

local added = LUA_NOTHING
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then added = LUA_DONE end
end
local ttl = redis.call('TTL', KEYS[1])
if ttl == -1 or (ttl >= 0 and
    tonumber(ARGV[2]) + ttl <= tonumber(ARGV[3])) then
  redis.call('EXPIREAT', KEYS[1], ARGV[3])
end
return added
