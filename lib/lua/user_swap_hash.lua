-- user_swap_hash.lua - replace a user's password hash, but only if it is
-- still the one the caller checked (a re-hash after a successful login:
-- a passwd that landed meanwhile must win).
--
-- KEYS[1]  P user:<name>
-- ARGV     old mcf, new mcf
-- Returns LUA_DONE, or LUA_CONFLICT when the user is gone or its hash is
-- no longer the old one (nothing written).
local LUA_DONE = 1
local LUA_CONFLICT = 0

if redis.call('HGET', KEYS[1], 'mcf') ~= ARGV[1] then return LUA_CONFLICT end
redis.call('HSET', KEYS[1], 'mcf', ARGV[2])
return LUA_DONE
