-- login_finish.lua - a password check of a user succeeded (login,
-- refresh-session): in one script on the user's keys, make sure the user
-- did not change during the check, keep the bookkeeping of the success,
-- and create (login) or renew (refresh-session) the session.  The
-- address's count is taken back beside it in the same round trip
-- (attempt_undo.lua).
--
-- KEYS[1]  P user:{T}<name>           (T: the user's slot tag, so all
-- KEYS[2]  P fail:{T}<name>             five share one Cluster slot;
-- KEYS[3]  P known:{T}<name>            lib/store.h)
-- KEYS[4]  P session:{T}<rand>
-- KEYS[5]  P user-sessions:{T}<name>
-- ARGV[1..9]   the hash checked, the re-hash to store in its place (""
--              for none), the client's address subject ("" for none),
--              now, session_ttl, mode ("c" create, "r" renew), sid,
--              user, P session: (the prefix of the session keys the cap
--              reads from the index)
-- ARGV[10..]   mode c: sexp, aexp, ah, ch, rh, addr, ua, key end, cap,
--              refuse ("1"/"0"), idle_ttl, touch
--              mode r: ah, ch, rh, sexp, aexp, spent max, idle_ttl,
--              touch, key end
-- Answers {code, x}:
--   LUA_CHANGED {code, mcf, disabled}: the user is gone (mcf nil), was
--     disabled, or its hash is no longer the one checked (a passwd,
--     disable or userdel during the check wins): nothing written.
--   Otherwise the user's record gets the re-hash (if any and still over
--   the checked hash), its failures are forgotten and the address is
--   remembered as known for session_ttl seconds, and then:
--   mode c, the session written with its index entry (created = used =
--     now, the key expiring at key end): LUA_DONE {code, evicted}; LUA_NOTHING
--     (the session key exists); LUA_LIMIT (refuse at the cap).  With a
--     cap the script reads the index itself and ends the least recently
--     used sessions it names (their keys are made here, keys.lua: the
--     keys not in KEYS; they share the user's slot, as every session id
--     minted for the user ends in the user's tag).
--   mode r, the new generation (the spent list restarted with the old
--     refresh hash, sexp and the index entry moved on): {LUA_DONE, fields}
--     the session as written, or LUA_GONE (missing, ended or another
--     user's; nothing of the session changed).
--@include ring.lua
--@include session_fields.lua
--@include index.lua
--@include keys.lua
local LUA_DONE = 1
local LUA_NOTHING = 0
local LUA_GONE = -1
local LUA_LIMIT = -3
local LUA_CHANGED = -5

local ku, kf, kk, ks, ki = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now, sttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local sid, user = ARGV[7], ARGV[8]

local u = redis.call('HMGET', ku, 'mcf', 'disabled')
if u[1] ~= ARGV[1] or u[2] ~= '0' then return {LUA_CHANGED, u[1], u[2]} end
if ARGV[2] ~= '' then redis.call('HSET', ku, 'mcf', ARGV[2]) end
redis.call('DEL', kf)
if ARGV[3] ~= '' then
  redis.call('ZADD', kk, now, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', kk, '-inf', '(' .. (now - sttl))
  redis.call('EXPIRE', kk, sttl)
end

index_upgrade(ki, now, sttl)
index_prune(ki, now)

if ARGV[6] == 'r' then
  local max = tonumber(ARGV[15])
  local s = redis.call('HMGET', ks, 'user', 'sexp', 'rh', 'used', 'created')
  if s[1] ~= user or (tonumber(s[2]) or 0) <= now or
      idle_over(tonumber(s[4]) or tonumber(s[5]) or 0, now,
      tonumber(ARGV[16]), tonumber(ARGV[17])) then
    return {LUA_GONE, 0}
  end
  redis.call('ZADD', ki, ARGV[13], sid)
  index_prune(ki, now)
  ring_clear(ks, max)
  if s[3] then spend(ks, s[3], ARGV[4], max) end
  redis.call('HSET', ks, 'ah', ARGV[10], 'ch', ARGV[11], 'rh', ARGV[12],
      'sexp', ARGV[13], 'aexp', ARGV[14], 'used', ARGV[4])
  redis.call('EXPIREAT', ks, ARGV[18])
  return {LUA_DONE, redis.call('HMGET', ks, unpack(SESSION_FIELDS))}
end

if redis.call('EXISTS', ks) == 1 then return {LUA_NOTHING, 0} end
local cap, refuse = tonumber(ARGV[18]), ARGV[19] == '1'
local idle, touch = tonumber(ARGV[20]), tonumber(ARGV[21])
local evicted = 0
if cap > 0 then
  local live = {}
  for _, id in ipairs(redis.call('ZRANGE', ki, 0, -1)) do
    local k = session_key(ARGV[9], id)
    local f = redis.call('HMGET', k, 'user', 'sexp', 'used', 'created')
    local used = tonumber(f[3]) or tonumber(f[4]) or 0
    if f[1] == user and (tonumber(f[2]) or 0) > now and
        not idle_over(used, now, idle, touch) then
      live[#live + 1] = {used = used, id = id, key = k}
    else
      -- Ended (or someone else's): out of the index, and gone.
      if f[1] == user then redis.call('DEL', k) end
      redis.call('ZREM', ki, id)
    end
  end
  local over = #live - cap + 1
  if over > 0 then
    if refuse then return {LUA_LIMIT, 0} end
    table.sort(live, function(a, b)
      if a.used ~= b.used then return a.used < b.used end
      return a.id < b.id
    end)
    for i = 1, over do
      redis.call('DEL', live[i].key)
      redis.call('ZREM', ki, live[i].id)
    end
    evicted = over
  end
end

redis.call('HSET', ks, 'user', user, 'created', ARGV[4],
    'sexp', ARGV[10], 'aexp', ARGV[11], 'ah', ARGV[12], 'ch', ARGV[13],
    'rh', ARGV[14], 'sn', '0', 'used', ARGV[4], 'addr', ARGV[15],
    'ua', ARGV[16])
redis.call('EXPIREAT', ks, ARGV[17])
redis.call('ZADD', ki, ARGV[10], sid)
index_prune(ki, now)
return {LUA_DONE, evicted}
