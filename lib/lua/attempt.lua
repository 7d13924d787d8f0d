-- attempt.lua - one password check of a subject (a user name or a client
-- address) is about to run.
--
-- KEYS[1]  P fail:{<kind>:<subject>}  attempt counter
-- KEYS[2]  P ban:{<kind>:<subject>}   ban (same hash tag, same slot)
-- ARGV     failure_window, max_failures, ban_time (seconds)
-- (A user name's attempt, with the known-address exemption, is counted by
-- login_begin.lua.)
-- Returns the milliseconds left on the subject's ban (-1 for a ban without
-- expiry) when it is banned, nothing counted; else counts the attempt (the
-- counter expires failure_window seconds after its first attempt) and,
-- when that makes more than max_failures, bans the subject for ban_time
-- seconds, drops the counter and returns ban_time in milliseconds; else
-- LUA_MAY_TRY.  Counting before the check, not after it, is what keeps
-- parallel guesses within the limit: each one takes a slot first.
local LUA_MAY_TRY = 0

local left = redis.call('PTTL', KEYS[2])
if left ~= -2 then return left end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3]) * 1000
end
return LUA_MAY_TRY
