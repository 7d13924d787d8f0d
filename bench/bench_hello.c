/*
 * bench_hello.c - the ceiling a FastCGI responder can reach on this
 * machine, for `make bench`; built there, never installed.
 *
 * A libfcgi accept loop like the service's: each request's body is read
 * (up to CONTENT_LENGTH, at most BODY_MAX bytes) and a fixed JSON object
 * is written.  With BENCH_HELLO_REDIS_PORT set, each request first makes
 * one Redis round trip on a connection kept open across requests: an HMGET
 * of the fields a session read asks for, on key BENCH_HELLO_REDIS_KEY
 * (default "bench:hello"), so the ceiling of a token check is a responder
 * doing nothing but that read.  A lost connection is reopened on the next
 * request; a failed read answers 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <hiredis.h>

#define BODY_MAX	65536

static redisContext	*rc;

/* One Redis round trip; 0 when it answered, -1 otherwise. */
static int
redis_read(int port, const char *key)
{
	redisReply	*r;
	int		 ok;

	if (rc == NULL || rc->err != 0) {
		if (rc != NULL)
			redisFree(rc);
		if ((rc = redisConnect("127.0.0.1", port)) == NULL)
			return -1;
		if (rc->err != 0)
			return -1;
	}
	r = redisCommand(rc, "HMGET %s user created sexp aexp ah ch rh", key);
	if (r == NULL)
		return -1;
	ok = r->type == REDIS_REPLY_ARRAY;
	freeReplyObject(r);
	return ok ? 0 : -1;
}

int
main(void)
{
	static char	 body[BODY_MAX];
	FCGX_Request	 req;
	const char	*p, *key;
	long		 len;
	int		 port = 0, n;

	if ((p = getenv("BENCH_HELLO_REDIS_PORT")) != NULL)
		port = atoi(p);
	if ((key = getenv("BENCH_HELLO_REDIS_KEY")) == NULL)
		key = "bench:hello";
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		p = FCGX_GetParam("CONTENT_LENGTH", req.envp);
		len = p != NULL ? strtol(p, NULL, 10) : 0;
		if (len < 0 || len > BODY_MAX)
			len = BODY_MAX;
		while (len > 0 &&
		    (n = FCGX_GetStr(body, (int)len, req.in)) > 0)
			len -= n;
		if (port > 0 && redis_read(port, key) == -1) {
			FCGX_PutS("Status: 503 Service Unavailable\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"success\":false}\n", req.out);
		} else {
			FCGX_PutS("Status: 200 OK\r\n"
			    "Content-Type: application/json\r\n"
			    "Cache-Control: no-store\r\n\r\n"
			    "{\"success\":true,\"data\":{\"hello\":\"world\"}}\n",
			    req.out);
		}
		FCGX_Finish_r(&req);
	}
	if (rc != NULL)
		redisFree(rc);
	return 0;
}
