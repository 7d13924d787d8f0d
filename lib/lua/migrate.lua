-- migrate.lua - move one user's keys from the names of versions before
-- the slot tag to the tagged ones (lib/store.h), all or none of them in
-- one script.  Runs on a single Redis only (the old names lie in other
-- slots); autenticacao-admin migrate-keys.
--
-- KEYS[1..5]   P user:<name>, P user-sessions:<name>, P fail:{u:<name>},
--              P ban:{u:<name>}, P known:{u:<name>}
-- KEYS[6..10]  their new names, in the same order
-- Answers {users, keys, conflicts}: users 1 when the record moved, keys
-- the other keys moved, conflicts the old keys left where the new name
-- already existed (that user's keys are left as they are).
for i = 1, 5 do
  if redis.call('EXISTS', KEYS[i]) == 1 and
      redis.call('EXISTS', KEYS[i + 5]) == 1 then
    local n = 0
    for j = 1, 5 do n = n + redis.call('EXISTS', KEYS[j]) end
    return {0, 0, n}
  end
end
local users, keys = 0, 0
for i = 1, 5 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('RENAME', KEYS[i], KEYS[i + 5])
    if i == 1 then users = 1 else keys = keys + 1 end
  end
end
return {users, keys, 0}
