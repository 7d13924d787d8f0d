-- ring.lua - the spent refresh hashes inside a session hash, included by
-- session_refresh.lua and login_finish.lua (--@include).
--
-- Fields of session hash k (see docs/design.md "Rotation and reuse
-- detection"):
--   s:<h16>   unix time at which the refresh hash whose first 16 hex
--             characters are <h16> was spent
--   sn        how many are recorded (at most max = STORE_SPENT_MAX)
-- 16 hex characters are 64 bits: a fresh hash meets a spent prefix of its
-- own session with odds of 64 in 2^64.  Short fields keep a full session
-- inside Redis's compact hash encoding (about 2 KB, not 16 KB).
-- Sessions written before this form kept r<i> slots with whole hashes
-- and s:<hash>; ring_upgrade() rewrites them on their next change.

local function spent_field(h)
  return 's:' .. string.sub(h, 1, 16)
end

-- Rewrite the older form (r<i> and s:<hash> fields) of session k.
local function ring_upgrade(k, max)
  if redis.call('HEXISTS', k, 'r0') == 0 and
      redis.call('HEXISTS', k, 'r' .. (max - 1)) == 0 then
    return
  end
  local n = 0
  for i = 0, max - 1 do
    local h = redis.call('HGET', k, 'r' .. i)
    if h then
      local t = redis.call('HGET', k, 's:' .. h)
      redis.call('HDEL', k, 'r' .. i, 's:' .. h)
      if t then
        redis.call('HSET', k, spent_field(h), t)
        n = n + 1
      end
    end
  end
  redis.call('HSET', k, 'sn', n)
end

-- 1 when another spent hash fits, else nil (the list is full).
local function ring_slot(k, max)
  local n = tonumber(redis.call('HGET', k, 'sn')) or 0
  if n >= max then return nil end
  return 1
end

-- Record hash h as spent at time t; the caller made sure it fits.
local function spend(k, h, t, max)
  if redis.call('HSETNX', k, spent_field(h), t) == 1 then
    redis.call('HINCRBY', k, 'sn', 1)
  end
end

-- When hash h was spent (a number), or nil.
local function spent_at(k, h)
  return tonumber(redis.call('HGET', k, spent_field(h)))
end

-- Forget every spent hash.
local function ring_clear(k, max)
  local d = {}
  for _, f in ipairs(redis.call('HKEYS', k)) do
    if string.sub(f, 1, 2) == 's:' or string.match(f, '^r%d+$') then
      d[#d + 1] = f
    end
  end
  if #d > 0 then redis.call('HDEL', k, unpack(d)) end
  redis.call('HSET', k, 'sn', '0')
end
