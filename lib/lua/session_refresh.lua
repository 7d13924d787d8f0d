-- session_refresh.lua - refresh-token in one script: compare the presented
-- refresh hash with the session's, then rotate, or judge a spent hash
-- (RFC 9700 4.14.2; docs/design.md "Rotation and reuse detection").
--
-- KEYS[1]  P session:{T}<rand> (the session's key, lib/store.h)
-- ARGV     ph (hash of the presented refresh token), ah, ch, rh (the new
--          generation), now, now + access_ttl, spent max, idle_ttl, touch,
--          now + idle_ttl + touch, grace, sid, P user-sessions: (the
--          prefix of the owner's index key)
-- Answers {code, user, fields}: user is the session's owner (nil, false in
-- Lua, when there is no session), fields its SESSION_FIELDS as written
-- (only with LUA_ROTATED).  code:
--   LUA_GONE       the session is missing or ended (sexp <= now); nothing
--                  changed.
--   LUA_ROTATED    ph is the current refresh hash (compared without an
--                  early exit) and the session is not idle (idle_over):
--                  ph is spent at now, the three hashes are replaced, used
--                  = now, aexp = min(now + access_ttl, sexp); sexp stays
--                  (with idle_ttl set the key expires at min(sexp, now +
--                  idle_ttl + touch)).
--   LUA_RING_FULL  ph is current but the ring of spent hashes is full
--                  (ring.lua); nothing changed.
--   LUA_NOT_SPENT  ph is neither current nor spent here; nothing changed.
--   LUA_IN_GRACE   ph was spent less than grace seconds before now;
--                  nothing changed.
--   LUA_REVOKED    ph was spent earlier: the session is deleted and its id
--                  leaves its owner's index.
-- A current ph of a session past its idle end is LUA_GONE.  The owner's
-- index key is made here from the owner read (P user-sessions:{T}<user>,
-- keys.lua): it is the one key a script touches that is not in KEYS, and
-- it lies in the session's slot, as the session id's tag is the owner's.
--@include ring.lua
--@include session_fields.lua
--@include index.lua
--@include same.lua
--@include keys.lua
local LUA_GONE = -1
local LUA_RING_FULL = -2
local LUA_NOT_SPENT = 0
local LUA_IN_GRACE = 1
local LUA_REVOKED = 2
local LUA_ROTATED = 3


local k = KEYS[1]
local ph = ARGV[1]
local max = tonumber(ARGV[7])
local u = redis.call('HMGET', k, 'sexp', 'rh', 'used', 'created', 'user')
local sexp = tonumber(u[1])
local now, idle = tonumber(ARGV[5]), tonumber(ARGV[8])
local user = u[5]
if not sexp or sexp <= now then return {LUA_GONE, user} end

if same(u[2], ph) then
  if idle_over(tonumber(u[3]) or tonumber(u[4]) or 0, now, idle,
      tonumber(ARGV[9])) then
    return {LUA_GONE, user}
  end
  ring_upgrade(k, max)
  if not ring_slot(k, max) then return {LUA_RING_FULL, user} end
  spend(k, ph, ARGV[5], max)
  local aexp = ARGV[6]
  if tonumber(aexp) > sexp then aexp = u[1] end
  redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],
      'aexp', aexp, 'used', ARGV[5])
  if idle > 0 then
    redis.call('EXPIREAT', k, math.min(sexp, tonumber(ARGV[10])))
  end
  return {LUA_ROTATED, user, redis.call('HMGET', k, unpack(SESSION_FIELDS))}
end

local t = spent_at(k, ph) or tonumber(redis.call('HGET', k, 's:' .. ph))
if not t then return {LUA_NOT_SPENT, user} end
if t + tonumber(ARGV[11]) > now then return {LUA_IN_GRACE, user} end
redis.call('DEL', k)
if user then index_rem(user_key(ARGV[13], user), ARGV[12]) end
return {LUA_REVOKED, user}
