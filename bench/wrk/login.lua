-- bench/wrk/login.lua - POST /login, round robin over the users of
-- BENCH_POOL (lines "<username> <password>").  See common.lua.
local C = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
setup = C.setup
local bodies, i = {}, 0

function init(args)
	for _, line in ipairs(C.pool(0, 1)) do
		local f = C.fields(line)
		bodies[#bodies + 1] = string.format(
		    '{"username":"%s","password":"%s"}', f[1], f[2])
	end
	i = id
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	i = i % #bodies + 1
	return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body) C.response(status, body) end
