-- index_read.lua - the ids of a user's sessions that have not ended.
--
-- KEYS[1]  P user-sessions:{T}<name>
-- ARGV     now, session_ttl (to convert an index of the older form)
-- Prunes the ended entries (index.lua) and answers the remaining ids,
-- earliest end first.
--@include index.lua

local k = KEYS[1]
local now = tonumber(ARGV[1])
index_upgrade(k, now, tonumber(ARGV[2]))
index_prune(k, now)
return redis.call('ZRANGE', k, 0, -1)
