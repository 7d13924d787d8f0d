-- session_renew.lua - refresh-session: a new generation of tokens after a
-- password check.
--
-- KEYS[1]  P session:<sid>
-- ARGV     user, ah, ch, rh, now, sexp, aexp, spent max, idle_ttl, touch,
--          key end (sexp, or now + idle_ttl + touch when that is first)
-- If the session exists, has not ended (sexp > now, nor idle: see
-- idle_over) and belongs to user:
-- the ring of spent hashes is emptied (a password check was made) and the
-- current refresh hash is spent at now, the three hashes, sexp and aexp
-- are replaced, lastUsedAt (used) is now, the key expires at the new
-- sexp, and the answer is the
-- session's SESSION_FIELDS.  Otherwise LUA_GONE, nothing changed.
--@include ring.lua
--@include session_fields.lua
local LUA_GONE = -1

local k = KEYS[1]
local max = tonumber(ARGV[8])
local u = redis.call('HMGET', k, 'user', 'sexp', 'rh', 'used', 'created')
local now = tonumber(ARGV[5])
if u[1] ~= ARGV[1] or (tonumber(u[2]) or 0) <= now or
    idle_over(tonumber(u[4]) or tonumber(u[5]) or 0, now,
    tonumber(ARGV[9]), tonumber(ARGV[10])) then
  return LUA_GONE
end
ring_clear(k, max)
if u[3] then spend(k, u[3], ARGV[5], max) end
redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],
    'sexp', ARGV[6], 'aexp', ARGV[7], 'used', ARGV[5])
redis.call('EXPIREAT', k, ARGV[11])
return redis.call('HMGET', k, unpack(SESSION_FIELDS))
