-- attempt.lua - one password check of a subject (a user name or a client
-- address) is about to run.
--
-- KEYS[1]  P fail:{<kind>:<subject>}  attempt counter
-- KEYS[2]  P ban:{<kind>:<subject>}   ban (same hash tag, same slot)
-- KEYS[3]  P known:{u:<name>}         (user names only, optional) the
--                                     addresses that logged in as the user
-- ARGV     failure_window, max_failures, ban_time (seconds); with KEYS[3]
--          also the client's address subject, now, session_ttl
-- A client address that logged in as this user less than session_ttl
-- seconds ago is not held by the user's ban, nor counted for it
-- (LUA_MAY_TRY at once): only its own address counter regulates it, so a
-- guesser elsewhere cannot lock the owner out.
-- Returns the milliseconds left on the subject's ban (-1 for a ban without
-- expiry) when it is banned, nothing counted; else counts the attempt (the
-- counter expires failure_window seconds after its first attempt) and,
-- when that makes more than max_failures, bans the subject for ban_time
-- seconds, drops the counter and returns ban_time in milliseconds; else
-- LUA_MAY_TRY.  Counting before the check, not after it, is what keeps
-- parallel guesses within the limit: each one takes a slot first.
local LUA_MAY_TRY = 0

if KEYS[3] and ARGV[4] ~= '' then
  local seen = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[4]))
  if seen and seen > tonumber(ARGV[5]) - tonumber(ARGV[6]) then
    return LUA_MAY_TRY
  end
end
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
