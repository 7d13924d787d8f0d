-- bench/wrk/bearer.lua - GET with an "Authorization: Bearer ..." header,
-- round robin over this thread's share of BENCH_POOL (lines holding the
-- whole header value, "Bearer <token>").  Used for GET /session, the
-- authorizer in front of a static file, and the hello-world ceilings
-- (which ignore the header).  See common.lua.
local C = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
setup = C.setup
local tokens, i = {}, 0

function init(args)
	local n = tonumber(os.getenv("BENCH_THREADS") or "1")
	tokens = C.pool(id, n)
	wrk.method = "GET"
end

function request()
	i = i % #tokens + 1
	return wrk.format(nil, nil, { ["Authorization"] = tokens[i] }, nil)
end

function response(status, headers, body) C.response(status, body) end
