-- bench/wrk/refresh_token.lua - POST /refresh-token over real sessions.
-- A refresh token is single-use: each thread keeps a queue of its share
-- of BENCH_POOL (lines "<sessionId> <refreshToken>"), takes the head for
-- a request and puts the session back, with the new refresh token from
-- the answer, when the answer comes.  A session whose answer is not 200
-- leaves the queue (and shows in wrk's non-2xx count).  The pool must
-- hold more sessions than the thread has connections, and few enough
-- rotations per session that none reaches the service's limit of
-- rotations without a password (64).  See common.lua.
local C = dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
setup = C.setup
local q, head, tail = {}, 1, 0

local function push(sid, rt)
	tail = tail + 1
	q[tail] = string.format('{"sessionId":"%s","refreshToken":"%s"}',
	    sid, rt)
end

function init(args)
	local n = tonumber(os.getenv("BENCH_THREADS") or "1")
	for _, line in ipairs(C.pool(id, n)) do
		local f = C.fields(line)
		push(f[1], f[2])
	end
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	local b = q[head]
	if b == nil then
		-- the queue ran dry: an answer will say so (401)
		b = '{"sessionId":"none","refreshToken":"none"}'
	else
		q[head] = nil
		head = head + 1
	end
	return wrk.format(nil, nil, nil, b)
end

function response(status, headers, body)
	if status == 200 then
		local sid = string.match(body, '"sessionId"%s*:%s*"([^"]+)"')
		local rt = string.match(body, '"refreshToken"%s*:%s*"([^"]+)"')
		if sid and rt then push(sid, rt) end
	end
	C.response(status, body)
end
