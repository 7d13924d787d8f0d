-- user_del.lua - delete a user.
--
-- KEYS[1]  P user:{T}<name>
-- Returns LUA_DONE when the user existed, else LUA_NOTHING.
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('DEL', KEYS[1]) == 1 then return LUA_DONE end
return LUA_NOTHING
