-- session_spent.lua - refresh-token, the spent-token half (RFC 9700
-- 4.14.2): a refresh hash that is not the session's current one.
--
-- KEYS[1]  P session:<sid>
-- KEYS[2]  P user-sessions:<name> of the session's user
-- ARGV     rh, now, grace, sid
-- Returns LUA_GONE when the session is missing or ended; LUA_NOT_SPENT
-- when rh is not among its spent hashes; LUA_IN_GRACE when rh was spent
-- less than grace seconds before now (nothing changed); LUA_REVOKED when
-- it was spent earlier: the session is deleted and its id leaves the
-- index.
--@include ring.lua
--@include index.lua
local LUA_GONE = -1
local LUA_NOT_SPENT = 0
local LUA_IN_GRACE = 1
local LUA_REVOKED = 2

local k = KEYS[1]
local sexp = tonumber(redis.call('HGET', k, 'sexp'))
if not sexp or sexp <= tonumber(ARGV[2]) then return LUA_GONE end
local t = spent_at(k, ARGV[1]) or
    tonumber(redis.call('HGET', k, 's:' .. ARGV[1]))
if not t then return LUA_NOT_SPENT end
if t + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return LUA_IN_GRACE end
redis.call('DEL', k)
index_rem(KEYS[2], ARGV[4])
return LUA_REVOKED
