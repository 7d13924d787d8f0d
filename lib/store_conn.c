/*
 * store_conn.c - the store's Redis connection and its command and script
 * runner; the arguments, keys and numbers every store file builds.
 *
 * Connection.  Opened lazily; connect and command timeout are
 * redis_timeout_ms, then AUTH and SELECT as configured.  Before a command
 * goes out on a connection that was idle for CONN_PROBE_MS or more, the
 * socket is polled without waiting: if the server closed it (restart,
 * CLIENT KILL, its idle timeout), it is dropped and reopened before
 * anything is sent, so a long-lived worker survives a Redis restart
 * without failing a request.  A connection that answered less than
 * CONN_PROBE_MS ago (the previous round trip of the same request, or a
 * busy worker's last request) is used without the probe, a poll(2) saved
 * per round trip; a server gone within that window costs the one request
 * an ERR_UNAVAILABLE, as any loss during a command does.
 * A command is never sent twice: after an I/O error or a timeout its
 * effect is unknown, so the connection is dropped (the next call
 * reconnects) and the caller gets ERR_UNAVAILABLE.  The same happens on
 * error replies that mean "not now" (LOADING, BUSY, READONLY, ...); any
 * other error reply is ERR_INTERNAL and is logged without arguments.
 * hiredis writes with write(2): the program must ignore SIGPIPE.
 *
 * Scripts.  A script is sent once per process with SCRIPT LOAD and then
 * run with EVALSHA; when Redis answers NOSCRIPT (it restarted, or SCRIPT
 * FLUSH) the body is sent with EVAL, which caches it again.
 */
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/*
 * Error replies that mean Redis cannot serve us right now, rather than a
 * bug: ERR_UNAVAILABLE and a fresh connection for the next call.
 */
static const char *const unavailable_errors[] = {
	"LOADING", "BUSY", "MASTERDOWN", "NOAUTH", "READONLY", "MISCONF",
	"TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "OOM",
};

/* ---- small helpers ---- */

void
rcmd_add(struct rcmd *c, const char *p, size_t len)
{

	if (c->argc >= RCMD_ARGS_MAX) {
		c->over = 1;
		return;
	}
	c->argv[c->argc] = p;
	c->len[c->argc] = len;
	c->argc++;
}

void
rcmd_str(struct rcmd *c, const char *p)
{

	rcmd_add(c, p, strlen(p));
}

/*
 * Build key P<mid><name><end> into k (name is len bytes, may be NULL when
 * len is 0).  Returns 0, or -1 when it does not fit.
 */
int
key_make(const struct store *st, struct key *k, const char *mid,
    const char *name, size_t len, const char *end)
{
	size_t	 plen, mlen, elen;

	plen = strnlen(st->cfg->key_prefix, sizeof(st->cfg->key_prefix));
	mlen = strlen(mid);
	elen = strlen(end);
	if (len > sizeof(k->buf) || plen + mlen + elen > sizeof(k->buf) - len)
		return -1;
	memcpy(k->buf, st->cfg->key_prefix, plen);
	memcpy(k->buf + plen, mid, mlen);
	if (len > 0)
		memcpy(k->buf + plen + mlen, name, len);
	memcpy(k->buf + plen + mlen + len, end, elen);
	k->len = plen + mlen + len + elen;
	return 0;
}

int
name_ok(const char *name, size_t len)
{

	return name != NULL && len > 0 && len <= LIM_USER_MAX;
}

int
sid_ok(const char *sid, size_t len)
{

	return sid != NULL && len > 0 && len <= LIM_TOKEN_MAX;
}

/* 1 if p (len bytes) is TOK_HASH_LEN lowercase hex characters. */
int
hash_ok(const char *p, size_t len)
{
	size_t	 i;

	if (p == NULL || len != TOK_HASH_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* 1 if the three NUL-terminated hashes of h are well formed. */
int
hashes_ok(const struct store_hashes *h)
{

	return h != NULL &&
	    hash_ok(h->authorization_hash, strnlen(h->authorization_hash, sizeof(h->authorization_hash))) &&
	    hash_ok(h->corban_hash, strnlen(h->corban_hash, sizeof(h->corban_hash))) &&
	    hash_ok(h->refresh_hash, strnlen(h->refresh_hash, sizeof(h->refresh_hash)));
}

/*
 * Parse p (len bytes) as a non-negative decimal of at most 18 digits into
 * *out.  Returns 0, or -1 on anything else.
 */
int
num_parse(const char *p, size_t len, long *out)
{
	long	 v;
	size_t	 i;

	if (len == 0 || len > 18)
		return -1;
	for (v = 0, i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Write v in decimal into buf (NUM_MAX bytes); returns buf. */
const char *
num_fmt(char buf[NUM_MAX], long v)
{

	snprintf(buf, NUM_MAX, "%ld", v);
	return buf;
}

/* ---- connection ---- */

#define CONN_PROBE_MS	100	/* idle time after which a reply is probed */

/* Milliseconds of CLOCK_MONOTONIC. */
static long long
conn_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The connection of st just delivered a reply: no probe for a while. */
static void
conn_used(struct store *st)
{

	st->used_ms = conn_now_ms();
}

static void
conn_drop(struct store *st)
{

	if (st->rc != NULL) {
		redisFree(st->rc);
		st->rc = NULL;
	}
}

/*
 * 1 if the idle connection rc may carry a command: its socket has nothing
 * to read.  A readable idle socket means the server closed it (EOF) or
 * sent something we never asked for; either way it is unusable.
 */
static int
conn_alive(const redisContext *rc)
{
	struct pollfd	 pfd;
	int		 n;

	if (rc->err != 0 || rc->fd < 0)
		return 0;
	pfd.fd = rc->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	n = poll(&pfd, 1, 0);
	if (n < 0)
		return errno == EINTR;
	return n == 0;
}

/*
 * Run one command on the fresh connection of st during the handshake
 * (AUTH, SELECT); what names it in the log.  Returns ERR_OK or
 * ERR_UNAVAILABLE (an error reply too: Redis is unusable as configured).
 */
static enum err
conn_handshake(struct store *st, const char *what, struct rcmd *c)
{
	redisReply	*r;
	enum err	 e;

	r = redisCommandArgv(st->rc, c->argc, c->argv, c->len);
	if (r == NULL) {
		log_err("redis: %s: %s", what, st->rc->errstr);
		return ERR_UNAVAILABLE;
	}
	e = ERR_OK;
	if (r->type == REDIS_REPLY_ERROR) {
		log_err("redis: %s: %.*s", what,
		    (int)(r->len < ERRLOG_MAX ? r->len : ERRLOG_MAX), r->str);
		e = ERR_UNAVAILABLE;
	}
	freeReplyObject(r);
	return e;
}

/*
 * Make sure st has a usable connection: keep the current one if its socket
 * is still open, else connect (TCP or unix socket), set the command
 * timeout, AUTH and SELECT as configured.  Returns ERR_OK or
 * ERR_UNAVAILABLE (logged); on failure st has no connection.
 */
static enum err
conn_open(struct store *st)
{
	const struct cfg	*c = st->cfg;
	struct timeval		 tv;
	struct rcmd		 cmd;
	char			 db[NUM_MAX];
	long			 ms;
	enum err		 e;

	if (st->rc != NULL && st->rc->err == 0 &&
	    conn_now_ms() - st->used_ms < CONN_PROBE_MS)
		return ERR_OK;
	if (st->rc != NULL && conn_alive(st->rc))
		return ERR_OK;
	conn_drop(st);

	ms = c->redis_timeout_ms > 0 ? c->redis_timeout_ms : 1000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (c->redis_socket[0] != '\0')
		st->rc = redisConnectUnixWithTimeout(c->redis_socket, tv);
	else
		st->rc = redisConnectWithTimeout(c->redis_host,
		    c->redis_port, tv);
	if (st->rc == NULL) {
		log_err("redis: connect: out of memory");
		return ERR_UNAVAILABLE;
	}
	e = ERR_UNAVAILABLE;
	if (st->rc->err != 0) {
		if (c->redis_socket[0] != '\0')
			log_err("redis: connect %s: %s", c->redis_socket,
			    st->rc->errstr);
		else
			log_err("redis: connect %s:%d: %s", c->redis_host,
			    c->redis_port, st->rc->errstr);
		goto out;
	}
	if (redisSetTimeout(st->rc, tv) != REDIS_OK) {
		log_err("redis: set timeout: %s", st->rc->errstr);
		goto out;
	}
	if (c->redis_password[0] != '\0' || c->redis_username[0] != '\0') {
		memset(&cmd, 0, sizeof(cmd));
		rcmd_str(&cmd, "AUTH");
		if (c->redis_username[0] != '\0')
			rcmd_str(&cmd, c->redis_username);
		rcmd_str(&cmd, c->redis_password);
		if (conn_handshake(st, "AUTH", &cmd) != ERR_OK)
			goto out;
	}
	if (c->redis_db != 0) {
		memset(&cmd, 0, sizeof(cmd));
		rcmd_str(&cmd, "SELECT");
		rcmd_str(&cmd, num_fmt(db, c->redis_db));
		if (conn_handshake(st, "SELECT", &cmd) != ERR_OK)
			goto out;
	}
	e = ERR_OK;
	conn_used(st);
out:
	if (e != ERR_OK)
		conn_drop(st);
	return e;
}

/*
 * The command what got no reply on the connection of st (I/O error,
 * timeout, EOF): log it and drop the connection.  Returns ERR_UNAVAILABLE.
 */
static enum err
conn_io_fail(struct store *st, const char *what)
{

	if (st->rc->err == REDIS_ERR_IO &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		log_err("redis: %s: no answer within %d ms", what,
		    st->cfg->redis_timeout_ms);
	else
		log_err("redis: %s: %s", what, st->rc->err != 0 ?
		    st->rc->errstr : "no reply");
	met_redis_error();
	conn_drop(st);
	return ERR_UNAVAILABLE;
}

/* ---- metrics batches (store.h, metrics.h) ---- */

#define FLUSH_ARGS	(4 + 2 * MET_SLOTS)

/* The command of one batch; static, as one process sends one at a time. */
static struct {
	struct met_batch	 b;
	struct key		 k;
	const char		*argv[FLUSH_ARGS];
	size_t			 len[FLUSH_ARGS];
	int			 argc;
} flush;

/*
 * Take this worker's waiting counts and build the EVAL of metrics_add
 * into flush.  Returns 1 when there is a batch to send, 0 when nothing
 * waits (or the key does not fit, which cannot happen with a valid
 * key_prefix).  EVAL rather than EVALSHA: the script is short, and a
 * batch never needs a second try after NOSCRIPT.
 */
static int
flush_build(struct store *st)
{
	size_t	 i;

	if (met_take(&flush.b) == 0 ||
	    key_make(st, &flush.k, "metrics", NULL, 0, "") == -1)
		return 0;
	flush.argc = 0;
	flush.argv[flush.argc] = "EVAL";
	flush.len[flush.argc++] = 4;
	flush.argv[flush.argc] = lua_scripts[SCR_METRICS_ADD].body;
	flush.len[flush.argc++] = strlen(lua_scripts[SCR_METRICS_ADD].body);
	flush.argv[flush.argc] = "1";
	flush.len[flush.argc++] = 1;
	flush.argv[flush.argc] = flush.k.buf;
	flush.len[flush.argc++] = flush.k.len;
	for (i = 0; i < flush.b.n; i++) {
		flush.argv[flush.argc] = flush.b.field[i];
		flush.len[flush.argc++] = strlen(flush.b.field[i]);
		flush.argv[flush.argc] = flush.b.num[i];
		flush.len[flush.argc++] = strlen(flush.b.num[i]);
	}
	return 1;
}

/*
 * On the open connection of st, put the waiting batch in hiredis's
 * output buffer when one is due (force: whenever counts wait), to go out
 * in the same write as the command appended next.  Returns 1 when a
 * batch was appended (its reply comes first: flush_reply), else 0.
 */
static int
flush_append(struct store *st, int force)
{

	if (!st->cfg->metrics || !(force ? met_idle_ms() >= 0 : met_due()))
		return 0;
	if (!flush_build(st))
		return 0;
	return redisAppendCommandArgv(st->rc, flush.argc, flush.argv,
	    flush.len) == REDIS_OK;
}

/*
 * Read and drop the reply of an appended batch.  An error reply loses the
 * batch only (logged, counted); returns -1 when no reply came (the
 * connection is then unusable for the command after it too).
 */
static int
flush_reply(struct store *st)
{
	void		*rep = NULL;
	redisReply	*r;

	if (redisGetReply(st->rc, &rep) != REDIS_OK || rep == NULL)
		return -1;
	r = rep;
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis: metrics_add: %.*s; a batch of counts is lost",
		    (int)(r->len < ERRLOG_MAX ? r->len : ERRLOG_MAX), r->str);
		met_redis_error();
	}
	freeReplyObject(r);
	return 0;
}

/*
 * redisCommandArgv of c on the open connection of st, with a due batch
 * of counts written ahead of it in the same round trip.  Returns the
 * command's reply, or NULL on an I/O error or timeout.
 */
static redisReply *
conn_command(struct store *st, struct rcmd *c)
{
	void	*rep = NULL;

	if (!flush_append(st, 0))
		return redisCommandArgv(st->rc, c->argc, c->argv, c->len);
	if (redisAppendCommandArgv(st->rc, c->argc, c->argv, c->len) !=
	    REDIS_OK || flush_reply(st) == -1 ||
	    redisGetReply(st->rc, &rep) != REDIS_OK)
		return NULL;
	return rep;
}

/*
 * Send command c and read its reply into *rp (freed by the caller with
 * freeReplyObject; it may be an error reply).  On an I/O error or timeout
 * the connection is dropped and ERR_UNAVAILABLE returned with *rp NULL.
 */
static enum err
conn_send(struct store *st, const char *what, struct rcmd *c,
    redisReply **rp)
{
	enum err	 e;

	*rp = NULL;
	if (c->over) {
		log_err("redis: %s: too many arguments", what);
		return ERR_INTERNAL;
	}
	if ((e = conn_open(st)) != ERR_OK)
		return e;
	*rp = conn_command(st, c);
	if (*rp == NULL)
		return conn_io_fail(st, what);
	conn_used(st);
	return ERR_OK;
}

/*
 * Translate an error reply r of command what: ERR_UNAVAILABLE (and a
 * fresh connection next time) for the codes of unavailable_errors[],
 * else ERR_INTERNAL; both are logged.  ERR_OK when r is not an error.
 */
static enum err
conn_reply_err(struct store *st, const char *what, const redisReply *r)
{
	size_t	 i, n;
	int	 len;

	if (r->type != REDIS_REPLY_ERROR)
		return ERR_OK;
	len = (int)(r->len < ERRLOG_MAX ? r->len : ERRLOG_MAX);
	for (i = 0; i < sizeof(unavailable_errors) /
	    sizeof(unavailable_errors[0]); i++) {
		n = strlen(unavailable_errors[i]);
		if (r->len >= n &&
		    strncmp(r->str, unavailable_errors[i], n) == 0 &&
		    (r->len == n || r->str[n] == ' ')) {
			log_warn("redis: %s: %.*s", what, len, r->str);
			met_redis_error();
			conn_drop(st);
			return ERR_UNAVAILABLE;
		}
	}
	log_err("redis: %s: %.*s", what, len, r->str);
	met_redis_error();
	return ERR_INTERNAL;
}

/*
 * Run command c; on ERR_OK *rp holds a reply that is not an error (the
 * caller frees it).  Otherwise *rp is NULL.
 */
enum err
conn_cmd(struct store *st, struct rcmd *c, redisReply **rp)
{
	enum err	 e;

	if ((e = conn_send(st, c->argv[0], c, rp)) != ERR_OK)
		return e;
	if ((e = conn_reply_err(st, c->argv[0], *rp)) != ERR_OK) {
		freeReplyObject(*rp);
		*rp = NULL;
	}
	return e;
}

/*
 * Learn the SHA-1 of script id with SCRIPT LOAD unless known.  When Redis
 * refuses SCRIPT LOAD (an ACL, a proxy), the script is marked to be sent
 * with EVAL from now on.  Returns ERR_OK or a connection error.
 */
static enum err
conn_script_load(struct store *st, enum script id)
{
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;
	int		 ok;

	if (st->sha[id][0] != '\0')
		return ERR_OK;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "SCRIPT");
	rcmd_str(&c, "LOAD");
	rcmd_str(&c, lua_scripts[id].body);
	if ((e = conn_send(st, "SCRIPT LOAD", &c, &r)) != ERR_OK)
		goto out;
	if ((e = conn_reply_err(st, "SCRIPT LOAD", r)) == ERR_UNAVAILABLE)
		goto out;
	ok = e == ERR_OK && r->type == REDIS_REPLY_STRING &&
	    r->len == SHA_LEN;
	for (i = 0; ok && i < SHA_LEN; i++)
		ok = (r->str[i] >= '0' && r->str[i] <= '9') ||
		    (r->str[i] >= 'a' && r->str[i] <= 'f');
	if (ok) {
		memcpy(st->sha[id], r->str, SHA_LEN);
		st->sha[id][SHA_LEN] = '\0';
	} else {
		log_warn("redis: SCRIPT LOAD %s refused; using EVAL",
		    lua_scripts[id].name);
		memcpy(st->sha[id], "-", 2);
	}
	e = ERR_OK;
out:
	if (r != NULL)
		freeReplyObject(r);
	return e;
}

/*
 * Build into *c the command that runs script id with nkeys keys followed
 * by arguments, both in a (keys first): EVALSHA when the SHA-1 is known,
 * EVAL when Redis refused to load the script.  c points into a and into
 * st, which must outlive it.
 */
static void
script_cmd(const struct store *st, enum script id, int nkeys,
    const struct rcmd *a, struct rcmd *c, char nk[NUM_MAX])
{
	int	 i;

	memset(c, 0, sizeof(*c));
	if (st->sha[id][0] != '-') {
		rcmd_str(c, "EVALSHA");
		rcmd_str(c, st->sha[id]);
	} else {
		rcmd_str(c, "EVAL");
		rcmd_str(c, lua_scripts[id].body);
	}
	rcmd_str(c, num_fmt(nk, nkeys));
	for (i = 0; i < a->argc; i++)
		rcmd_add(c, a->argv[i], a->len[i]);
	c->over |= a->over;
}

/* 1 if r is Redis's answer to EVALSHA of a script it does not hold. */
static int
reply_noscript(const redisReply *r)
{

	return r->type == REDIS_REPLY_ERROR && r->len >= 8 &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0;
}

/* Turn c, built by script_cmd, into the EVAL of script id. */
static void
script_eval(struct rcmd *c, enum script id)
{

	c->argv[0] = "EVAL";
	c->len[0] = 4;
	c->argv[1] = lua_scripts[id].body;
	c->len[1] = strlen(lua_scripts[id].body);
}

/*
 * Run script id with nkeys keys followed by arguments, both in a (keys
 * first).  EVALSHA when the SHA-1 is known, EVAL when Redis does not have
 * the script (NOSCRIPT) or refused to load it.  On ERR_OK *rp holds a
 * reply that is not an error (the caller frees it); else *rp is NULL.
 */
enum err
conn_script(struct store *st, enum script id, int nkeys,
    const struct rcmd *a, redisReply **rp)
{
	struct rcmd	 c;
	char		 nk[NUM_MAX];
	enum err	 e;

	*rp = NULL;
	if ((e = conn_script_load(st, id)) != ERR_OK)
		return e;
	script_cmd(st, id, nkeys, a, &c, nk);
	if ((e = conn_send(st, lua_scripts[id].name, &c, rp)) != ERR_OK)
		return e;
	if (reply_noscript(*rp)) {
		freeReplyObject(*rp);
		script_eval(&c, id);
		if ((e = conn_send(st, lua_scripts[id].name, &c, rp)) != ERR_OK)
			return e;
	}
	if ((e = conn_reply_err(st, lua_scripts[id].name, *rp)) != ERR_OK) {
		freeReplyObject(*rp);
		*rp = NULL;
	}
	return e;
}

/*
 * Run two scripts of one key each in one round trip: script id[0] with
 * arguments a[0], then id[1] with a[1].  Both commands are written before
 * either reply is read, so Redis runs them in that order, but not as one
 * transaction (the two keys may live in different Cluster slots): the
 * second runs even when the first fails.  A script that Redis answers
 * NOSCRIPT is sent again on its own with EVAL.  On return r[i] holds
 * script i's reply when it is not an error, else NULL (the caller frees
 * both).  The result is ERR_OK when both replies are there, else the
 * first error.
 */
enum err
conn_script_pair(struct store *st, const enum script id[2],
    const struct rcmd a[2], redisReply *r[2])
{
	struct rcmd	 c[2];
	char		 nk[2][NUM_MAX];
	void		*rep;
	enum err	 e, ei;
	int		 i, batch;

	r[0] = r[1] = NULL;
	for (i = 0; i < 2; i++) {
		if ((e = conn_script_load(st, id[i])) != ERR_OK)
			return e;
		script_cmd(st, id[i], 1, &a[i], &c[i], nk[i]);
		if (c[i].over) {
			log_err("redis: %s: too many arguments",
			    lua_scripts[id[i]].name);
			return ERR_INTERNAL;
		}
	}
	if ((e = conn_open(st)) != ERR_OK)
		return e;
	batch = flush_append(st, 0);
	for (i = 0; i < 2; i++)
		if (redisAppendCommandArgv(st->rc, c[i].argc, c[i].argv,
		    c[i].len) != REDIS_OK)
			goto fail;
	if (batch && flush_reply(st) == -1)
		goto fail;
	for (i = 0; i < 2; i++) {
		rep = NULL;
		if (redisGetReply(st->rc, &rep) != REDIS_OK || rep == NULL)
			goto fail;
		r[i] = rep;
	}
	conn_used(st);

	e = ERR_OK;
	for (i = 0; i < 2; i++) {
		if (reply_noscript(r[i])) {
			freeReplyObject(r[i]);
			script_eval(&c[i], id[i]);
			if ((ei = conn_send(st, lua_scripts[id[i]].name, &c[i],
			    &r[i])) != ERR_OK) {
				if (e == ERR_OK)
					e = ei;
				continue;
			}
		}
		if ((ei = conn_reply_err(st, lua_scripts[id[i]].name, r[i])) !=
		    ERR_OK) {
			freeReplyObject(r[i]);
			r[i] = NULL;
			if (e == ERR_OK)
				e = ei;
		}
	}
	return e;

fail:
	for (i = 0; i < 2; i++) {
		if (r[i] != NULL)
			freeReplyObject(r[i]);
		r[i] = NULL;
	}
	return conn_io_fail(st, lua_scripts[id[0]].name);
}

/*
 * Run script id and expect an integer reply, stored in *v.  ERR_INTERNAL
 * (logged) on any other reply type.
 */
enum err
conn_script_int(struct store *st, enum script id, int nkeys,
    const struct rcmd *a, long long *v)
{
	redisReply	*r = NULL;
	enum err	 e;

	if ((e = conn_script(st, id, nkeys, a, &r)) != ERR_OK)
		return e;
	if (r->type == REDIS_REPLY_INTEGER)
		*v = r->integer;
	else {
		log_err("redis: %s: unexpected reply", lua_scripts[id].name);
		e = ERR_INTERNAL;
	}
	freeReplyObject(r);
	return e;
}

/* Run command c and expect an integer reply into *v, as store_script_int. */
enum err
conn_cmd_int(struct store *st, struct rcmd *c, long long *v)
{
	redisReply	*r = NULL;
	enum err	 e;

	if ((e = conn_cmd(st, c, &r)) != ERR_OK)
		return e;
	if (r->type == REDIS_REPLY_INTEGER)
		*v = r->integer;
	else {
		log_err("redis: %s: unexpected reply", c->argv[0]);
		e = ERR_INTERNAL;
	}
	freeReplyObject(r);
	return e;
}
/* ---- public ---- */

struct store *
store_open(const struct cfg *c)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->cfg = c;
	return st;
}

void
store_close(struct store *st)
{

	if (st == NULL)
		return;
	conn_drop(st);
	free(st);
}

enum err
store_ping(struct store *st)
{
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;

	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "PING");
	if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
		return ERR_UNAVAILABLE;
	if (r->type != REDIS_REPLY_STATUS || r->len != 4 ||
	    memcmp(r->str, "PONG", 4) != 0) {
		log_err("redis: PING: unexpected reply");
		e = ERR_UNAVAILABLE;
	}
	freeReplyObject(r);
	return e;
}

enum err
store_metrics_flush(struct store *st)
{
	enum err	 e;

	if (!st->cfg->metrics || met_idle_ms() < 0)
		return ERR_OK;
	if ((e = conn_open(st)) != ERR_OK)
		return e;
	if (!flush_append(st, 1))
		return ERR_OK;
	if (flush_reply(st) == -1)
		return conn_io_fail(st, "metrics_add");
	return ERR_OK;
}

enum err
store_metrics_read(struct store *st, unsigned long long totals[MET_SLOTS])
{
	struct rcmd	 c;
	struct key	 k;
	redisReply	*r = NULL;
	void		*rep = NULL;
	enum err	 e;
	size_t		 i;
	int		 batch;

	memset(&c, 0, sizeof(c));
	if (key_make(st, &k, "metrics", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	rcmd_str(&c, "HGETALL");
	rcmd_add(&c, k.buf, k.len);
	if ((e = conn_open(st)) != ERR_OK)
		return e;
	batch = flush_append(st, 1);
	if (redisAppendCommandArgv(st->rc, c.argc, c.argv, c.len) !=
	    REDIS_OK || (batch && flush_reply(st) == -1) ||
	    redisGetReply(st->rc, &rep) != REDIS_OK || rep == NULL)
		return conn_io_fail(st, "HGETALL metrics");
	r = rep;
	if ((e = conn_reply_err(st, "HGETALL metrics", r)) != ERR_OK)
		goto out;
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
		log_err("redis: HGETALL metrics: unexpected reply");
		e = ERR_INTERNAL;
		goto out;
	}
	for (i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			met_total(totals, r->element[i]->str,
			    r->element[i]->len, r->element[i + 1]->str,
			    r->element[i + 1]->len);
out:
	freeReplyObject(r);
	return e;
}
