-- keys.lua - the keys a script names itself (--@include), made by the
-- rules of lib/store.h that the C side (key_user, key_session) applies to
-- the keys it passes in KEYS.  The constants are checked against the C
-- ones at build time.
local LUA_SID_LEN = 26
local LUA_SID_RAND_LEN = 22
local LUA_TAG_LEN = 4

-- P<mid>{T}<name>, from p = P<mid>: the key of user name, T its slot tag
-- (the first LUA_TAG_LEN hex characters of its SHA-1).
local function user_key(p, name)
  return p .. '{' .. string.sub(redis.sha1hex(name), 1, LUA_TAG_LEN) ..
      '}' .. name
end

-- The key of session id, from p = P session:.  An id of LUA_SID_LEN
-- characters ends in its slot tag; any other is an id of a version
-- before the tag, keyed by the whole id.
local function session_key(p, id)
  if #id ~= LUA_SID_LEN then return p .. id end
  return p .. '{' .. string.sub(id, LUA_SID_RAND_LEN + 1) .. '}' ..
      string.sub(id, 1, LUA_SID_RAND_LEN)
end
