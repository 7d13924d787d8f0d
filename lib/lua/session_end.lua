-- session_end.lua - end sessions of one user and drop them from the
-- user's index.
--
-- KEYS[1]     P user-sessions:{T}<name>
-- KEYS[2..]   the key of each session to end
-- ARGV[1]     user
-- ARGV[2..]   the sids of KEYS[2..], in the same order
-- A session that belongs to user is deleted; its id leaves the index,
-- and so does the id of a session that is missing or someone else's (an
-- index entry never grants anything).  Returns how many sessions were
-- deleted (LUA_NOTHING when none).
--@include index.lua
local LUA_NOTHING = 0

local n = LUA_NOTHING
for i = 2, #KEYS do
  local owner = redis.call('HGET', KEYS[i], 'user')
  if owner == ARGV[1] then
    redis.call('DEL', KEYS[i])
    n = n + 1
  end
  index_rem(KEYS[1], ARGV[i])
end
return n
