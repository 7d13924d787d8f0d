-- index_add.lua - record a session's new end in its user's index
-- (refresh-session moves sexp), pruning ended entries.
--
-- KEYS[1]  P user-sessions:<name>
-- ARGV[1]  session id ("" adds nothing)
-- ARGV[2]  now (unix seconds)
-- ARGV[3]  the session's new end (sexp)
-- ARGV[4]  session_ttl (to convert an index of the older form)
-- Returns LUA_DONE when ARGV[1] was added, else LUA_NOTHING (it was there
-- and got its new end, or nothing was asked).
--@include index.lua
local LUA_DONE = 1
local LUA_NOTHING = 0

local k = KEYS[1]
local now = tonumber(ARGV[2])
index_upgrade(k, now, tonumber(ARGV[4]))
local added = LUA_NOTHING
if ARGV[1] ~= '' then
  if redis.call('ZADD', k, ARGV[3], ARGV[1]) == 1 then added = LUA_DONE end
end
index_prune(k, now)
return added
