-- user_del.lua - delete a user and its name in the users set.
--
-- KEYS[1]  P user:<name>
-- KEYS[2]  P users
-- ARGV[1]  name
-- Returns LUA_DONE when the user existed, else LUA_NOTHING.
local LUA_DONE = 1
local LUA_NOTHING = 0

local n = redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if n == 1 then return LUA_DONE end
return LUA_NOTHING
