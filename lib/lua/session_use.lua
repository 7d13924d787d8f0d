-- session_use.lua - a bearer check: read a session and record its use.
--
-- KEYS[1]  P session:{T}<rand>, or P session:<sid> (lib/store.h)
-- ARGV     h (hash of the presented bearer), accept ("a", "c" or "ac":
--          which access tokens count), now, touch (seconds between two
--          lastUsedAt writes), idle_ttl
-- Answers the session's SESSION_FIELDS as they were before this call
-- (all nil when there is no such key).  When h is the hash of an
-- accepted access token, the session and its access tokens have not
-- ended at now, and its lastUsedAt (used, else created) is at least touch
-- seconds old, used is set to now; with idle_ttl set the key then
-- expires at min(sexp, now + idle_ttl + touch).  A session past its idle
-- end is not touched (the caller finds it ended).  The caller decides about the token
-- again in constant time; the comparison here only decides the write, and
-- it does not stop at the first differing byte either.
--@include session_fields.lua
--@include same.lua

local k = KEYS[1]
local now = tonumber(ARGV[3])
local f = redis.call('HMGET', k, unpack(SESSION_FIELDS))
local sexp, aexp = tonumber(f[3]), tonumber(f[4])
if not sexp or not aexp or sexp <= now or aexp <= now then return f end
local a = string.find(ARGV[2], 'a', 1, true) and same(f[5], ARGV[1])
local c = string.find(ARGV[2], 'c', 1, true) and same(f[6], ARGV[1])
if not a and not c then return f end
local used = tonumber(f[8]) or tonumber(f[2]) or 0
local touch, idle = tonumber(ARGV[4]), tonumber(ARGV[5])
if idle_over(used, now, idle, touch) then return f end
if now - used >= touch then
  redis.call('HSET', k, 'used', ARGV[3])
  if idle > 0 then
    redis.call('EXPIREAT', k, math.min(sexp, now + idle + touch))
  end
end
return f
