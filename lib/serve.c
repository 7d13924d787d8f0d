/*
 * serve.c - one request (serve.h).
 *
 * Out of memory inside a library we call (hiredis, json-c) is answered as
 * a 500 where the library reports it; the spawner restarts a worker that
 * dies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cors.h"
#include "credentials.h"
#include "gate.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "serve.h"
#include "session.h"
#include "text.h"
#include "token.h"

/* Everything one request may touch.  Only cfg and store outlive it. */
struct serve_ctx {
	const struct cfg	*cfg;
	struct store		*store;
	const struct http_io	*io;		/* answers go here */
	struct req		 req;
	long			 now;		/* unix seconds at accept */
	long			 retry_after;	/* for 429 */
	int			 status;	/* when not err_status (204) */
	char			 log_user[LIM_USER_MAX * 3 + 1]; /* as logged */
	char			 log_sid[9];	/* session id prefix */
	char			 origin[CORS_ORIGIN_MAX + 1]; /* allowed Origin */
	const char		*endpoint;	/* the route's label, "other" */
	struct reply_list	*list;		/* GET /sessions, while built */
	int			 list_failed;	/* out of memory building it */
};

static enum err	 do_login(struct serve_ctx *);
static enum err	 do_refresh_session(struct serve_ctx *);
static enum err	 do_refresh_token(struct serve_ctx *);
static enum err	 do_logout(struct serve_ctx *);
static enum err	 do_session(struct serve_ctx *);
static enum err	 do_health(struct serve_ctx *);
static enum err	 do_sessions(struct serve_ctx *);
static enum err	 do_session_end(struct serve_ctx *);
static enum err	 do_logout_all(struct serve_ctx *);
static enum err	 do_metrics(struct serve_ctx *);

const struct serve_route serve_routes[] = {
	{ "login", "POST", FIELD_USERNAME | FIELD_PASSWORD, 0, do_login,
	    "login" },
	{ "refresh-session", "POST",
	    FIELD_SESSION_ID | FIELD_USERNAME | FIELD_PASSWORD, 0,
	    do_refresh_session, "refresh_session" },
	{ "refresh-token", "POST", FIELD_SESSION_ID | FIELD_REFRESH_TOKEN, 0,
	    do_refresh_token, "refresh_token" },
	{ "logout", "POST", 0, 1, do_logout, "logout" },
	{ "session", "GET", 0, 1, do_session, "session" },
	{ "health", "GET", 0, 0, do_health, "health" },
	{ "sessions", "GET", 0, 1, do_sessions, "sessions" },
	{ "sessions/", "DELETE", 0, 1, do_session_end, "sessions" },
	{ "logout-all", "POST", 0, 1, do_logout_all, "logout_all" },
	/* Only with metrics = on and to metrics_allow: see metrics_hidden. */
	{ "metrics", "GET", 0, 0, do_metrics, "metrics" },
};
const size_t serve_nroutes = sizeof(serve_routes) / sizeof(serve_routes[0]);

/* Longest route segment: a prefix route and its id, with room to tell a
 * longer one. */
#define SEG_MAX	(32 + LIM_TOKEN_MAX)

/* The user name for the log line, once known (text_log_field). */
static void
log_user(struct serve_ctx *x, const char *user, size_t len)
{

	text_log_field(x->log_user, sizeof(x->log_user), user, len);
}

static void
log_sid(struct serve_ctx *x, const char *sid)
{

	snprintf(x->log_sid, sizeof(x->log_sid), "%.8s", sid);
}

/* Answer 200 with tokens t of session sid as stored in s. */
static enum err
tokens_reply(struct serve_ctx *x, const char *sid,
    const struct session_tokens *t, const struct store_session *s)
{
	struct reply_tokens	 rt;

	rt.session_id = sid;
	rt.authorization = t->authorization;
	rt.corban = t->corban;
	rt.refresh = t->refresh;
	rt.expires_in = s->access_expires > x->now ? s->access_expires - x->now : 0;
	rt.refresh_expires_in = s->expires > x->now ? s->expires - x->now : 0;
	reply_tokens(x->io, &rt);
	return ERR_OK;
}

/*
 * The outcome e of a password check, counted for GET /metrics and as an
 * event of the JSON log:
 * login.success, login.failure (unknown user, wrong password, disabled
 * user: one event, as one answer) or ban (refused unchecked while the
 * user or the address is banned).  Other outcomes (503, 500) are the
 * request line's alone.
 */
static void
login_event(struct serve_ctx *x, enum err e)
{
	char		 user[LIM_USER_MAX * 3 + 1];
	const char	*ev;
	enum log_level	 lvl = LOG_INFO;

	switch (e) {
	case ERR_OK:
		ev = "login.success";
		met_login(MET_LOGIN_SUCCESS);
		break;
	case ERR_INVALID_CREDENTIALS:
		ev = "login.failure";
		lvl = LOG_WARN;
		met_login(MET_LOGIN_FAILURE);
		break;
	case ERR_TOO_MANY_ATTEMPTS:
		ev = "ban";
		lvl = LOG_WARN;
		met_login(MET_LOGIN_BANNED);
		break;
	default:
		return;
	}
	if (log_get_format() != LOG_FORMAT_JSON)
		return;
	text_log_field(user, sizeof(user), x->req.username,
	    x->req.username_len);
	{
		const struct log_kv kv[] = {
			LOG_STR("endpoint", x->endpoint),
			LOG_STR("user", user),
			LOG_STR("addr", x->req.addr),
			e == ERR_TOO_MANY_ATTEMPTS ?
			    (struct log_kv)LOG_NUM("retry_after",
			    x->retry_after) : (struct log_kv)LOG_STR(
			    "retry_after", NULL),
		};
		log_event(lvl, ev, kv, sizeof(kv) / sizeof(kv[0]), NULL);
	}
}

/*
 * Session sid (its 8-character prefix is logged) or n sessions of the
 * request's user ended for reason ("logout" or "logout_all", docs/API.md
 * "Observability"): counted, and an event session.revoke of the JSON log.
 */
static void
revoke_event(struct serve_ctx *x, const char *reason, const char *sid,
    long n)
{
	char	 pfx[9];

	met_revoked(strcmp(reason, "logout_all") == 0 ?
	    MET_REVOKE_LOGOUT_ALL : MET_REVOKE_LOGOUT, n);
	if (log_get_format() != LOG_FORMAT_JSON)
		return;
	snprintf(pfx, sizeof(pfx), "%.8s", sid != NULL ? sid : "");
	{
		const struct log_kv kv[] = {
			LOG_STR("reason", reason),
			LOG_STR("user", x->log_user[0] != '\0' ? x->log_user :
			    NULL),
			LOG_STR("sid", sid != NULL ? pfx : NULL),
			LOG_NUM("count", n),
			LOG_STR("addr", x->req.addr),
		};
		log_event(LOG_INFO, "session.revoke", kv,
		    sizeof(kv) / sizeof(kv[0]), NULL);
	}
}

/*
 * The password check of the request's username and password, in one of
 * the host's password_checks slots (gate.h): ERR_BUSY at once when they
 * are all taken.
 */
static enum err
password_check(struct serve_ctx *x, struct cred *c)
{
	struct req	*r = &x->req;
	struct gate	 g = GATE_NONE;
	enum err	 e;

	if ((e = gate_enter(x->cfg, &g)) != ERR_OK) {
		x->retry_after = 1;
		return e;
	}
	e = cred_check(x->store, x->cfg, r->addr, r->username,
	    r->username_len, r->password, r->password_len, c,
	    &x->retry_after);
	gate_leave(&g);
	if (e == ERR_OK)
		log_user(x, r->username, r->username_len);
	login_event(x, e);
	return e;
}

/* What the write after a login's password check needs (login_write). */
struct login_w {
	struct serve_ctx	*x;
	struct store_client	 cl;
	char			 sid[TOK_SID_LEN + 1];
	struct session_tokens	 t;
	struct store_session	 s;
};

/* cred_write_fn of login: session_login. */
static enum err
login_write(struct store *st, const struct store_cred *sc, void *arg,
    struct store_user *now_u, enum err *now_e)
{
	struct login_w	*w = arg;

	return session_login(st, sc, w->x->now, &w->cl, w->sid, &w->t, now_u,
	    now_e);
}

/* POST /login: check credentials, create a session, answer its tokens. */
static enum err
do_login(struct serve_ctx *x)
{
	struct req		*r = &x->req;
	struct login_w		 w;
	struct cred		 c;
	char			 ua[TEXT_UA_MAX + 1];
	enum err		 e;

	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	if ((e = password_check(x, &c)) != ERR_OK)
		goto out;
	text_user_agent(ua, sizeof(ua),
	    x->io->param(x->io->ctx, "HTTP_USER_AGENT"));
	w.x = x;
	w.cl.addr = r->addr;
	w.cl.ua = ua;
	e = cred_commit(x->store, &c, r->username, r->username_len,
	    r->password, r->password_len, login_write, &w);
	if (w.sid[0] != '\0')
		log_sid(x, w.sid);
	if (e != ERR_OK)
		goto out;
	w.s.access_expires = x->now + x->cfg->access_ttl;
	w.s.expires = x->now + x->cfg->session_ttl;
	e = tokens_reply(x, w.sid, &w.t, &w.s);
out:
	tok_wipe(&w, sizeof(w));
	tok_wipe(&c, sizeof(c));
	return e;
}

/* cred_write_fn of refresh-session: session_relogin. */
static enum err
renew_write(struct store *st, const struct store_cred *sc, void *arg,
    struct store_user *now_u, enum err *now_e)
{
	struct login_w	*w = arg;
	struct req	*r = &w->x->req;

	return session_relogin(st, sc, r->session_id, r->session_id_len,
	    w->x->now, &w->t, &w->s, now_u, now_e);
}

/*
 * POST /refresh-session (the seed page): password first, then the session
 * must exist and be this user's; its three tokens are replaced by the one
 * script after the check and the same sessionId is answered.
 */
static enum err
do_refresh_session(struct serve_ctx *x)
{
	struct req		*r = &x->req;
	struct login_w		 w;
	struct cred		 c;
	enum err		 e;

	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	if ((e = password_check(x, &c)) != ERR_OK)
		goto out;
	log_sid(x, r->session_id);
	w.x = x;
	if ((e = cred_commit(x->store, &c, r->username, r->username_len,
	    r->password, r->password_len, renew_write, &w)) != ERR_OK)
		goto out;
	e = tokens_reply(x, r->session_id, &w.t, &w.s);
out:
	tok_wipe(&w, sizeof(w));
	tok_wipe(&c, sizeof(c));
	return e;
}

/* POST /refresh-token: rotate the session's tokens (session_rotate). */
static enum err
do_refresh_token(struct serve_ctx *x)
{
	struct req		*r = &x->req;
	struct store_session	 s;
	struct session_tokens	 t;
	enum err		 e;

	memset(&t, 0, sizeof(t));
	memset(&s, 0, sizeof(s));
	log_sid(x, r->session_id);
	e = session_rotate(x->store, x->cfg, r->session_id, r->session_id_len,
	    r->refresh_token, r->refresh_token_len, x->now, &t, &s,
	    r->username, &r->username_len);
	if (r->username_len > 0)
		log_user(x, r->username, r->username_len);
	if (e == ERR_OK)
		e = tokens_reply(x, r->session_id, &t, &s);
	tok_wipe(&t, sizeof(t));
	tok_wipe(&s, sizeof(s));
	return e;
}

/*
 * The request's bearer token (already read by serve) against its session,
 * accepting the access tokens of accept (SESSION_ACCEPT_*).  On ERR_OK *s
 * is the session, r->session_id its id, r->username its user and *type
 * the token type.
 */
static enum err
bearer_check(struct serve_ctx *x, unsigned accept, struct store_session *s,
    const char **type)
{
	struct req	*r = &x->req;
	enum err	 e;

	e = session_verify(x->store, x->cfg, r->bearer, r->bearer_len, accept, x->now,
	    r->session_id, s, type);
	r->session_id_len = strlen(r->session_id);
	if (r->session_id_len > 0)
		log_sid(x, r->session_id);
	if (e != ERR_OK)
		return e;
	memcpy(r->username, s->user, s->user_len + 1);
	r->username_len = s->user_len;
	log_user(x, r->username, r->username_len);
	return ERR_OK;
}

/* POST /logout with the authorization token: end the session. */
static enum err
do_logout(struct serve_ctx *x)
{
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, SESSION_ACCEPT_AUTHORIZATION, &s, &type)) !=
	    ERR_OK)
		goto out;
	e = session_end(x->store, x->req.username, x->req.username_len,
	    x->req.session_id, x->req.session_id_len);
	if (e == ERR_SESSION_NOT_FOUND)
		e = ERR_INVALID_TOKEN;
	if (e == ERR_OK) {
		revoke_event(x, "logout", x->req.session_id, 1);
		reply_logout(x->io, x->req.session_id);
	}
out:
	tok_wipe(&s, sizeof(s));
	return e;
}

/* GET /session with either access token. */
static enum err
do_session(struct serve_ctx *x)
{
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	e = bearer_check(x, SESSION_ACCEPT_AUTHORIZATION |
	    SESSION_ACCEPT_CORBAN, &s, &type);
	if (e == ERR_OK)
		reply_session(x->io, x->req.session_id, &s, type);
	tok_wipe(&s, sizeof(s));
	return e;
}

/* One session of the caller's user into the list (store_user_sessions). */
static int
sessions_one(const char *sid, const struct store_session *s, void *arg)
{
	struct serve_ctx	*x = arg;

	if (reply_list_add(x->list, sid, strcmp(sid, x->req.session_id) == 0,
	    s) == -1) {
		x->list_failed = 1;
		return 1;
	}
	return 0;
}

/* GET /sessions with either access token: the live sessions of the
 * token's user, newest first, the caller's own marked current. */
static enum err
do_sessions(struct serve_ctx *x)
{
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, SESSION_ACCEPT_AUTHORIZATION |
	    SESSION_ACCEPT_CORBAN, &s, &type)) != ERR_OK)
		goto out;
	if ((x->list = reply_list_new()) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	e = store_user_sessions(x->store, x->req.username,
	    x->req.username_len, x->now, sessions_one, x);
	if (e == ERR_OK && x->list_failed)
		e = ERR_INTERNAL;
	if (e == ERR_OK)
		reply_sessions(x->io, x->list);
	else
		reply_list_free(x->list);
	x->list = NULL;
out:
	tok_wipe(&s, sizeof(s));
	return e;
}

/*
 * DELETE /sessions/{sessionId} with either access token: end that session
 * of the token's user.  Someone else's session, or none, is 404
 * SESSION_NOT_FOUND, the same answer byte for byte.
 */
static enum err
do_session_end(struct serve_ctx *x)
{
	struct req		*r = &x->req;
	struct store_session	 s;
	const char		*type;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, SESSION_ACCEPT_AUTHORIZATION |
	    SESSION_ACCEPT_CORBAN, &s, &type)) != ERR_OK)
		goto out;
	log_sid(x, r->path_id);
	if ((e = session_end(x->store, r->username, r->username_len,
	    r->path_id, r->path_id_len)) == ERR_OK) {
		revoke_event(x, "logout", r->path_id, 1);
		reply_logout(x->io, r->path_id);
	}
out:
	tok_wipe(&s, sizeof(s));
	return e;
}

/* POST /logout-all with either access token: end every session of the
 * token's user, the caller's own included. */
static enum err
do_logout_all(struct serve_ctx *x)
{
	struct store_session	 s;
	const char		*type;
	long			 n = 0;
	enum err		 e;

	memset(&s, 0, sizeof(s));
	if ((e = bearer_check(x, SESSION_ACCEPT_AUTHORIZATION |
	    SESSION_ACCEPT_CORBAN, &s, &type)) != ERR_OK)
		goto out;
	if ((e = store_user_revoke(x->store, x->req.username,
	    x->req.username_len, x->now, &n)) == ERR_OK) {
		revoke_event(x, "logout_all", NULL, n);
		reply_revoked(x->io, n);
	}
out:
	tok_wipe(&s, sizeof(s));
	return e;
}

/* GET /health: 200 when Redis answers PING in time. */
static enum err
do_health(struct serve_ctx *x)
{
	enum err	 e;

	if ((e = store_ping(x->store)) == ERR_OK)
		reply_health(x->io);
	return e;
}

/*
 * GET /metrics: the sums of every worker's counters (store_metrics_read)
 * in the Prometheus text format.  Only reached when metrics_hidden()
 * said no.
 */
static enum err
do_metrics(struct serve_ctx *x)
{
	static unsigned long long	 totals[MET_SLOTS];
	char				*text = NULL;
	size_t				 len = 0;
	enum err			 e;

	memset(totals, 0, sizeof(totals));
	if ((e = store_metrics_read(x->store, totals)) != ERR_OK)
		return e;
	if (met_render(totals, &text, &len) == -1)
		return ERR_INTERNAL;
	(void)reply_metrics(x->io, text, len);
	free(text);
	return ERR_OK;
}

/*
 * 1 if the request's route is GET /metrics and this client may not know
 * it exists: metrics = off, or an address outside metrics_allow (after
 * trusted_proxies).  Such a request is answered 404 whatever its method,
 * as a path that is no route.
 */
static int
metrics_hidden(const struct serve_ctx *x)
{

	return x->req.route >= 0 &&
	    serve_routes[x->req.route].fn == do_metrics &&
	    (!x->cfg->metrics || !cfg_metrics_allowed(x->cfg, x->req.addr));
}

/*
 * The FastCGI AUTHORIZER role: the web server asks whether the request's
 * bearer token is live.  200 with Variable-AUTH_USER and
 * Variable-AUTH_SESSION_ID, else the error (401, 503, 500).  One Redis
 * read, no scrypt.
 */
static enum err
do_authorize(struct serve_ctx *x)
{
	struct store_session	 s;
	const char		*type;
	unsigned		 accept;
	enum err		 e;

	switch (x->cfg->authorizer_token) {
	case CFG_AUTHZ_CORBAN:
		accept = SESSION_ACCEPT_CORBAN;
		break;
	case CFG_AUTHZ_ANY:
		accept = SESSION_ACCEPT_AUTHORIZATION | SESSION_ACCEPT_CORBAN;
		break;
	default:
		accept = SESSION_ACCEPT_AUTHORIZATION;
		break;
	}
	memset(&s, 0, sizeof(s));
	if ((e = http_bearer(x->io, &x->req)) == ERR_OK &&
	    (e = bearer_check(x, accept, &s, &type)) == ERR_OK &&
	    reply_authorized(x->io, s.user, x->req.session_id) == -1)
		e = ERR_INTERNAL;
	tok_wipe(&s, sizeof(s));
	return e;
}

/*
 * A CORS preflight (docs/API.md "Browsers on other origins"): OPTIONS on
 * a known route while cors_origins is set, which serve_route() reported
 * as 405 with r->allow, the route's one method.  204, with the allow
 * headers only for an allowed Origin whose Access-Control-Request-Method
 * is that method.
 */
static enum err
do_preflight(struct serve_ctx *x)
{
	const char	*want, *methods = NULL;

	want = x->io->param(x->io->ctx, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
	if (x->io->allow_origin != NULL && want != NULL &&
	    x->req.allow != NULL && strcmp(want, x->req.allow) == 0)
		methods = x->req.allow;
	x->status = 204;
	reply_preflight(x->io, methods);
	return ERR_OK;
}

/* 1 if the request is OPTIONS and cors_origins is set. */
static int
is_preflight(const struct serve_ctx *x)
{
	const char	*method;

	method = x->io->param(x->io->ctx, "REQUEST_METHOD");
	return cors_enabled(x->cfg) && method != NULL &&
	    strcmp(method, "OPTIONS") == 0;
}

/*
 * 1 if route rt takes segment seg; for a prefix route the id after the
 * prefix is copied into r->path_id and cut to its first 8 characters in
 * the logged path (a session id is logged by its prefix only).
 */
static int
route_match(const struct serve_route *rt, const char *seg, struct req *r)
{
	size_t		 n = strlen(rt->name), idlen;
	const char	*id;
	char		*p;

	if (n == 0 || rt->name[n - 1] != '/')
		return strcmp(rt->name, seg) == 0;
	if (strncmp(rt->name, seg, n) != 0)
		return 0;
	id = seg + n;
	idlen = strlen(id);
	if (idlen == 0 || idlen > LIM_TOKEN_MAX || !tok_charset_ok(id, idlen))
		return 0;
	memcpy(r->path_id, id, idlen + 1);
	r->path_id_len = idlen;
	if ((p = strstr(r->path, seg)) != NULL && strlen(p + n) > 8)
		strcpy(p + n + 8, "...");
	return 1;
}

const struct serve_route *
serve_route(const struct http_io *io, struct req *r, enum err *e)
{
	const char	*method;
	char		 seg[SEG_MAX + 1];
	size_t		 i;

	r->route = -1;
	if ((*e = http_path(io, r, seg, sizeof(seg))) != ERR_OK)
		return NULL;
	method = io->param(io->ctx, "REQUEST_METHOD");
	for (i = 0; i < serve_nroutes; i++) {
		if (!route_match(&serve_routes[i], seg, r))
			continue;
		r->route = (int)i;
		if (method == NULL ||
		    strcmp(method, serve_routes[i].method) != 0) {
			r->allow = serve_routes[i].method;
			*e = ERR_METHOD_NOT_ALLOWED;
			return NULL;
		}
		return &serve_routes[i];
	}
	*e = ERR_NOT_FOUND;
	return NULL;
}

/*
 * The log line of request x, answered with e after ms milliseconds: the
 * text format's "METHOD PATH STATUS CODE user= sid= addr= ms=", or in JSON
 * an event "request" with the same fields and the route's label.
 */
static void
request_event(const struct serve_ctx *x, enum err e, long ms)
{
	const char	*path = x->req.path[0] ? x->req.path : "-";
	const char	*user = x->log_user[0] != '\0' ? x->log_user : "-";
	const char	*code = e == ERR_OK ? "OK" : err_code(e);
	int		 status = x->status != 0 ? x->status : err_status(e);

	if (log_get_format() == LOG_FORMAT_JSON) {
		const struct log_kv kv[] = {
			LOG_STR("method", x->req.method),
			LOG_STR("path", path),
			LOG_STR("endpoint", x->endpoint),
			LOG_NUM("status", status),
			LOG_STR("code", code),
			LOG_STR("user", user),
			LOG_STR("sid", x->log_sid),
			LOG_STR("addr", x->req.addr),
			LOG_NUM("ms", ms),
		};
		log_event(LOG_INFO, "request", kv, sizeof(kv) / sizeof(kv[0]),
		    NULL);
		return;
	}
	log_info("%s %s %d %s user=%s sid=%s addr=%s ms=%ld", x->req.method,
	    path, status, code, user, x->log_sid, x->req.addr, ms);
}

void
serve(const struct cfg *cfg, struct store *st, const struct http_io *io)
{
	const struct serve_route	*rt;
	struct serve_ctx		 x;
	struct http_io			 out;
	struct timespec			 t0, t1;
	const char			*role, *p;
	enum err			 e;
	long				 us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.store = st;
	out = *io;
	out.allow_origin = NULL;
	x.io = &out;
	x.now = (long)time(NULL);
	strcpy(x.log_sid, "-");
	http_client_addr(io, cfg, &x.req);

	role = io->param(io->ctx, "FCGI_ROLE");
	if (role != NULL && strcmp(role, "AUTHORIZER") == 0) {
		/* The log names the URL the web server asks about.  The
		 * authorizer's answers never carry CORS headers: the paths
		 * it guards answer browsers with their own. */
		strcpy(x.req.method, "AUTHZ");
		x.endpoint = "authorizer";
		if ((p = io->param(io->ctx, "REQUEST_URI")) == NULL)
			p = "-";
		text_log_field(x.req.path, sizeof(x.req.path), p,
		    strcspn(p, "?#"));
		e = do_authorize(&x);
	} else {
		if (cors_allowed(cfg, io->param(io->ctx, "HTTP_ORIGIN"),
		    x.origin))
			out.allow_origin = x.origin;
		rt = serve_route(io, &x.req, &e);
		if (metrics_hidden(&x)) {
			rt = NULL;
			e = ERR_NOT_FOUND;
			x.req.route = -1;
		}
		x.endpoint = x.req.route >= 0 ?
		    serve_routes[x.req.route].label : "other";
		if (rt == NULL && e == ERR_METHOD_NOT_ALLOWED &&
		    is_preflight(&x))
			e = do_preflight(&x);
		else if (rt != NULL && (rt->fields == 0 ||
		    (e = http_body(io, cfg, rt->fields, &x.req)) == ERR_OK) &&
		    (!rt->bearer || (e = http_bearer(io, &x.req)) == ERR_OK))
			e = rt->fn(&x);
	}

	if (e != ERR_OK)
		reply_error(&out, e, x.req.field, x.req.allow, x.retry_after);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	met_request(met_endpoint_of(x.endpoint), x.status != 0 ? x.status :
	    err_status(e), us);
	request_event(&x, e, us / 1000);
	http_req_clear(&x.req);
	tok_wipe(&x, sizeof(x));
}
