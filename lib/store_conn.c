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
 * Sentinel.  With redis_sentinels, opening means asking the sentinels for
 * the master and checking it with ROLE (conn_open_sentinel); a kept
 * connection asks again at most once a second (conn_master_moved), and a
 * command answered READONLY is sent once more to the master found again
 * (conn_readonly_retry), the one resend besides NOSCRIPT's EVAL.  Redis
 * Cluster is not routed here yet (cfg.c refuses redis_cluster_nodes).
 *
 * Acknowledged writes.  With redis_min_replicas_ack = N, the scripts of
 * script_acked[] go out with WAIT N behind them in the same round trip
 * (conn_run); fewer acknowledgements are ERR_UNAVAILABLE.
 *
 * Scripts.  A script is sent once per process with SCRIPT LOAD and then
 * run with EVALSHA; when Redis answers NOSCRIPT (it restarted, or SCRIPT
 * FLUSH) the body is sent with EVAL, which caches it again.
 */
#include <sys/time.h>

#include <time.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

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

/* Key P<mid><tag><name> into k: key_make with the tag between. */
static int
key_make2(const struct store *st, struct key *k, const char *mid,
    const char *tag, const char *name, size_t len)
{
	size_t	 tlen = strlen(tag);

	if (key_make(st, k, mid, NULL, 0, "") == -1 ||
	    tlen + len > sizeof(k->buf) - k->len)
		return -1;
	memcpy(k->buf + k->len, tag, tlen);
	if (len > 0)
		memcpy(k->buf + k->len + tlen, name, len);
	k->len += tlen + len;
	return 0;
}

void
store_slot_tag(const char *name, size_t len, char tag[STORE_TAG_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	size_t			 i;

	/* SHA-1 spreads names evenly over the tags; nothing secret rests on
	 * it (Lua's redis.sha1hex makes the same tag, see keys.lua).  A
	 * failing digest (out of memory) gives tag 0000: the keys are still
	 * consistent, only less spread. */
	memset(md, 0, sizeof(md));
	if (EVP_Digest(name, len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen < STORE_TAG_LEN / 2)
		memset(md, 0, sizeof(md));
	for (i = 0; i < STORE_TAG_LEN / 2; i++) {
		tag[2 * i] = hex[md[i] >> 4];
		tag[2 * i + 1] = hex[md[i] & 0x0f];
	}
	tag[STORE_TAG_LEN] = '\0';
}

int
key_user(const struct store *st, struct key *k, const char *mid,
    const char *name, size_t len)
{
	char	 tag[STORE_TAG_LEN + 3];

	tag[0] = '{';
	store_slot_tag(name, len, tag + 1);
	tag[STORE_TAG_LEN + 1] = '}';
	tag[STORE_TAG_LEN + 2] = '\0';
	return key_make2(st, k, mid, tag, name, len);
}

int
key_session(const struct store *st, struct key *k, const char *sid,
    size_t len)
{
	char	 tag[STORE_TAG_LEN + 3];

	if (len != TOK_SID_LEN)
		return key_make(st, k, "session:", sid, len, "");
	tag[0] = '{';
	memcpy(tag + 1, sid + TOK_SID_RAND_LEN, STORE_TAG_LEN);
	tag[STORE_TAG_LEN + 1] = '}';
	tag[STORE_TAG_LEN + 2] = '\0';
	return key_make2(st, k, "session:", tag, sid, TOK_SID_RAND_LEN);
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

/* Commands one round trip may carry: the scripts and their WAIT. */
#define PIPE_MAX	(CONN_PIPE_MAX + 1)
/* Under Sentinel, how often a kept connection's master is asked again. */
#define SENTINEL_RECHECK_MS	1000

/*
 * The scripts whose writes create, rotate or end a session, revoke one,
 * or change a user record: with redis_min_replicas_ack > 0 each is
 * followed by WAIT in the same round trip.  The counting scripts of
 * brute-force regulation and the bearer check's lastUsedAt write are
 * not: losing one of them in a failover grants nothing.
 */
static const unsigned char script_acked[SCR__MAX] = {
	[SCR_SESSION_END] = 1,
	[SCR_USER_ADD] = 1,
	[SCR_USER_DEL] = 1,
	[SCR_USER_SET] = 1,
	[SCR_SESSION_REFRESH] = 1,
	[SCR_LOGIN_FINISH] = 1,
};

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

/* The configured timeout in milliseconds. */
static long
conn_timeout_ms(const struct store *st)
{

	return st->cfg->redis_timeout_ms > 0 ? st->cfg->redis_timeout_ms :
	    1000;
}

/* ms as a struct timeval. */
static struct timeval
conn_tv(long ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* 1 when the master is found through Redis Sentinel. */
static int
conn_sentinel(const struct store *st)
{

	return st->cfg->redis_sentinels.len > 0;
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

/* 1 when the kept connection of st may carry a command: it answered less
 * than CONN_PROBE_MS ago, or its socket has nothing to read. */
static int
conn_usable(const struct store *st)
{

	if (st->rc == NULL || st->rc->err != 0)
		return 0;
	return conn_now_ms() - st->used_ms < CONN_PROBE_MS ||
	    conn_alive(st->rc);
}

/*
 * Run one command c on rc during a handshake (AUTH, SELECT, the sentinel
 * question, ROLE); what and where name it in the log.  On ERR_OK *rp
 * holds a reply that is not an error (the caller frees it), or rp is NULL
 * and the reply was dropped.  An error reply or no reply is logged and
 * ERR_UNAVAILABLE: that server is unusable as configured.
 */
static enum err
conn_handshake(redisContext *rc, const char *where, const char *what,
    struct rcmd *c, redisReply **rp)
{
	redisReply	*r;

	if (rp != NULL)
		*rp = NULL;
	r = redisCommandArgv(rc, c->argc, c->argv, c->len);
	if (r == NULL) {
		log_err("redis: %s: %s: %s", where, what, rc->errstr);
		return ERR_UNAVAILABLE;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_err("redis: %s: %s: %.*s", where, what,
		    (int)(r->len < ERRLOG_MAX ? r->len : ERRLOG_MAX), r->str);
		freeReplyObject(r);
		return ERR_UNAVAILABLE;
	}
	if (rp != NULL)
		*rp = r;
	else
		freeReplyObject(r);
	return ERR_OK;
}

/*
 * Connect to host:port, or to the unix socket path when host is NULL,
 * within tv; set the command timeout to cmd.  Returns the context, or
 * NULL (logged, nothing to free).  where names the server in the log.
 */
static redisContext *
conn_connect(const char *host, int port, const char *path,
    struct timeval tv, struct timeval cmd, const char *where)
{
	redisContext	*rc;

	if (path != NULL)
		rc = redisConnectUnixWithTimeout(path, tv);
	else
		rc = redisConnectWithTimeout(host, port, tv);
	if (rc == NULL) {
		log_err("redis: connect %s: out of memory", where);
		return NULL;
	}
	if (rc->err != 0) {
		log_err("redis: connect %s: %s", where, rc->errstr);
		redisFree(rc);
		return NULL;
	}
	if (redisSetTimeout(rc, cmd) != REDIS_OK) {
		log_err("redis: %s: set timeout: %s", where, rc->errstr);
		redisFree(rc);
		return NULL;
	}
	return rc;
}

/*
 * AUTH (user may be "", password "" means no AUTH) on rc.  Returns
 * ERR_OK or ERR_UNAVAILABLE (logged, without the password).
 */
static enum err
conn_auth(redisContext *rc, const char *where, const char *user,
    const char *password)
{
	struct rcmd	 cmd;

	if (password[0] == '\0' && user[0] == '\0')
		return ERR_OK;
	memset(&cmd, 0, sizeof(cmd));
	rcmd_str(&cmd, "AUTH");
	if (user[0] != '\0')
		rcmd_str(&cmd, user);
	rcmd_str(&cmd, password);
	return conn_handshake(rc, where, "AUTH", &cmd, NULL);
}

/* AUTH and SELECT on the fresh data connection st->rc, as configured. */
static enum err
conn_setup(struct store *st, const char *where)
{
	const struct cfg	*c = st->cfg;
	struct rcmd		 cmd;
	char			 db[NUM_MAX];

	if (conn_auth(st->rc, where, c->redis_username, c->redis_password) !=
	    ERR_OK)
		return ERR_UNAVAILABLE;
	if (c->redis_db != 0) {
		memset(&cmd, 0, sizeof(cmd));
		rcmd_str(&cmd, "SELECT");
		rcmd_str(&cmd, num_fmt(db, c->redis_db));
		if (conn_handshake(st->rc, where, "SELECT", &cmd, NULL) !=
		    ERR_OK)
			return ERR_UNAVAILABLE;
	}
	return ERR_OK;
}

/*
 * Ask sentinel n for the address of the master named redis_master_name
 * (SENTINEL get-master-addr-by-name), with tv for the connect and each
 * command.  On ERR_OK host (CFG_HOST_MAX + 1 bytes) and *port hold it;
 * else ERR_UNAVAILABLE (logged: the sentinel is down, refused us, or does
 * not know the master).
 */
static enum err
conn_ask_sentinel(const struct store *st, const struct cfg_node *n,
    struct timeval tv, char host[CFG_HOST_MAX + 1], int *port)
{
	const struct cfg	*c = st->cfg;
	redisContext		*rc;
	redisReply		*r = NULL;
	struct rcmd		 cmd;
	char			 where[CFG_HOST_MAX + 32];
	long			 p;
	enum err		 e = ERR_UNAVAILABLE;

	snprintf(where, sizeof(where), "sentinel %s:%d", n->host, n->port);
	if ((rc = conn_connect(n->host, n->port, NULL, tv, tv, where)) == NULL)
		return ERR_UNAVAILABLE;
	if (conn_auth(rc, where, c->redis_sentinel_username,
	    c->redis_sentinel_password) != ERR_OK)
		goto out;
	memset(&cmd, 0, sizeof(cmd));
	rcmd_str(&cmd, "SENTINEL");
	rcmd_str(&cmd, "get-master-addr-by-name");
	rcmd_str(&cmd, c->redis_master_name);
	if (conn_handshake(rc, where, "SENTINEL get-master-addr-by-name",
	    &cmd, &r) != ERR_OK)
		goto out;
	if (r->type == REDIS_REPLY_NIL) {
		log_err("redis: %s: does not know master %s", where,
		    c->redis_master_name);
		goto out;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    r->element[0]->len == 0 || r->element[0]->len > CFG_HOST_MAX ||
	    memchr(r->element[0]->str, '\0', r->element[0]->len) != NULL ||
	    num_parse(r->element[1]->str, r->element[1]->len, &p) == -1 ||
	    p < 1 || p > 65535) {
		log_err("redis: %s: unexpected answer for master %s", where,
		    c->redis_master_name);
		goto out;
	}
	memcpy(host, r->element[0]->str, r->element[0]->len);
	host[r->element[0]->len] = '\0';
	*port = (int)p;
	e = ERR_OK;
out:
	if (r != NULL)
		freeReplyObject(r);
	redisFree(rc);
	return e;
}

/*
 * 1 if the server of st->rc says with ROLE that it is a master.  A
 * sentinel's view lags a failover by a moment: the address it gave may
 * already be a replica.
 */
static int
conn_is_master(struct store *st, const char *where)
{
	struct rcmd	 cmd;
	redisReply	*r = NULL;
	int		 ok;

	memset(&cmd, 0, sizeof(cmd));
	rcmd_str(&cmd, "ROLE");
	if (conn_handshake(st->rc, where, "ROLE", &cmd, &r) != ERR_OK)
		return 0;
	ok = r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	    (r->element[0]->type == REDIS_REPLY_STRING ||
	    r->element[0]->type == REDIS_REPLY_STATUS) &&
	    r->element[0]->len == 6 &&
	    memcmp(r->element[0]->str, "master", 6) == 0;
	if (!ok)
		log_warn("redis: %s: ROLE is not master", where);
	freeReplyObject(r);
	return ok;
}

/*
 * Find the master through the sentinels and connect to it, before
 * deadline (conn_now_ms() time).  The sentinels are asked in turn,
 * starting with the one that answered last; the address one gives is
 * used only when ROLE there says master, else the next sentinel is asked.
 * Returns ERR_OK with st->rc connected, or ERR_UNAVAILABLE.
 */
static enum err
conn_open_sentinel(struct store *st, long long deadline)
{
	const struct cfg_nodes	*ns = &st->cfg->redis_sentinels;
	struct timeval		 cmd = conn_tv(conn_timeout_ms(st));
	char			 host[CFG_HOST_MAX + 1];
	char			 where[CFG_STR_MAX + CFG_HOST_MAX + 32];
	long long		 left;
	size_t			 i, k;
	int			 port;

	for (k = 0; k < ns->len; k++) {
		i = (st->sentinel_next + k) % ns->len;
		if ((left = deadline - conn_now_ms()) <= 0)
			break;
		if (conn_ask_sentinel(st, &ns->node[i], conn_tv((long)left),
		    host, &port) != ERR_OK)
			continue;
		if ((left = deadline - conn_now_ms()) <= 0)
			break;
		snprintf(where, sizeof(where), "master %s %s:%d",
		    st->cfg->redis_master_name, host, port);
		st->rc = conn_connect(host, port, NULL, conn_tv((long)left),
		    cmd, where);
		if (st->rc == NULL)
			continue;
		if (conn_setup(st, where) == ERR_OK &&
		    conn_is_master(st, where)) {
			st->sentinel_next = i;
			memcpy(st->master_host, host, sizeof(host));
			st->master_port = port;
			st->master_asked = conn_now_ms();
			return ERR_OK;
		}
		conn_drop(st);
	}
	log_err("redis: no master %s found through %zu sentinels",
	    st->cfg->redis_master_name, ns->len);
	return ERR_UNAVAILABLE;
}

/*
 * 1 when the sentinel asked first now names another master than the one
 * st is connected to, asked at most once every SENTINEL_RECHECK_MS.  A
 * manual failover (SENTINEL FAILOVER) leaves the old master running as a
 * master, its clients connected, until Sentinel turns it into a replica
 * some 8-10 s later: without this check every write of that time would
 * go to the old master and be lost when it resyncs.  A sentinel that
 * does not answer changes nothing (the next check asks the next one).
 */
static int
conn_master_moved(struct store *st, long long deadline)
{
	const struct cfg_nodes	*ns = &st->cfg->redis_sentinels;
	char			 host[CFG_HOST_MAX + 1];
	long long		 now = conn_now_ms(), left;
	long			 ms = conn_timeout_ms(st);
	int			 port;

	if (now - st->master_asked < SENTINEL_RECHECK_MS)
		return 0;
	st->master_asked = now;
	if ((left = deadline - now) <= 0)
		return 0;
	if (left < ms)
		ms = (long)left;
	if (conn_ask_sentinel(st, &ns->node[st->sentinel_next % ns->len],
	    conn_tv(ms), host, &port) != ERR_OK) {
		st->sentinel_next = (st->sentinel_next + 1) % ns->len;
		return 0;
	}
	if (port == st->master_port && strcmp(host, st->master_host) == 0)
		return 0;
	log_warn("redis: master %s moved from %s:%d to %s:%d",
	    st->cfg->redis_master_name, st->master_host, st->master_port,
	    host, port);
	return 1;
}

/*
 * Make sure st has a usable connection: keep the current one if its socket
 * is still open (and, under Sentinel, the master has not moved:
 * conn_master_moved), else connect: through the sentinels when configured
 * (before deadline), else to redis_socket or redis_host:redis_port; then
 * AUTH and SELECT as configured.  Returns ERR_OK or ERR_UNAVAILABLE
 * (logged); on failure st has no connection.
 */
static enum err
conn_open(struct store *st, long long deadline)
{
	const struct cfg	*c = st->cfg;
	struct timeval		 tv = conn_tv(conn_timeout_ms(st));
	char			 where[CFG_STR_MAX + 16];

	if (conn_usable(st) &&
	    (!conn_sentinel(st) || !conn_master_moved(st, deadline)))
		return ERR_OK;
	conn_drop(st);
	if (conn_sentinel(st))
		return conn_open_sentinel(st, deadline);

	if (c->redis_socket[0] != '\0')
		snprintf(where, sizeof(where), "%s", c->redis_socket);
	else
		snprintf(where, sizeof(where), "%s:%d", c->redis_host,
		    c->redis_port);
	st->rc = conn_connect(c->redis_host, c->redis_port,
	    c->redis_socket[0] != '\0' ? c->redis_socket : NULL, tv, tv,
	    where);
	if (st->rc == NULL)
		return ERR_UNAVAILABLE;
	if (conn_setup(st, where) != ERR_OK) {
		conn_drop(st);
		return ERR_UNAVAILABLE;
	}
	conn_used(st);
	return ERR_OK;
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
 * Send the n commands of c in one round trip (all written before any
 * reply is read, so Redis runs them in that order) and read their
 * replies into r[0..n-1] (freed by the caller with freeReplyObject; each
 * may be an error reply).  The connection is opened first if needed,
 * before deadline when it goes through the sentinels.  On an I/O error or
 * timeout the connection is dropped and ERR_UNAVAILABLE returned with
 * every r[i] NULL.
 */
static enum err
conn_pipe(struct store *st, const char *what, struct rcmd *c, int n,
    redisReply **r, long long deadline)
{
	void		*rep;
	enum err	 e;
	int		 i, batch;

	for (i = 0; i < n; i++)
		r[i] = NULL;
	for (i = 0; i < n; i++)
		if (c[i].over) {
			log_err("redis: %s: too many arguments", what);
			return ERR_INTERNAL;
		}
	if ((e = conn_open(st, deadline)) != ERR_OK)
		return e;
	batch = flush_append(st, 0);
	for (i = 0; i < n; i++)
		if (redisAppendCommandArgv(st->rc, c[i].argc, c[i].argv,
		    c[i].len) != REDIS_OK)
			goto fail;
	if (batch && flush_reply(st) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		rep = NULL;
		if (redisGetReply(st->rc, &rep) != REDIS_OK || rep == NULL)
			goto fail;
		r[i] = rep;
	}
	conn_used(st);
	return ERR_OK;
fail:
	for (i = 0; i < n; i++) {
		if (r[i] != NULL)
			freeReplyObject(r[i]);
		r[i] = NULL;
	}
	return conn_io_fail(st, what);
}

/* 1 if r is an error reply whose code is code (a word, e.g. "READONLY"). */
static int
reply_code(const redisReply *r, const char *code)
{
	size_t	 n = strlen(code);

	return r != NULL && r->type == REDIS_REPLY_ERROR && r->len >= n &&
	    strncmp(r->str, code, n) == 0 && (r->len == n || r->str[n] == ' ');
}

/*
 * Translate an error reply r of command what: ERR_UNAVAILABLE (and a
 * fresh connection next time) for the codes of unavailable_errors[],
 * else ERR_INTERNAL; both are logged.  ERR_OK when r is not an error.
 */
static enum err
conn_reply_err(struct store *st, const char *what, const redisReply *r)
{
	size_t	 i;
	int	 len;

	if (r->type != REDIS_REPLY_ERROR)
		return ERR_OK;
	len = (int)(r->len < ERRLOG_MAX ? r->len : ERRLOG_MAX);
	for (i = 0; i < sizeof(unavailable_errors) /
	    sizeof(unavailable_errors[0]); i++) {
		if (reply_code(r, unavailable_errors[i])) {
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
 * May a command answered READONLY be sent once more?  Under Sentinel a
 * READONLY answer means the server we hold was turned into a replica (a
 * failover) and did not run the command, so it is safe to send again,
 * once, to the master the sentinels name now, while the time since start
 * is within redis_timeout_ms.  The connection is dropped either way.
 */
static int
conn_readonly_retry(struct store *st, const char *what, long long start,
    int *retried)
{

	if (!conn_sentinel(st) || *retried ||
	    conn_now_ms() - start >= conn_timeout_ms(st))
		return 0;
	*retried = 1;
	log_warn("redis: %s: READONLY: asking the sentinels for the master "
	    "again", what);
	conn_drop(st);
	return 1;
}

/* Build into *c the WAIT for redis_min_replicas_ack replicas, for at
 * most three quarters of redis_timeout_ms (its answer comes before the
 * command timeout).  c points into buf. */
static void
wait_cmd(const struct store *st, struct rcmd *c, char buf[2][NUM_MAX])
{
	long	 ms = conn_timeout_ms(st);

	ms -= ms / 4;
	memset(c, 0, sizeof(*c));
	rcmd_str(c, "WAIT");
	rcmd_str(c, num_fmt(buf[0], st->cfg->redis_min_replicas_ack));
	rcmd_str(c, num_fmt(buf[1], ms > 0 ? ms : 1));
}

/*
 * Check WAIT's reply w after the writes of what: ERR_OK when at least
 * redis_min_replicas_ack replicas acknowledged them.  Otherwise the
 * writes may vanish in a failover: logged, the connection dropped (the
 * next call finds the master again), ERR_UNAVAILABLE.
 */
static enum err
conn_wait_check(struct store *st, const char *what, const redisReply *w)
{

	if (w != NULL && w->type == REDIS_REPLY_INTEGER &&
	    w->integer >= st->cfg->redis_min_replicas_ack)
		return ERR_OK;
	if (w != NULL && w->type == REDIS_REPLY_INTEGER)
		log_warn("redis: %s: WAIT: %lld of %d replicas acknowledged",
		    what, w->integer, st->cfg->redis_min_replicas_ack);
	else if (w != NULL && w->type == REDIS_REPLY_ERROR)
		log_warn("redis: %s: WAIT: %.*s", what,
		    (int)(w->len < ERRLOG_MAX ? w->len : ERRLOG_MAX), w->str);
	else
		log_warn("redis: %s: WAIT: unexpected reply", what);
	conn_drop(st);
	return ERR_UNAVAILABLE;
}

/*
 * Run command c; on ERR_OK *rp holds a reply that is not an error (the
 * caller frees it).  Otherwise *rp is NULL.  A READONLY answer under
 * Sentinel sends c once more to the master found again.
 */
enum err
conn_cmd(struct store *st, struct rcmd *c, redisReply **rp)
{
	long long	 start = conn_now_ms();
	enum err	 e;
	int		 retried = 0;

again:
	if ((e = conn_pipe(st, c->argv[0], c, 1, rp,
	    start + conn_timeout_ms(st))) != ERR_OK)
		return e;
	if (reply_code(*rp, "READONLY") &&
	    conn_readonly_retry(st, c->argv[0], start, &retried)) {
		freeReplyObject(*rp);
		*rp = NULL;
		goto again;
	}
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
	if ((e = conn_pipe(st, "SCRIPT LOAD", &c, 1, &r,
	    conn_now_ms() + conn_timeout_ms(st))) != ERR_OK)
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

/* Turn c, built by script_cmd, into the EVAL of script id. */
static void
script_eval(struct rcmd *c, enum script id)
{

	c->argv[0] = "EVAL";
	c->len[0] = 4;
	c->argv[1] = lua_scripts[id].body;
	c->len[1] = strlen(lua_scripts[id].body);
}

/* Free the n replies of r and set them NULL. */
static void
replies_free(redisReply **r, int n)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (r[i] != NULL)
			freeReplyObject(r[i]);
		r[i] = NULL;
	}
}

/*
 * Run the n (1 or 2) scripts id[i] with nkeys[i] keys and arguments a[i]
 * in one round trip, in that order but not as one transaction: each runs
 * even when the one before failed.  When one of them is of script_acked[]
 * and redis_min_replicas_ack is set, a WAIT follows in the same round
 * trip.  A script that Redis answers NOSCRIPT is sent again on its own
 * with EVAL (and its WAIT).  When every script is answered READONLY under
 * Sentinel, the round trip is made once more on the master found again
 * (conn_readonly_retry).  On return r[i] holds script i's reply when it
 * is not an error, else NULL (the caller frees them).  The result is
 * ERR_OK when every reply is there and, with WAIT, enough replicas
 * acknowledged; else the first error (and every r[i] NULL when the
 * acknowledgement failed).
 */
static enum err
conn_run(struct store *st, int n, const enum script id[],
    const int nkeys[], const struct rcmd a[], redisReply *r[])
{
	struct rcmd	 c[PIPE_MAX], w, one[2];
	redisReply	*rr[PIPE_MAX], *wr = NULL;
	char		 nk[PIPE_MAX][NUM_MAX], wb[2][NUM_MAX];
	const char	*what = lua_scripts[id[0]].name;
	long long	 start = conn_now_ms();
	enum err	 e, ei;
	int		 i, acked = 0, ro, retried = 0;

	for (i = 0; i < n; i++)
		r[i] = NULL;
	if (st->cfg->redis_min_replicas_ack > 0)
		for (i = 0; i < n; i++)
			acked |= script_acked[id[i]];
	if (acked)
		wait_cmd(st, &w, wb);

again:
	for (i = 0; i < n; i++) {
		if ((e = conn_script_load(st, id[i])) != ERR_OK)
			return e;
		script_cmd(st, id[i], nkeys[i], &a[i], &c[i], nk[i]);
	}
	if (acked)
		c[n] = w;
	if ((e = conn_pipe(st, what, c, n + acked, rr,
	    start + conn_timeout_ms(st))) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		r[i] = rr[i];
	wr = acked ? rr[n] : NULL;

	for (i = 0, ro = 1; i < n; i++)
		ro &= reply_code(r[i], "READONLY");
	if (ro && conn_readonly_retry(st, what, start, &retried)) {
		replies_free(r, n);
		replies_free(&wr, 1);
		goto again;
	}

	e = ERR_OK;
	for (i = 0; i < n; i++) {
		if (reply_code(r[i], "NOSCRIPT")) {
			/* Sent again alone, as EVAL, with its WAIT. */
			replies_free(&r[i], 1);
			one[0] = c[i];
			script_eval(&one[0], id[i]);
			if (acked)
				one[1] = w;
			ei = conn_pipe(st, lua_scripts[id[i]].name, one,
			    1 + acked, rr, start + conn_timeout_ms(st));
			if (ei != ERR_OK) {
				if (e == ERR_OK)
					e = ei;
				continue;
			}
			r[i] = rr[0];
			if (acked) {
				replies_free(&wr, 1);
				wr = rr[1];
			}
		}
		if ((ei = conn_reply_err(st, lua_scripts[id[i]].name, r[i])) !=
		    ERR_OK) {
			replies_free(&r[i], 1);
			if (e == ERR_OK)
				e = ei;
		}
	}
	if (acked && e == ERR_OK &&
	    (e = conn_wait_check(st, what, wr)) != ERR_OK)
		replies_free(r, n);
	replies_free(&wr, 1);
	return e;
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

	return conn_run(st, 1, &id, &nkeys, a, rp);
}

enum err
conn_scripts(struct store *st, int n, const enum script id[],
    const int nkeys[], const struct rcmd a[], redisReply *r[])
{

	if (n < 1 || n > CONN_PIPE_MAX) {
		log_err("redis: %d scripts in one round trip", n);
		return ERR_INTERNAL;
	}
	return conn_run(st, n, id, nkeys, a, r);
}

/*
 * SCAN the keys matching glob match (len bytes), COUNT 1000 a step, one
 * fn(arg, key, keylen) call per key found (SCAN may name a key twice; the
 * key's bytes are only valid during the call).  A non-zero return of fn
 * ends the walk (ERR_OK).
 */
enum err
conn_scan(struct store *st, const char *match, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	struct rcmd	 c;
	redisReply	*r = NULL, *ks;
	char		 cursor[NUM_MAX] = "0";
	enum err	 e;
	size_t		 i;

	do {
		memset(&c, 0, sizeof(c));
		rcmd_str(&c, "SCAN");
		rcmd_str(&c, cursor);
		rcmd_str(&c, "MATCH");
		rcmd_add(&c, match, len);
		rcmd_str(&c, "COUNT");
		rcmd_str(&c, "1000");
		if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
			return e;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[0]->len == 0 ||
		    r->element[0]->len >= sizeof(cursor) ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			log_err("redis: SCAN: unexpected reply");
			freeReplyObject(r);
			return ERR_INTERNAL;
		}
		memcpy(cursor, r->element[0]->str, r->element[0]->len);
		cursor[r->element[0]->len] = '\0';
		ks = r->element[1];
		for (i = 0; i < ks->elements; i++) {
			if (ks->element[i]->type != REDIS_REPLY_STRING)
				continue;
			if (fn(arg, ks->element[i]->str,
			    ks->element[i]->len) != 0) {
				freeReplyObject(r);
				return ERR_OK;
			}
		}
		freeReplyObject(r);
		r = NULL;
	} while (strcmp(cursor, "0") != 0);
	return ERR_OK;
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
	if ((e = conn_open(st, conn_now_ms() + conn_timeout_ms(st))) !=
	    ERR_OK) {
		met_postpone();
		return e;
	}
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
	if ((e = conn_open(st, conn_now_ms() + conn_timeout_ms(st))) !=
	    ERR_OK)
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
