-- user_set.lua - set one field of an existing user.
--
-- KEYS[1]  P user:<name>
-- ARGV     field, value
-- Returns LUA_DONE, or LUA_NOTHING when the user does not exist (nothing
-- written).
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('EXISTS', KEYS[1]) == 0 then return LUA_NOTHING end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return LUA_DONE
