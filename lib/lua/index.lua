-- index.lua - the per-user session index, included by the scripts that
-- write it (--@include).
--
-- P user-sessions:{T}<name> is a sorted set: session id -> that session's
-- end (sexp, unix seconds).  Every write drops the entries whose end has
-- passed, so the index holds about as many ids as the user has live
-- sessions, and the key expires at the latest end it holds.  Indexes
-- written before this form were plain sets that expired at the latest
-- end of their user's sessions; index_upgrade() converts one on its first
-- write, scoring each id with that expiry (an upper bound of its end).

-- Convert the older SET form of index k, if that is what k holds.
local function index_upgrade(k, now, session_ttl)
  if redis.call('TYPE', k).ok ~= 'set' then return end
  local ids = redis.call('SMEMBERS', k)
  local ttl = redis.call('TTL', k)
  local score = now + session_ttl
  if ttl >= 0 then score = now + ttl end
  redis.call('DEL', k)
  for _, id in ipairs(ids) do
    redis.call('ZADD', k, score, id)
  end
end

-- Drop the ids of sessions that ended at or before now, and make k expire
-- at the latest end it still holds (gone when empty).
local function index_prune(k, now)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  local last = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('EXPIREAT', k, last[2]) end
end

-- Drop id from index k, in either form.
local function index_rem(k, id)
  if redis.call('TYPE', k).ok == 'set' then
    redis.call('SREM', k, id)
  else
    redis.call('ZREM', k, id)
  end
end
