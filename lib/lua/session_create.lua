-- session_create.lua - write a new session.
--
-- KEYS[1]  P session:<sid>
-- ARGV     user, created, sexp, aexp, ah, ch, rh
-- Returns LUA_DONE when the session was written (expiring at sexp),
-- LUA_NOTHING when the key already exists (nothing changed).
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('EXISTS', KEYS[1]) == 1 then return LUA_NOTHING end
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'created', ARGV[2],
    'sexp', ARGV[3], 'aexp', ARGV[4], 'ah', ARGV[5], 'ch', ARGV[6],
    'rh', ARGV[7], 'sn', '0')
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return LUA_DONE
