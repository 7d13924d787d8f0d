-- session_rotate.lua - refresh-token, the compare-and-swap half.
--
-- KEYS[1]  P session:<sid>
-- ARGV     old_rh, ah, ch, rh, now, now + access_ttl, spent max
-- Returns LUA_GONE when the session is missing or ended (sexp <= now);
-- LUA_CONFLICT when its refresh hash is not old_rh (nothing changed);
-- LUA_RING_FULL when the ring of spent hashes is full (nothing changed;
-- see ring.lua); else old_rh is spent at now, the three hashes are
-- replaced, used (lastUsedAt) = now, aexp = min(now + access_ttl, sexp),
-- sexp and the key's expiry
-- stay, and the answer is the session's SESSION_FIELDS.
--@include ring.lua
--@include session_fields.lua
local LUA_GONE = -1
local LUA_CONFLICT = 0
local LUA_RING_FULL = -2

local k = KEYS[1]
local max = tonumber(ARGV[7])
local u = redis.call('HMGET', k, 'sexp', 'rh')
local sexp = tonumber(u[1])
if not sexp or sexp <= tonumber(ARGV[5]) then return LUA_GONE end
if u[2] ~= ARGV[1] then return LUA_CONFLICT end
ring_upgrade(k, max)
if not ring_slot(k, max) then return LUA_RING_FULL end
spend(k, ARGV[1], ARGV[5], max)
local aexp = ARGV[6]
if tonumber(aexp) > sexp then aexp = u[1] end
redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],
    'aexp', aexp, 'used', ARGV[5])
return redis.call('HMGET', k, unpack(SESSION_FIELDS))
