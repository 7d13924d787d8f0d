-- same.lua - a part of the scripts that compare token hashes
-- (session_use.lua, session_refresh.lua): same(a, b) is true when the
-- strings a and b are equal, in time that depends on their length only,
-- so a guessed hash learns nothing from how long the compare took.
local function same(a, b)
  if not a or #a ~= #b then return false end
  local d = 0
  for i = 1, #a do
    d = bit.bor(d, bit.bxor(string.byte(a, i), string.byte(b, i)))
  end
  return d == 0
end
