-- success.lua - a password check of a user succeeded: forget the user's
-- failures and remember the client address it came from.
--
-- KEYS[1]  P fail:{u:<name>}   the user's attempt counter
-- KEYS[2]  P known:{u:<name>}  sorted set: address subject -> last success
-- ARGV     the client's address subject ("" for none), now, session_ttl
-- Addresses not seen for session_ttl seconds are dropped, and the set
-- expires session_ttl seconds after the last success.  Returns LUA_DONE.
local LUA_DONE = 1

redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then
  local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - ttl))
  redis.call('EXPIRE', KEYS[2], ttl)
end
return LUA_DONE
