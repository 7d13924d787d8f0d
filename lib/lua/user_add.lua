-- user_add.lua - create a user, enabled, and add its name to the users set.
--
-- KEYS[1]  P user:<name>
-- KEYS[2]  P users
-- ARGV     name, mcf, created
-- Returns LUA_DONE, or LUA_NOTHING when the user exists (nothing changed).
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('EXISTS', KEYS[1]) == 1 then return LUA_NOTHING end
redis.call('HSET', KEYS[1], 'mcf', ARGV[2], 'disabled', '0',
    'created', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return LUA_DONE
