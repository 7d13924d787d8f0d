-- session_del_owned.lua - delete a session if it belongs to a user.
--
-- KEYS[1]  P session:<sid>
-- ARGV[1]  user
-- Returns LUA_DONE when deleted, else LUA_NOTHING.
local LUA_DONE = 1
local LUA_NOTHING = 0

if redis.call('HGET', KEYS[1], 'user') == ARGV[1] and
    redis.call('DEL', KEYS[1]) == 1 then
  return LUA_DONE
end
return LUA_NOTHING
