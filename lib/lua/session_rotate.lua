-- session_rotate.lua - refresh-token, the compare-and-swap half.
--
-- KEYS[1]  P session:<sid>
-- ARGV     old_rh, ah, ch, rh, now, now + access_ttl, spent max, idle_ttl,
--          touch, now + idle_ttl + touch
-- Returns LUA_GONE when the session is missing or ended (sexp <= now, or
-- idle: idle_over);
-- LUA_CONFLICT when its refresh hash is not old_rh (nothing changed);
-- LUA_RING_FULL when the ring of spent hashes is full (nothing changed;
-- see ring.lua); else old_rh is spent at now, the three hashes are
-- replaced, used (lastUsedAt) = now, aexp = min(now + access_ttl, sexp),
-- sexp and the key's expiry
-- stay (with idle_ttl set the key expires at min(sexp, now + idle_ttl +
-- touch)), and the answer is the session's SESSION_FIELDS.
--@include ring.lua
--@include session_fields.lua
local LUA_GONE = -1
local LUA_CONFLICT = 0
local LUA_RING_FULL = -2

local k = KEYS[1]
local max = tonumber(ARGV[7])
local u = redis.call('HMGET', k, 'sexp', 'rh', 'used', 'created')
local sexp = tonumber(u[1])
local now, idle = tonumber(ARGV[5]), tonumber(ARGV[8])
if not sexp or sexp <= now or
    idle_over(tonumber(u[3]) or tonumber(u[4]) or 0, now, idle,
    tonumber(ARGV[9])) then
  return LUA_GONE
end
if u[2] ~= ARGV[1] then return LUA_CONFLICT end
ring_upgrade(k, max)
if not ring_slot(k, max) then return LUA_RING_FULL end
spend(k, ARGV[1], ARGV[5], max)
local aexp = ARGV[6]
if tonumber(aexp) > sexp then aexp = u[1] end
redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],
    'aexp', aexp, 'used', ARGV[5])
if idle > 0 then
  redis.call('EXPIREAT', k, math.min(sexp, tonumber(ARGV[10])))
end
return redis.call('HMGET', k, unpack(SESSION_FIELDS))
