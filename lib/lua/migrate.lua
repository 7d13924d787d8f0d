-- migrate.lua - move one user's keys from the names of the layout before
-- the slot tag to the tagged ones (lib/store.h), in one script.  Runs on
-- a single Redis only (the old names lie in other slots);
-- autenticacao-admin migrate-keys.
--
-- KEYS[1..5]   P user:<name>, P user-sessions:<name>, P fail:{u:<name>},
--              P ban:{u:<name>}, P known:{u:<name>}
-- KEYS[6..10]  their new names, in the same order
-- ARGV[1]      now (unix seconds)
-- Answers {users, keys, conflicts}:
--   conflicts 1: both names of the user record exist (a user was made
--   under the new name meanwhile): nothing moves, users = keys = 0.
--   Otherwise the record is renamed (users 1, or 0 when there was none)
--   and each other old key moves (keys counts them): renamed when its
--   new name is free; when both exist (a service of this version already
--   counted a failure or a success), a sorted set (index, known
--   addresses) is merged into the new one, keeping each member's later
--   score and the later expiry, and a counter or ban keeps the new one.
local now = tonumber(ARGV[1])

if redis.call('EXISTS', KEYS[1]) == 1 and
    redis.call('EXISTS', KEYS[6]) == 1 then
  return {0, 0, 1}
end

-- Merge the old sorted set (or, for an index of the oldest form, set) o
-- into the sorted set n, then drop o.
local function merge(o, n)
  local ttl = math.max(redis.call('PTTL', o), redis.call('PTTL', n))
  if redis.call('TYPE', o).ok == 'set' then
    local score = now + math.floor(math.max(ttl, 0) / 1000)
    for _, id in ipairs(redis.call('SMEMBERS', o)) do
      if not redis.call('ZSCORE', n, id) then
        redis.call('ZADD', n, score, id)
      end
    end
  else
    local m = redis.call('ZRANGE', o, 0, -1, 'WITHSCORES')
    for i = 1, #m, 2 do
      redis.call('ZADD', n, 'GT', m[i + 1], m[i])
    end
  end
  if ttl > 0 then redis.call('PEXPIRE', n, ttl) end
  redis.call('DEL', o)
end

local users, keys = 0, 0
for i = 1, 5 do
  local o, n = KEYS[i], KEYS[i + 5]
  if redis.call('EXISTS', o) == 1 then
    if redis.call('EXISTS', n) == 0 then
      redis.call('RENAME', o, n)
    elseif i == 2 or i == 5 then
      merge(o, n)
    else
      redis.call('DEL', o)
    end
    if i == 1 then users = 1 else keys = keys + 1 end
  end
end
return {users, keys, 0}
