-- attempt_undo.lua - take back one counted attempt (it succeeded, or it
-- was refused for another subject's ban).
--
-- KEYS[1]  P fail:{<kind>:<subject>}
-- Returns LUA_DONE.
local LUA_DONE = 1

if redis.call('EXISTS', KEYS[1]) == 1 and
    redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('DEL', KEYS[1])
end
return LUA_DONE
