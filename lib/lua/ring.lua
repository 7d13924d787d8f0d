-- ring.lua - the ring of spent refresh hashes inside a session hash,
-- included by session_renew.lua and session_rotate.lua (--@include).
--
-- Fields of session hash k (see docs/design.md "Rotation and reuse
-- detection"):
--   s:<hash>  unix time at which <hash> was spent
--   r<i>      the hash held by ring slot i, 0 <= i < max
--   sn        the slot the next spent hash goes to
-- max is STORE_SPENT_MAX, passed by the caller.

-- The slot the next spent hash goes to, or nil when the ring is full.
local function ring_slot(k, max)
  local n = tonumber(redis.call('HGET', k, 'sn')) or 0
  if n < 0 or n >= max then n = 0 end
  if redis.call('HEXISTS', k, 'r' .. n) == 1 then return nil end
  return n
end

-- Record hash h as spent at time t; the caller made sure a slot is free.
local function spend(k, h, t, max)
  local n = ring_slot(k, max)
  redis.call('HSET', k, 'r' .. n, h, 's:' .. h, t, 'sn', (n + 1) % max)
end

-- Forget every spent hash.
local function ring_clear(k, max)
  local f, d = {}, {}
  for i = 0, max - 1 do f[i + 1] = 'r' .. i end
  local old = redis.call('HMGET', k, unpack(f))
  for i = 1, max do
    if old[i] then
      d[#d + 1] = f[i]
      d[#d + 1] = 's:' .. old[i]
    end
  end
  if #d > 0 then redis.call('HDEL', k, unpack(d)) end
  redis.call('HSET', k, 'sn', '0')
end
