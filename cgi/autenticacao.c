/*
 * autenticacao.fcgi - the responder (and FastCGI authorizer).
 *
 * Start-up reads the config once, then one accept loop serves requests:
 * under a FastCGI listening socket (lighttpd bin-path, spawn-fcgi, Apache
 * mod_fcgid) until SIGTERM, with no socket exactly one request as plain CGI
 * (environment + stdin).  Each request takes one path:
 *
 *   http_route -> handler -> [http_body | http_bearer] -> credentials /
 *   store -> reply_* -> log line -> http_req_clear
 *
 * Command-line arguments are ignored: a CGI server may pass a query string
 * as argv (RFC 3875 4.4).  Fatal errors happen only before the first
 * accept; after it every failure is an answer.  Out of memory inside a
 * library we call (hiredis, json-c) is answered as a 500 where the library
 * reports it; the spawner restarts a worker that dies.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <fcgios.h>

#include "cfg.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "passwd.h"
#include "reply.h"
#include "store.h"
#include "token.h"

/* Longest token we mint: "<sid>.<secret>". */
#define MINT_MAX	(LIM_TOKEN_MAX)

/* Everything one request may touch.  Only cfg and store outlive it. */
struct ctx {
	const struct cfg	*cfg;
	struct store		*store;
	const struct http_io	*io;
	struct req		 req;
	long			 now;		/* unix seconds at accept */
	long			 retry_after;	/* for 429 */
	const char		*log_user;	/* user name once known */
	char			 log_sid[9];	/* session id prefix */
	char			 mcf[PW_MCF_MAX]; /* the hash a password matched */
};

/* Three fresh tokens of one session and their hashes. */
struct mint {
	char			 a[MINT_MAX + 1];
	char			 c[MINT_MAX + 1];
	char			 r[MINT_MAX + 1];
	struct store_hashes	 h;
};

typedef enum err (*handler_fn)(struct ctx *);

static enum err	 do_login(struct ctx *);
static enum err	 do_refresh_session(struct ctx *);
static enum err	 do_refresh_token(struct ctx *);
static enum err	 do_logout(struct ctx *);
static enum err	 do_session(struct ctx *);
static enum err	 do_health(struct ctx *);

/* The route table: parallel to enum route (http.h). */
static const struct {
	handler_fn	 fn;
	unsigned	 fields;	/* body fields, 0 = no body */
} handlers[ROUTE__MAX] = {
	[ROUTE_LOGIN] = { do_login, FIELD_USERNAME | FIELD_PASSWORD },
	[ROUTE_REFRESH_SESSION] = { do_refresh_session,
	    FIELD_SESSION_ID | FIELD_USERNAME | FIELD_PASSWORD },
	[ROUTE_REFRESH_TOKEN] = { do_refresh_token,
	    FIELD_SESSION_ID | FIELD_REFRESH_TOKEN },
	[ROUTE_LOGOUT] = { do_logout, 0 },
	[ROUTE_SESSION] = { do_session, 0 },
	[ROUTE_HEALTH] = { do_health, 0 },
};

/* Bits of the access tokens a bearer check accepts. */
#define ACCEPT_AUTHORIZATION	1
#define ACCEPT_CORBAN		2

static void
log_sid(struct ctx *x, const char *sid)
{
	snprintf(x->log_sid, sizeof(x->log_sid), "%.8s", sid);
}

/*
 * Mint three tokens of session sid into m.  Returns ERR_OK, or
 * ERR_SESSION_NOT_FOUND when sid is too long to carry in a token (no
 * session we create is).
 */
static enum err
mint_new(struct mint *m, const char *sid, size_t sidlen)
{
	if (tok_new(sid, sidlen, m->a, sizeof(m->a)) == -1 ||
	    tok_new(sid, sidlen, m->c, sizeof(m->c)) == -1 ||
	    tok_new(sid, sidlen, m->r, sizeof(m->r)) == -1)
		return ERR_SESSION_NOT_FOUND;
	tok_hash(m->a, strlen(m->a), m->h.ah);
	tok_hash(m->c, strlen(m->c), m->h.ch);
	tok_hash(m->r, strlen(m->r), m->h.rh);
	return ERR_OK;
}

/* Answer 200 with the tokens of m for session sid as stored in s. */
static enum err
mint_reply(struct ctx *x, const char *sid, const struct mint *m,
    const struct store_session *s)
{
	struct reply_tokens	 t;

	t.session_id = sid;
	t.authorization = m->a;
	t.corban = m->c;
	t.refresh = m->r;
	t.expires_in = s->aexp > x->now ? s->aexp - x->now : 0;
	t.refresh_expires_in = s->sexp > x->now ? s->sexp - x->now : 0;
	reply_tokens(x->io, &t);
	return ERR_OK;
}

/*
 * Check username/password of the request, under brute-force regulation:
 * the attempt is counted for the client address and the user name before
 * scrypt runs (store_attempt), so parallel guesses cannot outrun
 * max_failures, and a success takes the count back.  Unknown, wrong and
 * disabled all give ERR_INVALID_CREDENTIALS after the same work: one
 * scrypt run (a dummy one for unknown users) and the same Redis calls.
 * Returns ERR_OK, ERR_INVALID_CREDENTIALS, ERR_TOO_MANY_ATTEMPTS
 * (x->retry_after set), or a Redis error (a check we cannot count is a
 * 503, never a 401).  A match with a stored cost below the configured one
 * re-hashes the password.
 */
static enum err
credentials_check(struct ctx *x)
{
	struct req		*r = &x->req;
	struct store_user	 u;
	struct pw_cost		 want;
	char			 mcf[PW_MCF_MAX];
	enum pw_result		 pr;
	enum err		 e;
	long			 ttl = 0;
	const char		*net = r->addr_net;
	int			 addr = strcmp(net, "-") != 0;

	memset(&u, 0, sizeof(u));
	memset(mcf, 0, sizeof(mcf));
	want.N = x->cfg->scrypt_n;
	want.r = x->cfg->scrypt_r;
	want.p = x->cfg->scrypt_p;

	if (addr && ((e = store_attempt(x->store, STORE_SUBJ_ADDR, net,
	    strlen(net), &ttl)) != ERR_OK || ttl > 0))
		goto banned;
	if ((e = store_attempt(x->store, STORE_SUBJ_USER, r->username,
	    r->username_len, &ttl)) != ERR_OK || ttl > 0) {
		if (addr)
			(void)store_attempt_undo(x->store, STORE_SUBJ_ADDR,
			    net, strlen(net));
		goto banned;
	}

	e = store_user_get(x->store, r->username, r->username_len, &u);
	if (e == ERR_NO_USER)
		pr = pw_dummy(r->password, r->password_len, &want);
	else if (e != ERR_OK)
		goto out;
	else
		pr = pw_check(u.mcf, r->password, r->password_len, &want);
	if (pr == PW_ERROR) {
		e = ERR_INTERNAL;
		goto out;
	}
	if (e == ERR_NO_USER || pr == PW_MISMATCH || u.disabled) {
		e = ERR_INVALID_CREDENTIALS;	/* already counted */
		goto out;
	}

	memcpy(x->mcf, u.mcf, sizeof(x->mcf));
	if (pr == PW_MATCH_REHASH) {
		if (pw_hash(r->password, r->password_len, &want, mcf) == 0 &&
		    store_user_set_hash(x->store, r->username,
		    r->username_len, mcf) == ERR_OK) {
			memcpy(x->mcf, mcf, sizeof(x->mcf));
			log_info("user %.*s: password re-hashed at the "
			    "configured cost", (int)r->username_len,
			    r->username);
		} else
			log_warn("user %.*s: re-hash failed",
			    (int)r->username_len, r->username);
	}
	/* Success forgets the user's failures; of the address's it takes
	 * back only this attempt: one good account must not reset a
	 * guesser's counter. */
	(void)store_fail_reset(x->store, STORE_SUBJ_USER, r->username,
	    r->username_len);
	if (addr)
		(void)store_attempt_undo(x->store, STORE_SUBJ_ADDR, net,
		    strlen(net));
	x->log_user = r->username;
	e = ERR_OK;
	goto out;
banned:
	if (e == ERR_OK) {
		x->retry_after = ttl;
		e = ERR_TOO_MANY_ATTEMPTS;
	}
out:
	tok_wipe(&u, sizeof(u));
	tok_wipe(mcf, sizeof(mcf));
	return e;
}

/*
 * After a session was written for a password check: if the user was
 * disabled or deleted meanwhile, or the password changed (admin disable,
 * userdel and passwd revoke the sessions they can see; a check still
 * running scrypt finishes after them), delete session sid and answer
 * ERR_INVALID_CREDENTIALS, as if the check had come after the change.  A
 * hash that changed is checked again (a concurrent login may have
 * re-hashed the same password), so only that rare race costs a second
 * scrypt run.  Returns ERR_OK when the credentials still stand, or a
 * Redis error.
 */
static enum err
credentials_recheck(struct ctx *x, const char *sid, size_t sidlen)
{
	struct req		*r = &x->req;
	struct store_user	 u;
	enum pw_result		 pr;
	enum err		 e;

	memset(&u, 0, sizeof(u));
	e = store_user_get(x->store, r->username, r->username_len, &u);
	if (e == ERR_OK && !u.disabled && strcmp(u.mcf, x->mcf) != 0) {
		pr = pw_check(u.mcf, r->password, r->password_len, NULL);
		if (pr == PW_ERROR)
			e = ERR_INTERNAL;
		else if (pr == PW_MISMATCH)
			e = ERR_NO_USER;
	}
	if (e == ERR_OK && u.disabled)
		e = ERR_NO_USER;
	if (e == ERR_NO_USER) {
		log_warn("session %s: user changed during the password check, "
		    "session deleted", x->log_sid);
		e = store_session_del(x->store, sid, sidlen);
		if (e == ERR_OK || e == ERR_SESSION_NOT_FOUND)
			e = ERR_INVALID_CREDENTIALS;
	}
	tok_wipe(&u, sizeof(u));
	return e;
}

/* POST /login: check credentials, create a session, answer its tokens. */
static enum err
do_login(struct ctx *x)
{
	struct req		*r = &x->req;
	struct store_session	 s;
	struct mint		 m;
	char			 sid[TOK_SID_LEN + 1];
	enum err		 e;
	int			 tries;

	memset(&m, 0, sizeof(m));
	if ((e = credentials_check(x)) != ERR_OK)
		goto out;
	/* A sid collision (2^-128) is answered by drawing again once. */
	for (tries = 0; tries < 2; tries++) {
		tok_sid_new(sid);
		if ((e = mint_new(&m, sid, TOK_SID_LEN)) != ERR_OK)
			goto out;
		e = store_session_create(x->store, sid, r->username,
		    r->username_len, &m.h, x->now);
		if (e != ERR_EXISTS)
			break;
	}
	if (e != ERR_OK) {
		if (e == ERR_EXISTS)
			e = ERR_INTERNAL;
		goto out;
	}
	log_sid(x, sid);
	if ((e = credentials_recheck(x, sid, TOK_SID_LEN)) != ERR_OK)
		goto out;
	memset(&s, 0, sizeof(s));
	s.aexp = x->now + x->cfg->access_ttl;
	s.sexp = x->now + x->cfg->session_ttl;
	e = mint_reply(x, sid, &m, &s);
out:
	tok_wipe(&m, sizeof(m));
	return e;
}

/*
 * POST /refresh-session (the seed page): password first, then the session
 * must exist and be this user's; its three tokens are replaced in one
 * script and the same sessionId is answered.
 */
static enum err
do_refresh_session(struct ctx *x)
{
	struct req		*r = &x->req;
	struct store_session	 s;
	struct mint		 m;
	enum err		 e;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	if ((e = credentials_check(x)) != ERR_OK)
		goto out;
	log_sid(x, r->session_id);
	if ((e = mint_new(&m, r->session_id, r->session_id_len)) != ERR_OK)
		goto out;
	if ((e = store_session_renew(x->store, r->session_id,
	    r->session_id_len, r->username, r->username_len, &m.h, x->now,
	    &s)) != ERR_OK)
		goto out;
	if ((e = credentials_recheck(x, r->session_id, r->session_id_len))
	    != ERR_OK)
		goto out;
	e = mint_reply(x, r->session_id, &m, &s);
out:
	tok_wipe(&m, sizeof(m));
	tok_wipe(&s, sizeof(s));
	return e;
}

/*
 * POST /refresh-token: rotate the session's tokens with its current
 * refresh token (single use).  A spent one revokes the session (RFC 9700
 * 4.14.2) unless it was spent less than refresh_reuse_grace seconds ago
 * (409).  Every failure of the credentials is 401 INVALID_TOKEN.
 */
static enum err
do_refresh_token(struct ctx *x)
{
	struct req		*r = &x->req;
	struct store_session	 s;
	struct mint		 m;
	char			 sid[LIM_TOKEN_MAX + 1], h[TOK_HASH_LEN + 1];
	enum err		 e;
	int			 revoked = 0;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	log_sid(x, r->session_id);
	e = ERR_INVALID_TOKEN;
	if (tok_session(r->refresh_token, r->refresh_token_len, sid,
	    sizeof(sid)) == -1 || strlen(sid) != r->session_id_len ||
	    memcmp(sid, r->session_id, r->session_id_len) != 0)
		goto out;
	e = store_session_get(x->store, r->session_id, r->session_id_len, &s);
	if (e == ERR_SESSION_NOT_FOUND || (e == ERR_OK && s.sexp <= x->now))
		e = ERR_INVALID_TOKEN;
	if (e != ERR_OK)
		goto out;
	x->log_user = r->username;
	memcpy(r->username, s.user, s.user_len + 1);
	r->username_len = s.user_len;

	tok_hash(r->refresh_token, r->refresh_token_len, h);
	if (tok_hash_eq(h, s.rh)) {
		if ((e = mint_new(&m, r->session_id, r->session_id_len))
		    != ERR_OK)
			goto out;
		e = store_session_rotate(x->store, r->session_id,
		    r->session_id_len, h, &m.h, x->now, &s);
		if (e == ERR_OK) {
			e = mint_reply(x, r->session_id, &m, &s);
			goto out;
		}
		if (e == ERR_SESSION_NOT_FOUND)
			e = ERR_INVALID_TOKEN;
		else if (e == ERR_INVALID_TOKEN)
			log_warn("session %s: %d refresh tokens spent since the "
			    "last password check, rotation refused",
			    x->log_sid, STORE_SPENT_MAX);
		if (e != ERR_REFRESH_CONFLICT)
			goto out;
		/* Another rotation spent this token between our read and
		 * our write: it is now a spent token like any other. */
	}
	e = store_session_spent(x->store, r->session_id, r->session_id_len,
	    h, x->now, x->cfg->refresh_reuse_grace, &revoked);
	if (e == ERR_SESSION_NOT_FOUND)
		e = ERR_INVALID_TOKEN;
	if (revoked)
		log_warn("session %s: spent refresh token presented, session "
		    "revoked", x->log_sid);
out:
	tok_wipe(&m, sizeof(m));
	tok_wipe(&s, sizeof(s));
	tok_wipe(h, sizeof(h));
	return e;
}

/*
 * Check the request's bearer token against its session: the token names
 * its session, one Redis read fetches it, and the hash is compared in
 * constant time with the access tokens allowed by accept.  Returns ERR_OK
 * with *s filled, r->session_id set and *type naming the token type, or
 * ERR_INVALID_TOKEN, or a Redis error.
 */
static enum err
bearer_check(struct ctx *x, unsigned accept, struct store_session *s,
    const char **type)
{
	struct req	*r = &x->req;
	char		 h[TOK_HASH_LEN + 1];
	enum err	 e;
	int		 is_a, is_c;

	if ((e = http_bearer(x->io, r)) != ERR_OK)
		return e;
	if (tok_session(r->bearer, r->bearer_len, r->session_id,
	    sizeof(r->session_id)) == -1)
		return ERR_INVALID_TOKEN;
	r->session_id_len = strlen(r->session_id);
	log_sid(x, r->session_id);
	e = store_session_get(x->store, r->session_id, r->session_id_len, s);
	if (e == ERR_SESSION_NOT_FOUND)
		return ERR_INVALID_TOKEN;
	if (e != ERR_OK)
		return e;
	tok_hash(r->bearer, r->bearer_len, h);
	/* Both comparisons always run. */
	is_a = tok_hash_eq(h, s->ah);
	is_c = tok_hash_eq(h, s->ch);
	tok_wipe(h, sizeof(h));
	if (!((is_a && (accept & ACCEPT_AUTHORIZATION)) ||
	    (is_c && (accept & ACCEPT_CORBAN))))
		return ERR_INVALID_TOKEN;
	if (s->aexp <= x->now || s->sexp <= x->now)
		return ERR_INVALID_TOKEN;
	*type = is_a ? "authorization" : "authorizationCorban";
	memcpy(r->username, s->user, s->user_len + 1);
	r->username_len = s->user_len;
	x->log_user = r->username;
	return ERR_OK;
}

/* POST /logout with the authorization token: delete the session. */
static enum err
do_logout(struct ctx *x)
{
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, ACCEPT_AUTHORIZATION, &s, &type)) != ERR_OK)
		goto out;
	e = store_session_del(x->store, x->req.session_id,
	    x->req.session_id_len);
	if (e == ERR_SESSION_NOT_FOUND)
		e = ERR_INVALID_TOKEN;
	if (e == ERR_OK)
		reply_logout(x->io, x->req.session_id);
out:
	tok_wipe(&s, sizeof(s));
	return e;
}

/* GET /session with either access token. */
static enum err
do_session(struct ctx *x)
{
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	e = bearer_check(x, ACCEPT_AUTHORIZATION | ACCEPT_CORBAN, &s, &type);
	if (e == ERR_OK)
		reply_session(x->io, x->req.session_id, &s, type);
	tok_wipe(&s, sizeof(s));
	return e;
}

/* GET /health: 200 when Redis answers PING in time. */
static enum err
do_health(struct ctx *x)
{
	enum err	 e;

	if ((e = store_ping(x->store)) == ERR_OK)
		reply_health(x->io);
	return e;
}

/*
 * The FastCGI AUTHORIZER role: the web server asks whether the request's
 * bearer token is live.  200 with Variable-AUTH_USER and
 * Variable-AUTH_SESSION_ID, else the error (401, 503, 500).  One Redis
 * read, no scrypt.
 */
static enum err
do_authorize(struct ctx *x)
{
	struct store_session	 s;
	const char		*type;
	unsigned		 accept;
	enum err		 e;

	switch (x->cfg->authorizer_token) {
	case CFG_AUTHZ_CORBAN:
		accept = ACCEPT_CORBAN;
		break;
	case CFG_AUTHZ_ANY:
		accept = ACCEPT_AUTHORIZATION | ACCEPT_CORBAN;
		break;
	default:
		accept = ACCEPT_AUTHORIZATION;
		break;
	}
	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, accept, &s, &type)) == ERR_OK &&
	    reply_authorized(x->io, s.user, x->req.session_id) == -1)
		e = ERR_INTERNAL;
	tok_wipe(&s, sizeof(s));
	return e;
}

/*
 * Serve one request on io.  Writes exactly one answer and one log line.
 */
static void
serve(const struct cfg *cfg, struct store *st, const struct http_io *io)
{
	struct ctx	 x;
	struct timespec	 t0, t1;
	const char	*role, *p;
	enum err	 e;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.store = st;
	x.io = io;
	x.now = (long)time(NULL);
	strcpy(x.log_sid, "-");
	http_client_addr(io, cfg, &x.req);

	role = io->param(io->ctx, "FCGI_ROLE");
	if (role != NULL && strcmp(role, "AUTHORIZER") == 0) {
		/* The log names the URL the web server asks about. */
		strcpy(x.req.method, "AUTHZ");
		p = io->param(io->ctx, "REQUEST_URI");
		snprintf(x.req.path, sizeof(x.req.path), "%.*s",
		    (int)strcspn(p ? p : "-", "?#\r\n"), p ? p : "-");
		e = do_authorize(&x);
	} else if ((e = http_route(io, &x.req)) == ERR_OK &&
	    (handlers[x.req.route].fields == 0 ||
	    (e = http_body(io, cfg, handlers[x.req.route].fields,
	    &x.req)) == ERR_OK))
		e = handlers[x.req.route].fn(&x);

	if (e != ERR_OK)
		reply_error(io, e, x.req.field, x.req.allow, x.retry_after);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	log_info("%s %s %d %s user=%s sid=%s addr=%s ms=%ld", x.req.method,
	    x.req.path[0] ? x.req.path : "-", err_status(e),
	    e == ERR_OK ? "OK" : err_code(e),
	    x.log_user ? x.log_user : "-", x.log_sid, x.req.addr, ms);
	http_req_clear(&x.req);
	tok_wipe(&x, sizeof(x));
}

/* ---- I/O of one FastCGI request ---- */

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static size_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	size_t	 got = 0;
	int	 rc;

	while (got < n) {
		rc = FCGX_GetStr(buf + got, (int)(n - got),
		    ((FCGX_Request *)ctx)->in);
		if (rc <= 0)
			break;
		got += (size_t)rc;
	}
	return got;
}

static int
fcgi_write(void *ctx, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ((FCGX_Request *)ctx)->out) ==
	    (int)n ? 0 : -1;
}

/* ---- I/O of plain CGI (RFC 3875) ---- */

static const char *
cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static size_t
cgi_read(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	return fread(buf, 1, n, stdin);
}

static int
cgi_write(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

static volatile sig_atomic_t	 term;	/* SIGTERM or SIGUSR1 arrived */

static void
on_term(int sig)
{
	(void)sig;
	term = 1;
}

/*
 * Load the config at path into c and open the store into *st.  Returns 0,
 * or -1 after logging why.
 */
static int
setup(struct cfg *c, const char *path, struct store **st)
{
	char	 err[512];

	cfg_defaults(c);
	if (cfg_load(c, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	if ((*st = store_open(c)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct cfg	 cfg;
	struct store		*st = NULL;
	struct http_io		 io;
	struct sigaction	 sa;
	FCGX_Request		 rq;
	sigset_t		 stop;
	const char		*env, *p;
	char			 path[PATH_MAX];
	int			 cgi, ok, rc = 1;

	/* RFC 3875 4.4: argv may carry a query string; never commands. */
	(void)argc;
	(void)argv;
	log_init("autenticacao");
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0) {
		log_err("FastCGI library failed to initialise");
		return 1;
	}
	cgi = FCGX_IsCGI();
	io.ctx = NULL;
	io.param = cgi_param;
	io.read = cgi_read;
	io.write = cgi_write;

	/*
	 * The config path: AUTENTICACAO_CONF of the process, else the
	 * compiled-in path.  A FastCGI process started without it (Apache
	 * mod_fcgid under an .htaccess, whose SetEnv reaches only the
	 * requests) takes AUTENTICACAO_CONF from its first request instead.
	 * Copied now: libfcgi replaces environ per request.
	 */
	env = getenv("AUTENTICACAO_CONF");
	if (env != NULL && *env != '\0' && strlen(env) >= sizeof(path)) {
		log_err("AUTENTICACAO_CONF too long");
		goto out;
	}
	snprintf(path, sizeof(path), "%s", cfg_path());
	if ((cgi || (env != NULL && *env != '\0')) &&
	    setup(&cfg, path, &st) == -1) {
		if (cgi)
			reply_error(&io, ERR_INTERNAL, NULL, NULL, 0);
		goto out;
	}

	if (cgi) {
		serve(&cfg, st, &io);
		fflush(stdout);
		rc = 0;
		goto out;
	}

	/*
	 * SIGTERM (lighttpd, spawn-fcgi's supervisor, systemd, mod_fcgid) and
	 * SIGUSR1 end the process after the request in hand: they are
	 * blocked while a request is served, so its reads and writes are
	 * never interrupted, and delivered only around FCGX_Accept_r, whose
	 * accept(2) they interrupt (no SA_RESTART, FCGI_FAIL_ACCEPT_ON_INTR).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);

	if (FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("FastCGI request setup failed");
		goto out;
	}
	io.ctx = &rq;
	io.param = fcgi_param;
	io.read = fcgi_read;
	io.write = fcgi_write;
	for (;;) {
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
		if (term)
			break;
		ok = FCGX_Accept_r(&rq) >= 0;
		sigprocmask(SIG_BLOCK, &stop, NULL);
		if (!ok)
			break;	/* interrupted by a signal, or a dead socket */
		if (st == NULL) {
			p = fcgi_param(&rq, "AUTENTICACAO_CONF");
			if (p != NULL && *p != '\0')
				snprintf(path, sizeof(path), "%s", p);
			if (strlen(path) + 1 >= sizeof(path) ||
			    setup(&cfg, path, &st) == -1) {
				reply_error(&io, ERR_INTERNAL, NULL, NULL, 0);
				FCGX_Finish_r(&rq);
				goto out;
			}
		}
		serve(&cfg, st, &io);
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	rc = 0;
out:
	store_close(st);
	cfg_clear(&cfg);
	OS_LibShutdown();	/* frees what FCGX_Init allocated */
	return rc;
}
