-- metrics_add.lua - one worker's batch of counters added to the sums of
-- every worker (docs/API.md "Observability", lib/metrics.c).
--
-- KEYS[1]  P metrics   hash: field -> count, never expires
-- ARGV     field, increment, field, increment, ...  (increments are
--          positive decimal integers, fields names of lib/metrics.c)
-- Returns LUA_DONE.  One script, so a batch is added whole or not at all
-- and costs one command however many counters it carries.
local LUA_DONE = 1
for i = 1, #ARGV, 2 do
	redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return LUA_DONE
