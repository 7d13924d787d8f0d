-- user_add.lua - create a user, enabled.
--
-- KEYS[1]  P user:{T}<name>
-- ARGV     mcf, created
-- Returns LUA_DONE, or LUA_NOTHING when the user exists (nothing changed).
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('EXISTS', KEYS[1]) == 1 then return LUA_NOTHING end
redis.call('HSET', KEYS[1], 'mcf', ARGV[1], 'disabled', '0',
    'created', ARGV[2])
return LUA_DONE
