-- bench/wrk/common.lua - shared by the wrk scripts of bench/run.sh
-- (loaded with dofile from BENCH_WRK_DIR).
--
-- Environment (set by bench/run.sh):
--   BENCH_POOL      a file of one item per line (what a line holds
--                   depends on the script)
--   BENCH_STOP      stop each thread after this many responses (0: run
--                   for wrk's -d)
--   BENCH_SEED_OUT  when set, every 200 answer body is appended to
--                   BENCH_SEED_OUT.<thread> (the sessions made by a run)
local M = {}

local threads = 0

-- wrk calls setup() once per thread, in the main Lua state: number them.
function M.setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

-- The lines of BENCH_POOL that belong to thread id out of n (every n-th
-- line), as a list of strings.
function M.pool(id, n)
	local path = os.getenv("BENCH_POOL")
	local list, i = {}, 0
	if not path then return list end
	for line in io.lines(path) do
		if line ~= "" then
			if i % n == id then list[#list + 1] = line end
			i = i + 1
		end
	end
	return list
end

-- Split a pool line into its blank-separated fields.
function M.fields(line)
	local t = {}
	for f in string.gmatch(line, "%S+") do t[#t + 1] = f end
	return t
end

local stop = tonumber(os.getenv("BENCH_STOP") or "0") or 0
local seed = os.getenv("BENCH_SEED_OUT")
local seedf = nil
local answered = 0

-- Count a response; write it to the seed file; stop the thread after
-- BENCH_STOP responses.
function M.response(status, body)
	answered = answered + 1
	if seed and status == 200 then
		if not seedf then seedf = io.open(seed .. "." .. id, "a") end
		seedf:write(body:gsub("\n", " "), "\n")
		seedf:flush()
	end
	if stop > 0 and answered >= stop then wrk.thread:stop() end
end

return M
