-- login_begin.lua - a password check of a user is about to run (login,
-- refresh-session): count it for the user name and read the user, in one
-- script on the user's keys.  The address's count (attempt.lua) goes out
-- beside it in the same round trip.
--
-- KEYS[1]  P fail:{T}<name>    the user's attempt counter
-- KEYS[2]  P ban:{T}<name>     the user's ban
-- KEYS[3]  P known:{T}<name>   addresses that logged in as the user
-- KEYS[4]  P user:{T}<name>    the user record (T: its slot tag)
-- ARGV     failure_window, max_failures, ban_time (seconds), the client's
--          address subject ("" for none), now, session_ttl
-- Answers {ban, counted, mcf, disabled, created}.  ban and counted are
-- attempt.lua's decision: ban is the milliseconds left on the user's ban
-- (-1 for one without expiry) or LUA_MAY_TRY; counted is 1 when this
-- attempt was counted (0 for a known address, which is neither counted
-- nor held by the user's ban, and for a ban found).  mcf, disabled and
-- created are the user record's fields (nil for an unknown user), read
-- only when the check may run.
local LUA_MAY_TRY = 0

local function user()
  return redis.call('HMGET', KEYS[4], 'mcf', 'disabled', 'created')
end

local function answer(ban, counted)
  if ban ~= LUA_MAY_TRY then return {ban, counted} end
  local u = user()
  return {ban, counted, u[1], u[2], u[3]}
end

if ARGV[4] ~= '' then
  local seen = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[4]))
  if seen and seen > tonumber(ARGV[5]) - tonumber(ARGV[6]) then
    return answer(LUA_MAY_TRY, 0)
  end
end
local left = redis.call('PTTL', KEYS[2])
if left ~= -2 then return answer(left, 0) end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return answer(tonumber(ARGV[3]) * 1000, 1)
end
return answer(LUA_MAY_TRY, 1)
