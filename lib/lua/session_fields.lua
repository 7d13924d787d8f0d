-- session_fields.lua - the fields every session script answers with, in
-- this order; the C side reads its copy of this list (lua_session_fields,
-- made from this line at build time), so the two cannot drift.  used,
-- addr and ua may be missing (sessions of older versions).
local SESSION_FIELDS = {'user', 'created', 'sexp', 'aexp', 'ah', 'ch', 'rh', 'used', 'addr', 'ua'}

-- true when a session whose last recorded use is used (a number) has
-- passed its idle end at now: idle_ttl (idle) on and used + idle + touch
-- <= now (store_idle_end() in C).
local function idle_over(used, now, idle, touch)
  return idle > 0 and used + idle + touch <= now
end
