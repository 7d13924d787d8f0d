-- session_fields.lua - the fields every session script answers with, in
-- this order; the C side reads its copy of this list (lua_session_fields,
-- made from this line at build time), so the two cannot drift.  used,
-- addr and ua may be missing (sessions of older versions).
local SESSION_FIELDS = {'user', 'created', 'sexp', 'aexp', 'ah', 'ch', 'rh', 'used', 'addr', 'ua'}
