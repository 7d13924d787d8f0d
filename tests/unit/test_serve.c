/*
 * test_serve.c - one request through lib/serve.c, and through it
 * lib/session.c, lib/credentials.c and lib/regulation.c, against a real
 * redis-server: the handlers driven with tests/fake_io.h, the answers
 * read back as JSON, Redis looked at through the store; CORS headers
 * with cors_origins set.
 *
 * The suite runner starts a throwaway redis-server on a free loopback port
 * and exports the port as AUT_TEST_REDIS_PORT.  Without it this test
 * fails: it never skips.  Every key lives under a per-run prefix
 * "t-serve-<pid>:"; the prefix is dropped at the end.  Passwords are
 * hashed at a cheap cost (N=16 r=1 p=1) so the checks take no time.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "cfg.h"
#include "credentials.h"
#include "err.h"
#include "log.h"
#include "passwd.h"
#include "regulation.h"
#include "serve.h"
#include "session.h"
#include "store.h"
#include "token.h"

#include "../fake_io.h"

#define API	"/api/v1/autenticacao"

static struct cfg	 cfg;
static struct store	*st;
static struct fake_io	 F;
static struct http_io	 IO = FAKE_IO(&F);
static char		 body[2048], clen[32];
static int		 nuser;		/* makes user names unique per test */
/* Origin and Access-Control-Request-Method of the next requests (NULL:
 * none). */
static const char	*req_origin, *req_acrm;

/* The answer of the last request. */
struct answer {
	int			 status;
	struct json_object	*json;		/* the body, NULL if none */
	char			 head[1024];	/* the header lines */
};
static struct answer	 A;

static void
answer_free(void)
{
	if (A.json != NULL)
		json_object_put(A.json);
	memset(&A, 0, sizeof(A));
}

/* Parse F.out into A: the Status line, the headers and the JSON body (of
 * an answer whose Content-Type is JSON). */
static void
answer_parse(void)
{
	const char	*end;
	size_t		 hl;

	answer_free();
	assert_int_equal(strncmp(F.out, "Status: ", 8), 0);
	A.status = atoi(F.out + 8);
	end = strstr(F.out, "\r\n\r\n");
	assert_non_null(end);
	hl = (size_t)(end - F.out);
	assert_true(hl < sizeof(A.head));
	memcpy(A.head, F.out, hl);
	A.head[hl] = '\0';
	if (end[4] != '\0' && strstr(A.head, "application/json") != NULL) {
		A.json = json_tokener_parse(end + 4);
		assert_non_null(A.json);
	}
}

/*
 * Serve one request: method, route (under API), optional JSON body,
 * optional Authorization value, client address (NULL: a fresh one, so
 * that regulation counts only the user names); the answer into A.
 */
static void
request(const char *method, const char *route, const char *json,
    const char *authz, const char *addr, int authorizer)
{
	static char	 info[128], fresh[32];
	static int	 nreq;

	if (addr == NULL) {
		nreq++;
		snprintf(fresh, sizeof(fresh), "10.%d.%d.%d",
		    (nreq >> 16) & 255, (nreq >> 8) & 255, nreq & 255);
		addr = fresh;
	}

	fake_io_reset(&F);
	fake_io_set(&F, "REQUEST_METHOD", method);
	fake_io_set(&F, "SCRIPT_NAME", API);
	snprintf(info, sizeof(info), "/%s", route);
	fake_io_set(&F, "PATH_INFO", info);
	fake_io_set(&F, "REQUEST_URI", info);
	fake_io_set(&F, "REMOTE_ADDR", addr);
	if (json != NULL) {
		snprintf(body, sizeof(body), "%s", json);
		snprintf(clen, sizeof(clen), "%zu", strlen(body));
		fake_io_set(&F, "CONTENT_TYPE", "application/json");
		fake_io_set(&F, "CONTENT_LENGTH", clen);
		F.body = body;
		F.bodylen = strlen(body);
	}
	fake_io_set(&F, "HTTP_AUTHORIZATION", authz);
	fake_io_set(&F, "HTTP_ORIGIN", req_origin);
	fake_io_set(&F, "HTTP_ACCESS_CONTROL_REQUEST_METHOD", req_acrm);
	if (authorizer)
		fake_io_set(&F, "FCGI_ROLE", "AUTHORIZER");
	serve(&cfg, st, &IO);
	answer_parse();
}

/* A string of the answer's data (or error) object; NULL if absent. */
static const char *
answer_str(const char *obj, const char *key)
{
	struct json_object	*o, *v;

	if (A.json == NULL || !json_object_object_get_ex(A.json, obj, &o) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void
assert_error(int status, const char *code)
{
	assert_int_equal(A.status, status);
	assert_non_null(answer_str("error", "code"));
	assert_string_equal(answer_str("error", "code"), code);
}

/* A fresh user name for this test, created with password pw (enabled),
 * hashed at cost n/1/1. */
static const char *
user_new(const char *pw, uint64_t n)
{
	static char		 name[32];
	struct pw_cost		 c = { n, 1, 1 };
	char			 mcf[PW_MCF_MAX];

	snprintf(name, sizeof(name), "ana%d", ++nuser);
	assert_int_equal(pw_hash(pw, strlen(pw), &c, mcf), 0);
	assert_int_equal(store_user_add(st, name, strlen(name), mcf,
	    (long)time(NULL)), ERR_OK);
	return name;
}

/* Tokens of the last token answer. */
struct toks {
	char	sid[LIM_TOKEN_MAX + 1];
	char	a[LIM_TOKEN_MAX + 8], c[LIM_TOKEN_MAX + 8];
	char	r[LIM_TOKEN_MAX + 8];	/* "Bearer <refresh>" */
};

static void
toks_take(struct toks *t)
{
	assert_int_equal(A.status, 200);
	assert_non_null(answer_str("data", "sessionId"));
	snprintf(t->sid, sizeof(t->sid), "%s", answer_str("data",
	    "sessionId"));
	snprintf(t->a, sizeof(t->a), "%s", answer_str("data",
	    "authorization"));
	snprintf(t->c, sizeof(t->c), "%s", answer_str("data",
	    "authorizationCorban"));
	snprintf(t->r, sizeof(t->r), "%s", answer_str("data",
	    "refreshToken"));
	assert_int_equal(strncmp(t->a, "Bearer ", 7), 0);
	assert_int_equal(strncmp(t->r, "Bearer ", 7), 0);
}

static void
login(const char *user, const char *pw, struct toks *t)
{
	char	 j[512];

	snprintf(j, sizeof(j), "{\"username\":\"%s\",\"password\":\"%s\"}",
	    user, pw);
	request("POST", "login", j, NULL, NULL, 0);
	if (t != NULL)
		toks_take(t);
}

static void
refresh_token(const char *sid, const char *refresh)
{
	char	 j[768];

	snprintf(j, sizeof(j), "{\"sessionId\":\"%s\",\"refreshToken\":"
	    "\"%s\"}", sid, refresh);
	request("POST", "refresh-token", j, NULL, NULL, 0);
}

/* ---- set-up ---- */

static int
setup(void **state)
{
	const char	*p = getenv("AUT_TEST_REDIS_PORT");

	(void)state;
	cfg_defaults(&cfg);
	snprintf(cfg.redis_host, sizeof(cfg.redis_host), "127.0.0.1");
	cfg.redis_port = atoi(p);
	snprintf(cfg.key_prefix, sizeof(cfg.key_prefix), "t-serve-%d:",
	    (int)getpid());
	cfg.scrypt_n = 16;
	cfg.scrypt_r = 1;
	cfg.scrypt_p = 1;
	cfg.max_failures = 3;
	cfg.refresh_reuse_grace = 0;
	if ((st = store_open(&cfg)) == NULL)
		return -1;
	return store_ping(st) == ERR_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	char	 cmd[640];

	(void)state;
	answer_free();
	store_close(st);
	snprintf(cmd, sizeof(cmd), "redis-cli -p %d --scan --pattern "
	    "'%s*' | xargs -r redis-cli -p %d DEL >/dev/null", cfg.redis_port,
	    cfg.key_prefix, cfg.redis_port);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the route table ---- */

static void
test_unknown_route_and_method(void **state)
{
	(void)state;
	request("GET", "nope", NULL, NULL, NULL, 0);
	assert_error(404, "NOT_FOUND");
	request("GET", "login", NULL, NULL, NULL, 0);
	assert_error(405, "METHOD_NOT_ALLOWED");
	assert_non_null(strstr(A.head, "Allow: POST"));
}

static void
test_every_route_answers(void **state)
{
	char	 path[64];
	size_t	 i, n;

	(void)state;
	/* Each row of the table is reached with its own method: a bodyless
	 * route without a token, a body route with an empty object; a prefix
	 * route with an id after it. */
	for (i = 0; i < serve_nroutes; i++) {
		n = strlen(serve_routes[i].name);
		snprintf(path, sizeof(path), "%s%s", serve_routes[i].name,
		    serve_routes[i].name[n - 1] == '/' ?
		    "AAAAAAAAAAAAAAAAAAAAAA" : "");
		request(serve_routes[i].method, path,
		    serve_routes[i].fields != 0 ? "{}" : NULL, NULL, NULL, 0);
		if (strcmp(serve_routes[i].name, "metrics") == 0)
			assert_error(404, "NOT_FOUND");	/* metrics = off */
		else if (serve_routes[i].fields != 0)
			assert_error(400, "MISSING_FIELD");
		else if (serve_routes[i].bearer)
			assert_error(401, "INVALID_TOKEN");
		else
			assert_int_equal(A.status, 200);
	}
}

/*
 * GET /metrics: 404 NOT_FOUND with metrics off, or for an address outside
 * metrics_allow whatever the method; 200 in the Prometheus text format
 * for an address inside; 405 for another method from inside.
 */
static void
test_metrics_route_hidden(void **state)
{
	struct addr_net	 net;

	(void)state;
	assert_int_equal(addr_net_parse("192.0.2.0/24", &net), 0);
	cfg.metrics = 1;
	cfg.metrics_allow[0] = net;
	cfg.metrics_allow_len = 1;
	request("GET", "metrics", NULL, NULL, "198.51.100.1", 0);
	assert_error(404, "NOT_FOUND");
	request("POST", "metrics", NULL, NULL, "198.51.100.1", 0);
	assert_error(404, "NOT_FOUND");
	request("POST", "metrics", NULL, NULL, "192.0.2.7", 0);
	assert_error(405, "METHOD_NOT_ALLOWED");
	request("GET", "metrics", NULL, NULL, "192.0.2.7", 0);
	assert_int_equal(A.status, 200);
	assert_non_null(strstr(A.head,
	    "Content-Type: text/plain; version=0.0.4"));
	assert_null(A.json);
	assert_non_null(strstr(F.out,
	    "\r\n\r\n# HELP autenticacao_requests_total "));
	cfg.metrics = 0;
	request("GET", "metrics", NULL, NULL, "192.0.2.7", 0);
	assert_error(404, "NOT_FOUND");
	cfg.metrics_allow_len = 0;
}

/* ---- credentials ---- */

static void
test_login_creates_a_session(void **state)
{
	struct store_session	 s;
	struct toks		 t;
	const char		*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	assert_int_equal(strlen(t.sid), TOK_SID_LEN);
	assert_int_equal(store_session_get(st, t.sid, strlen(t.sid), &s),
	    ERR_OK);
	assert_string_equal(s.user, u);
	/* Redis keeps the hash of a token, never the token. */
	assert_string_not_equal(s.authorization_hash, t.a + 7);
	request("GET", "session", NULL, t.a, NULL, 0);
	assert_int_equal(A.status, 200);
	assert_string_equal(answer_str("data", "username"), u);
}

static void
test_wrong_unknown_disabled_look_alike(void **state)
{
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "wrong", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
	login("nobody-here", "s3cret", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
	assert_int_equal(store_user_set_disabled(st, u, strlen(u), 1),
	    ERR_OK);
	login(u, "s3cret", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
}

static void
test_login_rehashes_a_cheaper_hash(void **state)
{
	struct store_user	 before, after;
	const char		*u;

	(void)state;
	cfg.scrypt_n = 32;
	u = user_new("s3cret", 16);
	assert_int_equal(store_user_get(st, u, strlen(u), &before), ERR_OK);
	login(u, "s3cret", NULL);
	assert_int_equal(A.status, 200);
	assert_int_equal(store_user_get(st, u, strlen(u), &after), ERR_OK);
	cfg.scrypt_n = 16;
	assert_string_not_equal(before.mcf, after.mcf);
	/* $s1$NNrrpp$: log2(N) = 5 now. */
	assert_int_equal(strncmp(after.mcf, "$s1$050101$", 11), 0);
	login(u, "s3cret", NULL);
	assert_int_equal(A.status, 200);
}

/* A fresh user name for this test whose stored hash is mcf, as
 * autenticacao-admin import-htpasswd writes it. */
static const char *
user_with_hash(const char *mcf)
{
	static char	 name[32];

	snprintf(name, sizeof(name), "ana%d", ++nuser);
	assert_int_equal(store_user_add(st, name, strlen(name), mcf,
	    (long)time(NULL)), ERR_OK);
	return name;
}

/* The bcrypt hash (cost 5) that htpasswd -B makes of pw now, into out. */
static void
htpasswd_bcrypt(const char *pw, char out[PW_MCF_MAX])
{
	char	 cmd[256], line[PW_MCF_MAX + 64];
	FILE	*f;

	snprintf(cmd, sizeof(cmd), "htpasswd -nbB u '%s'", pw);
	assert_non_null(f = popen(cmd, "r"));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	assert_int_equal(pclose(f), 0);
	line[strcspn(line, "\r\n")] = '\0';
	assert_int_equal(strncmp(line, "u:$2y$05$", 9), 0);
	assert_true(strlen(line + 2) < PW_MCF_MAX);
	memcpy(out, line + 2, strlen(line + 2) + 1);
}

/*
 * A stored bcrypt hash: a wrong password is 401 and changes nothing; the
 * right one is 200 and leaves a $s1$ at the configured cost in its place,
 * which the next login checks.
 */
static void
test_login_upgrades_a_foreign_hash(void **state)
{
	struct store_user	 u1, u2;
	char			 h[PW_MCF_MAX];
	const char		*u;

	(void)state;
	htpasswd_bcrypt("s3cret", h);
	u = user_with_hash(h);
	login(u, "s3cre", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
	assert_int_equal(store_user_get(st, u, strlen(u), &u1), ERR_OK);
	assert_string_equal(u1.mcf, h);

	login(u, "s3cret", NULL);
	assert_int_equal(A.status, 200);
	assert_int_equal(store_user_get(st, u, strlen(u), &u1), ERR_OK);
	/* $s1$NNrrpp$ at N=16 r=1 p=1. */
	assert_int_equal(strncmp(u1.mcf, "$s1$040101$", 11), 0);
	assert_int_equal(pw_check(u1.mcf, "s3cret", 6, NULL), PW_MATCH);

	login(u, "s3cret", NULL);
	assert_int_equal(A.status, 200);
	assert_int_equal(store_user_get(st, u, strlen(u), &u2), ERR_OK);
	assert_string_equal(u2.mcf, u1.mcf);
	login(u, "s3cre", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
}

/* A check of name's password pw that matched mcf, as cred_check leaves
 * it (no address). */
static void
cred_of(struct cred *c, const char *mcf)
{

	memset(c, 0, sizeof(*c));
	snprintf(c->mcf, sizeof(c->mcf), "%s", mcf);
	memcpy(c->net, "-", 2);
}

/* The login write of test_commit_*: session_login into sid. */
struct commit_w {
	char			 sid[TOK_SID_LEN + 1];
	struct session_tokens	 t;
};

static enum err
commit_write(struct store *s, const struct store_cred *sc, void *arg,
    struct store_user *now_u, enum err *now_e)
{
	struct commit_w	*w = arg;

	return session_login(s, sc, (long)time(NULL), NULL, w->sid, &w->t,
	    now_u, now_e);
}

/*
 * The write after the check with a foreign hash that matched: the stored
 * hash replaced by another password's (a passwd or import that won over
 * the upgrade) writes no session; by the same password's, it is checked
 * again and the session is written.
 */
static void
test_commit_after_a_foreign_match(void **state)
{
	struct store_session	 s;
	struct commit_w		 w;
	struct cred		 c;
	char			 h[PW_MCF_MAX], other[PW_MCF_MAX];
	const char		*name;

	(void)state;
	htpasswd_bcrypt("s3cret", h);
	name = user_with_hash(h);
	htpasswd_bcrypt("s3cret", other);
	assert_int_equal(store_user_set_hash(st, name, strlen(name), other),
	    ERR_OK);
	cred_of(&c, h);
	memset(&w, 0, sizeof(w));
	assert_int_equal(cred_commit(st, &c, name, strlen(name), "s3cret", 6,
	    commit_write, &w), ERR_OK);
	assert_int_equal(store_session_get(st, w.sid, TOK_SID_LEN, &s),
	    ERR_OK);

	htpasswd_bcrypt("n3w-pw", other);
	assert_int_equal(store_user_set_hash(st, name, strlen(name), other),
	    ERR_OK);
	cred_of(&c, h);
	memset(&w, 0, sizeof(w));
	assert_int_equal(cred_commit(st, &c, name, strlen(name), "s3cret", 6,
	    commit_write, &w), ERR_INVALID_CREDENTIALS);
	assert_int_equal(store_session_get(st, w.sid, TOK_SID_LEN, &s),
	    ERR_SESSION_NOT_FOUND);
}

/* A user disabled or removed during the check gets no session. */
static void
test_commit_writes_nothing_for_a_changed_user(void **state)
{
	struct store_session	 s;
	struct store_user	 u;
	struct commit_w		 w;
	struct cred		 c;
	const char		*name;

	(void)state;
	name = user_new("s3cret", 16);
	assert_int_equal(store_user_get(st, name, strlen(name), &u), ERR_OK);
	cred_of(&c, u.mcf);
	memset(&w, 0, sizeof(w));
	assert_int_equal(cred_commit(st, &c, name, strlen(name), "s3cret", 6,
	    commit_write, &w), ERR_OK);
	assert_int_equal(store_session_get(st, w.sid, TOK_SID_LEN, &s),
	    ERR_OK);
	/* Disabled between the check and the write: nothing written. */
	assert_int_equal(store_user_set_disabled(st, name, strlen(name), 1),
	    ERR_OK);
	cred_of(&c, u.mcf);
	memset(&w, 0, sizeof(w));
	assert_int_equal(cred_commit(st, &c, name, strlen(name), "s3cret", 6,
	    commit_write, &w), ERR_INVALID_CREDENTIALS);
	assert_int_equal(store_session_get(st, w.sid, TOK_SID_LEN, &s),
	    ERR_SESSION_NOT_FOUND);
	/* Removed: the same. */
	assert_int_equal(store_user_del(st, name, strlen(name)), ERR_OK);
	cred_of(&c, u.mcf);
	memset(&w, 0, sizeof(w));
	assert_int_equal(cred_commit(st, &c, name, strlen(name), "s3cret", 6,
	    commit_write, &w), ERR_INVALID_CREDENTIALS);
	assert_int_equal(store_session_get(st, w.sid, TOK_SID_LEN, &s),
	    ERR_SESSION_NOT_FOUND);
}

/* ---- regulation ---- */

static void
test_failures_ban_the_user(void **state)
{
	const char	*u;
	int		 i, found;

	(void)state;
	u = user_new("s3cret", 16);
	for (i = 0; i < 3; i++) {
		login(u, "wrong", NULL);
		assert_error(401, "INVALID_CREDENTIALS");
	}
	/* The fourth check is refused before it runs, right or wrong. */
	login(u, "s3cret", NULL);
	assert_error(429, "TOO_MANY_ATTEMPTS");
	assert_non_null(strstr(A.head, "Retry-After: "));
	assert_int_equal(reg_unban(st, u, strlen(u), &found), ERR_OK);
	assert_true(found);
	login(u, "s3cret", NULL);
	assert_int_equal(A.status, 200);
}

static void
test_success_forgets_failures(void **state)
{
	const char	*u;
	int		 i;

	(void)state;
	u = user_new("s3cret", 16);
	for (i = 0; i < 10; i++) {
		login(u, i % 3 == 2 ? "s3cret" : "wrong", NULL);
		assert_int_equal(A.status, i % 3 == 2 ? 200 : 401);
	}
}

static void
test_ipv6_counted_by_its_64(void **state)
{
	char		 j[256], net[ADDR_TEXT_MAX + 1];
	const char	*addrs[] = { "2001:db8:5:6::1", "2001:db8:5:6::2",
	    "2001:db8:5:6:ffff::3", "2001:db8:5:6::4" };
	int		 i, found;

	(void)state;
	reg_subject("2001:db8:5:6:aaaa::1", net);
	assert_string_equal(net, "2001:db8:5:6::/64");
	/* Four names from four addresses of one /64: the fourth attempt
	 * finds the network banned. */
	for (i = 0; i < 4; i++) {
		snprintf(j, sizeof(j), "{\"username\":\"ghost%d-%d\","
		    "\"password\":\"x\"}", nuser, i);
		request("POST", "login", j, NULL, addrs[i], 0);
		if (i < 3)
			assert_error(401, "INVALID_CREDENTIALS");
		else
			assert_error(429, "TOO_MANY_ATTEMPTS");
	}
	/* Another /64 may still try. */
	request("POST", "login", j, NULL, "2001:db8:5:7::1", 0);
	assert_error(401, "INVALID_CREDENTIALS");
	/* unban of one address lifts its /64. */
	assert_int_equal(reg_unban(st, addrs[0], strlen(addrs[0]), &found),
	    ERR_OK);
	assert_true(found);
	request("POST", "login", j, NULL, addrs[3], 0);
	assert_error(401, "INVALID_CREDENTIALS");
}

/* ---- sessions ---- */

static void
test_refresh_session_keeps_the_id(void **state)
{
	struct toks	 t, n;
	char		 j[512];
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	snprintf(j, sizeof(j), "{\"sessionId\":\"%s\",\"username\":\"%s\","
	    "\"password\":\"s3cret\"}", t.sid, u);
	request("POST", "refresh-session", j, NULL, NULL, 0);
	toks_take(&n);
	assert_string_equal(n.sid, t.sid);
	assert_string_not_equal(n.a, t.a);
	request("GET", "session", NULL, t.a, NULL, 0);
	assert_error(401, "INVALID_TOKEN");
	request("GET", "session", NULL, n.c, NULL, 0);
	assert_int_equal(A.status, 200);
	assert_string_equal(answer_str("data", "tokenType"),
	    "authorizationCorban");
	/* Another user's session is a missing one. */
	snprintf(j, sizeof(j), "{\"sessionId\":\"%s\",\"username\":\"%s\","
	    "\"password\":\"s3cret\"}", t.sid, user_new("s3cret", 16));
	request("POST", "refresh-session", j, NULL, NULL, 0);
	assert_error(404, "SESSION_NOT_FOUND");
}

static void
test_rotation_and_reuse_detection(void **state)
{
	struct toks	 t, n;
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	refresh_token(t.sid, t.r);
	toks_take(&n);
	assert_string_equal(n.sid, t.sid);
	/* The spent refresh token again (grace 0): the session is revoked
	 * (RFC 9700 4.14.2), the tokens of the thief and of the victim die
	 * together. */
	refresh_token(t.sid, t.r);
	assert_error(401, "INVALID_TOKEN");
	refresh_token(n.sid, n.r);
	assert_error(401, "INVALID_TOKEN");
	request("GET", "session", NULL, n.a, NULL, 0);
	assert_error(401, "INVALID_TOKEN");
}

static void
test_reuse_within_grace_is_a_conflict(void **state)
{
	struct toks	 t, n;
	const char	*u;

	(void)state;
	cfg.refresh_reuse_grace = 60;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	refresh_token(t.sid, t.r);
	toks_take(&n);
	refresh_token(t.sid, t.r);
	cfg.refresh_reuse_grace = 0;
	assert_error(409, "REFRESH_CONFLICT");
	request("GET", "session", NULL, n.a, NULL, 0);
	assert_int_equal(A.status, 200);
}

static void
test_refresh_token_of_another_session(void **state)
{
	struct toks	 t1, t2;
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t1);
	login(u, "s3cret", &t2);
	refresh_token(t1.sid, t2.r);
	assert_error(401, "INVALID_TOKEN");
	refresh_token(t1.sid, t1.r);
	assert_int_equal(A.status, 200);
}

static void
test_logout_ends_the_session(void **state)
{
	struct toks	 t;
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	/* logout takes the authorization token only. */
	request("POST", "logout", NULL, t.c, NULL, 0);
	assert_error(401, "INVALID_TOKEN");
	request("POST", "logout", NULL, t.a, NULL, 0);
	assert_int_equal(A.status, 200);
	assert_string_equal(answer_str("data", "sessionId"), t.sid);
	request("GET", "session", NULL, t.c, NULL, 0);
	assert_error(401, "INVALID_TOKEN");
	refresh_token(t.sid, t.r);
	assert_error(401, "INVALID_TOKEN");
}

static void
test_authorizer_role(void **state)
{
	struct toks	 t;
	char		 want[LIM_TOKEN_MAX + 64];
	const char	*u;

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	request("GET", "anything", NULL, t.a, NULL, 1);
	assert_int_equal(A.status, 200);
	snprintf(want, sizeof(want), "Variable-AUTH_USER: %s\r\n", u);
	assert_non_null(strstr(F.out, want));
	snprintf(want, sizeof(want), "Variable-AUTH_SESSION_ID: %s", t.sid);
	assert_non_null(strstr(F.out, want));
	/* authorizer_token = authorization (the default): not the Corban
	 * token. */
	request("GET", "anything", NULL, t.c, NULL, 1);
	assert_error(401, "INVALID_TOKEN");
	request("GET", "anything", NULL, NULL, NULL, 1);
	assert_error(401, "INVALID_TOKEN");
}

/* 1 if the last answer's header block has the line "Name: value". */
static int
has_header(const char *line)
{
	char	 want[512];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(F.out, want) != NULL;
}

/*
 * cors_origins set: OPTIONS on a route is its preflight (204, the allow
 * headers only for the allowed Origin and the route's method); the
 * endpoints' answers to that Origin, errors included, carry the CORS
 * headers; the authorizer's never do; unset, OPTIONS is 405 again.
 */
static void
test_cors(void **state)
{
	struct toks	 t;
	const char	*u;

	(void)state;
	snprintf(cfg.cors_origins[0], sizeof(cfg.cors_origins[0]),
	    "http://127.0.0.1:3000");
	cfg.cors_origins_len = 1;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);

	req_origin = "http://127.0.0.1:3000";
	req_acrm = "POST";
	request("OPTIONS", "login", NULL, NULL, NULL, 0);
	assert_int_equal(A.status, 204);
	assert_null(A.json);
	assert_true(has_header("Access-Control-Allow-Origin: "
	    "http://127.0.0.1:3000"));
	assert_true(has_header("Access-Control-Allow-Methods: POST"));
	assert_true(has_header("Access-Control-Allow-Headers: "
	    "Authorization, Content-Type"));
	assert_true(has_header("Access-Control-Max-Age: 600"));
	assert_true(has_header("Vary: Origin"));
	assert_null(strstr(F.out, "Credentials"));
	/* Not the route's method: 204 without the headers. */
	request("OPTIONS", "session", NULL, NULL, NULL, 0);
	assert_int_equal(A.status, 204);
	assert_null(strstr(F.out, "Access-Control-"));
	req_acrm = "GET";
	request("OPTIONS", "session", NULL, NULL, NULL, 0);
	assert_true(has_header("Access-Control-Allow-Methods: GET"));

	/* Answers, success and errors. */
	req_acrm = NULL;
	request("GET", "session", NULL, t.a, NULL, 0);
	assert_int_equal(A.status, 200);
	assert_true(has_header("Access-Control-Allow-Origin: "
	    "http://127.0.0.1:3000"));
	assert_true(has_header("Vary: Origin"));
	assert_true(has_header("Access-Control-Expose-Headers: Retry-After, "
	    "WWW-Authenticate, X-Auth-User, X-Auth-Session-Id"));
	login(u, "wrong", NULL);
	assert_error(401, "INVALID_CREDENTIALS");
	assert_true(has_header("Access-Control-Allow-Origin: "
	    "http://127.0.0.1:3000"));
	request("GET", "login", NULL, NULL, NULL, 0);
	assert_error(405, "METHOD_NOT_ALLOWED");
	assert_true(has_header("Vary: Origin"));
	assert_null(strstr(F.out, "Credentials"));

	/* The authorizer role: no CORS header, whatever the Origin. */
	request("GET", "anything", NULL, t.a, NULL, 1);
	assert_int_equal(A.status, 200);
	assert_null(strstr(F.out, "Access-Control-"));
	assert_null(strstr(F.out, "Vary"));
	request("GET", "anything", NULL, NULL, NULL, 1);
	assert_error(401, "INVALID_TOKEN");
	assert_null(strstr(F.out, "Access-Control-"));

	/* Another origin: the answers carry none of it. */
	req_origin = "http://127.0.0.1:3001";
	request("GET", "session", NULL, t.a, NULL, 0);
	assert_int_equal(A.status, 200);
	assert_null(strstr(F.out, "Access-Control-"));
	assert_null(strstr(F.out, "127.0.0.1:3001"));

	/* Unset: OPTIONS is a 405 again. */
	cfg.cors_origins_len = 0;
	req_origin = "http://127.0.0.1:3000";
	req_acrm = "POST";
	request("OPTIONS", "login", NULL, NULL, NULL, 0);
	assert_error(405, "METHOD_NOT_ALLOWED");
	assert_null(strstr(F.out, "Access-Control-"));
	req_origin = req_acrm = NULL;
}

static void
test_verify_checks_the_ends(void **state)
{
	struct store_session	 s;
	struct toks		 t;
	char			 sid[LIM_TOKEN_MAX + 1];
	const char		*u, *type = NULL;
	long			 now = (long)time(NULL);

	(void)state;
	u = user_new("s3cret", 16);
	login(u, "s3cret", &t);
	assert_int_equal(session_verify(st, &cfg, t.a + 7, strlen(t.a + 7),
	    SESSION_ACCEPT_AUTHORIZATION, now, sid, &s, &type), ERR_OK);
	assert_string_equal(type, "authorization");
	assert_string_equal(sid, t.sid);
	/* Past the access tokens' end, before the session's. */
	assert_int_equal(session_verify(st, &cfg, t.a + 7, strlen(t.a + 7),
	    SESSION_ACCEPT_AUTHORIZATION, now + cfg.access_ttl, sid, &s,
	    &type), ERR_INVALID_TOKEN);
	/* A token that names no session leaves no session id behind. */
	assert_int_equal(session_verify(st, &cfg, "nodot", 5,
	    SESSION_ACCEPT_AUTHORIZATION, now, sid, &s, &type),
	    ERR_INVALID_TOKEN);
	assert_string_equal(sid, "");
}

int
main(void)
{
	const char			*p;
	const struct CMUnitTest		 tests[] = {
		cmocka_unit_test(test_unknown_route_and_method),
		cmocka_unit_test(test_every_route_answers),
		cmocka_unit_test(test_metrics_route_hidden),
		cmocka_unit_test(test_login_creates_a_session),
		cmocka_unit_test(test_wrong_unknown_disabled_look_alike),
		cmocka_unit_test(test_login_rehashes_a_cheaper_hash),
		cmocka_unit_test(test_login_upgrades_a_foreign_hash),
		cmocka_unit_test(test_commit_after_a_foreign_match),
		cmocka_unit_test(
		    test_commit_writes_nothing_for_a_changed_user),
		cmocka_unit_test(test_failures_ban_the_user),
		cmocka_unit_test(test_success_forgets_failures),
		cmocka_unit_test(test_ipv6_counted_by_its_64),
		cmocka_unit_test(test_refresh_session_keeps_the_id),
		cmocka_unit_test(test_rotation_and_reuse_detection),
		cmocka_unit_test(test_reuse_within_grace_is_a_conflict),
		cmocka_unit_test(test_refresh_token_of_another_session),
		cmocka_unit_test(test_logout_ends_the_session),
		cmocka_unit_test(test_authorizer_role),
		cmocka_unit_test(test_cors),
		cmocka_unit_test(test_verify_checks_the_ends),
	};

	p = getenv("AUT_TEST_REDIS_PORT");
	if (p == NULL || atoi(p) <= 0) {
		fprintf(stderr, "test_serve: AUT_TEST_REDIS_PORT is not set: "
		    "this test needs a running redis-server (tests/run.sh "
		    "starts one and exports its port)\n");
		printf("[  FAILED  ] test_serve: no redis-server to test "
		    "against\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init("test_serve");
	return cmocka_run_group_tests(tests, setup, teardown);
}
