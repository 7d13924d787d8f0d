-- bench/wrk/refresh_session.lua - POST /refresh-session, round robin over
-- this thread's share of BENCH_POOL (lines "<sessionId> <username>
-- <password>").  refresh-session keeps the sessionId, so a session can be
-- renewed any number of times.  See common.lua.
local C = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
setup = C.setup
local bodies, i = {}, 0

function init(args)
	local n = tonumber(os.getenv("BENCH_THREADS") or "1")
	for _, line in ipairs(C.pool(id, n)) do
		local f = C.fields(line)
		bodies[#bodies + 1] = string.format(
		    '{"sessionId":"%s","username":"%s","password":"%s"}',
		    f[1], f[2], f[3])
	end
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	i = i % #bodies + 1
	return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body) C.response(status, body) end
