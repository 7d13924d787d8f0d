/*
 * store.c - everything autenticacao keeps in Redis; store.h has the key
 * model.  The only file that includes hiredis.h.
 *
 * Commands.  Every command goes out through redisCommandArgv with an
 * explicit length for each argument: no format string is ever built, so
 * user names, session ids and hashes may hold any byte, '%' included.
 *
 * Scripts.  Every change of more than one field of one key is one Lua
 * script (the scripts[] table); a session write that also maintains the
 * user's index sends both scripts in one round trip (store_script_pair),
 * never one script over two keys, so each stays within one Cluster slot.  A script is sent once per process with SCRIPT
 * LOAD and then run with EVALSHA; when Redis answers NOSCRIPT (it restarted,
 * or SCRIPT FLUSH) the body is sent with EVAL, which caches it again.
 * Scripts never call TIME: the caller passes the time (unix seconds), so
 * tests control it and a script's effect depends on its arguments only.
 * Values computed in C (sexp, aexp candidates) are passed as decimal
 * strings, so Lua's doubles never format a stored number.
 *
 * Spent refresh tokens.  A session hash keeps the hashes of its last
 * STORE_SPENT_MAX spent refresh tokens in a ring inside the hash itself:
 *
 *	s:<hash>	unix time at which <hash> was spent
 *	r<i>		the hash held by ring slot i, 0 <= i < STORE_SPENT_MAX
 *	sn		the slot the next spent hash goes to
 *
 * No spent hash is ever forgotten while its session lives: were the ring to
 * overwrite its oldest slot, a thief holding a stolen refresh token could
 * rotate STORE_SPENT_MAX times and make the victim's spent token unknown
 * (401) instead of fatal (session revoked).  So a refresh-token rotation
 * that finds the ring full is refused (ERR_INVALID_TOKEN, nothing changed)
 * and the client must prove its password: refresh-session empties the ring
 * and records the refresh hash it replaces.  A session never has more than
 * 8 + 2 * STORE_SPENT_MAX fields, and "when was this hash spent" is one
 * HGET.
 *
 * User-session index.  P user-sessions:<name> may hold stale ids (sessions
 * that expired or were deleted): readers skip them, and drop ids whose
 * session belongs to someone else, so an entry never grants anything.  A
 * listing does not drop the id of a missing session: it may be a login
 * between its index entry and its session write, which would otherwise
 * end up unindexed (revoke drops them; a login that raced a revoke finds
 * the user changed and deletes its own session, see the responder).  The
 * index expires at the latest sexp of its user's sessions: creating or
 * renewing a session (both set sexp = now + session_ttl) pushes the index's
 * expiry to at least that sexp, never earlier, before the session is
 * written.  So the index outlives every session it names and a user who
 * stops logging in leaves nothing behind.
 *
 * Session end.  A session key expires at its sexp (EXPIREAT), and the
 * scripts that change a session treat sexp <= now as gone.
 * store_session_get() has no clock: at the second of sexp Redis may still
 * hand out the key, so its caller compares sexp (and aexp) with now.
 *
 * Regulation.  The counter and the ban of one subject share the hash tag
 * {<kind>:<subject>}, so store_attempt's script touches one slot of a Redis
 * Cluster (key_prefix must not contain '{').
 *
 * Connection.  Opened lazily; connect and command timeout are
 * redis_timeout_ms.  Before a command goes out on a connection that was
 * idle, the socket is polled without waiting: if the server closed it
 * (restart, CLIENT KILL, its idle timeout), it is dropped and reopened
 * before anything is sent, so a long-lived worker survives a Redis restart
 * without failing a request.  A command is never sent twice: after an I/O
 * error or a timeout its effect is unknown, so the connection is dropped
 * (the next call reconnects) and the caller gets ERR_UNAVAILABLE.  The
 * same happens on error replies that mean "not now" (LOADING, BUSY,
 * READONLY, ...); any other error reply is ERR_INTERNAL and is logged
 * without arguments.  hiredis writes with write(2): the program must
 * ignore SIGPIPE.
 *
 * Arguments outside the store's limits (a user name of 0 or more than
 * LIM_USER_MAX bytes, a session id or subject of 0 or more than LIM_TOKEN_MAX
 * bytes) cannot name anything stored: lookups answer "not found", writes
 * answer ERR_INTERNAL.  A hash that is not TOK_HASH_LEN lowercase hex
 * characters, or an MCF string that does not fit PW_MCF_MAX, is a caller
 * bug: ERR_INTERNAL.
 */
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "cfg.h"
#include "err.h"
#include "log.h"
#include "store.h"

#define KEY_MAX		(CFG_STR_MAX + 32 + LIM_TOKEN_MAX)	/* bytes of one key */
#define CMD_ARGS_MAX	16	/* arguments of one command */
#define NUM_MAX		24	/* a long in decimal, sign and NUL */
#define SHA_LEN		40	/* hex SHA-1 of a script */
#define ERRLOG_MAX	200	/* bytes of a Redis error message logged */
#define REVOKE_PASSES	4	/* index re-reads while revoking */

_Static_assert(STORE_SPENT_MAX > 0, "the spent ring needs a slot");

/* One key: prefix and parts, not NUL-terminated (keys are binary). */
struct key {
	char	buf[KEY_MAX];
	size_t	len;
};

/* One command's arguments, each with its length. */
struct cmd {
	const char	*argv[CMD_ARGS_MAX];
	size_t		 len[CMD_ARGS_MAX];
	int		 argc;
	int		 over;		/* an argument did not fit */
};

/* ---- Lua scripts ---- */

/*
 * The session fields every session script answers with, in the order
 * session_parse() reads them.
 */
#define LUA_SESSION_FIELDS \
	"'user', 'created', 'sexp', 'aexp', 'ah', 'ch', 'rh'"

/*
 * The ring of spent refresh hashes of session k (see the top of this
 * file); max is STORE_SPENT_MAX.
 * ring_slot(k, max): the slot the next spent hash goes to, or nil when the
 * ring is full.
 * spend(k, h, t, max): record hash h as spent at time t; the caller has
 * made sure a slot is free.
 * ring_clear(k, max): forget every spent hash.
 */
#define LUA_RING \
	"local function ring_slot(k, max)\n" \
	"  local n = tonumber(redis.call('HGET', k, 'sn')) or 0\n" \
	"  if n < 0 or n >= max then n = 0 end\n" \
	"  if redis.call('HEXISTS', k, 'r' .. n) == 1 then return nil end\n" \
	"  return n\n" \
	"end\n" \
	"local function spend(k, h, t, max)\n" \
	"  local n = ring_slot(k, max)\n" \
	"  redis.call('HSET', k, 'r' .. n, h, 's:' .. h, t,\n" \
	"      'sn', (n + 1) % max)\n" \
	"end\n" \
	"local function ring_clear(k, max)\n" \
	"  local f, d = {}, {}\n" \
	"  for i = 0, max - 1 do f[i + 1] = 'r' .. i end\n" \
	"  local old = redis.call('HMGET', k, unpack(f))\n" \
	"  for i = 1, max do\n" \
	"    if old[i] then\n" \
	"      d[#d + 1] = f[i]\n" \
	"      d[#d + 1] = 's:' .. old[i]\n" \
	"    end\n" \
	"  end\n" \
	"  if #d > 0 then redis.call('HDEL', k, unpack(d)) end\n" \
	"  redis.call('HSET', k, 'sn', '0')\n" \
	"end\n"

/*
 * KEYS[1] user-sessions index; ARGV[1] sid to add ("" adds nothing),
 * ARGV[2] now, ARGV[3] time until which the index must live at least.
 * Returns 1 when ARGV[1] was added, else 0.
 */
static const char lua_index_add[] =
	"local added = 0\n"
	"if ARGV[1] ~= '' then\n"
	"  added = redis.call('SADD', KEYS[1], ARGV[1])\n"
	"end\n"
	"local ttl = redis.call('TTL', KEYS[1])\n"
	"if ttl == -1 or (ttl >= 0 and\n"
	"    tonumber(ARGV[2]) + ttl <= tonumber(ARGV[3])) then\n"
	"  redis.call('EXPIREAT', KEYS[1], ARGV[3])\n"
	"end\n"
	"return added\n";

/*
 * KEYS[1] session; ARGV user, created, sexp, aexp, ah, ch, rh.
 * Returns 1 when the session was written (expiring at sexp), 0 when the
 * key already exists (nothing changed).
 */
static const char lua_session_create[] =
	"if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
	"redis.call('HSET', KEYS[1], 'user', ARGV[1], 'created', ARGV[2],\n"
	"    'sexp', ARGV[3], 'aexp', ARGV[4], 'ah', ARGV[5], 'ch', ARGV[6],\n"
	"    'rh', ARGV[7], 'sn', '0')\n"
	"redis.call('EXPIREAT', KEYS[1], ARGV[3])\n"
	"return 1\n";

/*
 * KEYS[1] session; ARGV user, ah, ch, rh, now, sexp, aexp, spent max.
 * If the session exists, has not ended (sexp > now) and belongs to user:
 * the ring of spent hashes is emptied (a password check was made) and the
 * current refresh hash is spent at now, the three hashes, sexp and aexp
 * are replaced, the key expires at the new sexp, and the answer is
 * the session's fields (LUA_SESSION_FIELDS).  Otherwise -1, nothing
 * changed.
 */
static const char lua_session_renew[] =
	LUA_RING
	"local k = KEYS[1]\n"
	"local u = redis.call('HMGET', k, 'user', 'sexp', 'rh')\n"
	"if u[1] ~= ARGV[1] or (tonumber(u[2]) or 0) <= tonumber(ARGV[5])\n"
	"    then return -1 end\n"
	"ring_clear(k, tonumber(ARGV[8]))\n"
	"if u[3] then spend(k, u[3], ARGV[5], tonumber(ARGV[8])) end\n"
	"redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],\n"
	"    'sexp', ARGV[6], 'aexp', ARGV[7])\n"
	"redis.call('EXPIREAT', k, ARGV[6])\n"
	"return redis.call('HMGET', k, " LUA_SESSION_FIELDS ")\n";

/*
 * KEYS[1] session; ARGV old_rh, ah, ch, rh, now, now + access_ttl,
 * spent max.  Compare-and-swap on the refresh hash: -1 when the session is
 * missing or ended (sexp <= now); 0 when its refresh hash is not old_rh
 * (nothing changed); -2 when the ring of spent hashes is full (nothing
 * changed; see the top of this file); else old_rh is spent at now, the three hashes are
 * replaced, aexp = min(now + access_ttl, sexp), sexp and the key's expiry
 * stay, and the answer is the session's fields.
 */
static const char lua_session_rotate[] =
	LUA_RING
	"local k = KEYS[1]\n"
	"local u = redis.call('HMGET', k, 'sexp', 'rh')\n"
	"local sexp = tonumber(u[1])\n"
	"if not sexp or sexp <= tonumber(ARGV[5]) then return -1 end\n"
	"if u[2] ~= ARGV[1] then return 0 end\n"
	"if not ring_slot(k, tonumber(ARGV[7])) then return -2 end\n"
	"spend(k, ARGV[1], ARGV[5], tonumber(ARGV[7]))\n"
	"local aexp = ARGV[6]\n"
	"if tonumber(aexp) > sexp then aexp = u[1] end\n"
	"redis.call('HSET', k, 'ah', ARGV[2], 'ch', ARGV[3], 'rh', ARGV[4],\n"
	"    'aexp', aexp)\n"
	"return redis.call('HMGET', k, " LUA_SESSION_FIELDS ")\n";

/*
 * KEYS[1] session; ARGV rh, now, grace.  -1 when the session is missing
 * or ended; 0 when rh is not among its spent hashes; 1 when rh was spent
 * less than grace seconds before now (nothing changed); 2 when it was
 * spent earlier: the session is deleted (RFC 9700 4.14.2).
 */
static const char lua_session_spent[] =
	"local k = KEYS[1]\n"
	"local sexp = tonumber(redis.call('HGET', k, 'sexp'))\n"
	"if not sexp or sexp <= tonumber(ARGV[2]) then return -1 end\n"
	"local t = tonumber(redis.call('HGET', k, 's:' .. ARGV[1]))\n"
	"if not t then return 0 end\n"
	"if t + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 1 end\n"
	"redis.call('DEL', k)\n"
	"return 2\n";

/*
 * KEYS[1] session; ARGV[1] user.  Deletes the session if it belongs to
 * user.  Returns 1 when deleted, else 0.
 */
static const char lua_session_del_owned[] =
	"if redis.call('HGET', KEYS[1], 'user') == ARGV[1] then\n"
	"  return redis.call('DEL', KEYS[1])\n"
	"end\n"
	"return 0\n";

/*
 * KEYS[1] user, KEYS[2] users; ARGV name, mcf, created.  Creates the user
 * (enabled) and adds the name to the users set.  Returns 1, or 0 when the
 * user exists (nothing changed).
 */
static const char lua_user_add[] =
	"if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
	"redis.call('HSET', KEYS[1], 'mcf', ARGV[2], 'disabled', '0',\n"
	"    'created', ARGV[3])\n"
	"redis.call('SADD', KEYS[2], ARGV[1])\n"
	"return 1\n";

/*
 * KEYS[1] user; ARGV field, value.  Sets one field of an existing user.
 * Returns 1, or 0 when the user does not exist (nothing written).
 */
static const char lua_user_set[] =
	"if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
	"redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
	"return 1\n";

/*
 * KEYS[1] user, KEYS[2] users; ARGV[1] name.  Deletes the user and its
 * name in the users set.  Returns 1 when the user existed, else 0.
 */
static const char lua_user_del[] =
	"local n = redis.call('DEL', KEYS[1])\n"
	"redis.call('SREM', KEYS[2], ARGV[1])\n"
	"return n\n";

/*
 * KEYS[1] attempt counter, KEYS[2] ban (same hash tag); ARGV
 * failure_window, max_failures, ban_time.  One password check of the
 * subject is about to run.  Returns the milliseconds left on its ban (-1
 * for a ban without expiry) when it is banned, nothing counted; else
 * counts the attempt (the counter expires failure_window seconds after
 * its first attempt) and, when that makes more than max_failures, bans the
 * subject for ban_time seconds, drops the counter and returns ban_time in
 * milliseconds; else 0.  Counting before the check, not after it, is what
 * keeps parallel guesses within the limit: each one takes a slot first.
 */
static const char lua_attempt[] =
	"local left = redis.call('PTTL', KEYS[2])\n"
	"if left ~= -2 then return left end\n"
	"local n = redis.call('INCR', KEYS[1])\n"
	"if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end\n"
	"if n > tonumber(ARGV[2]) then\n"
	"  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return tonumber(ARGV[3]) * 1000\n"
	"end\n"
	"return 0\n";

/*
 * KEYS[1] attempt counter.  Takes back one counted attempt (it succeeded,
 * or it was refused for another subject's ban).  Returns 0.
 */
static const char lua_attempt_undo[] =
	"if redis.call('EXISTS', KEYS[1]) == 1 and\n"
	"    redis.call('DECR', KEYS[1]) <= 0 then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"end\n"
	"return 0\n";

enum script {
	SCR_INDEX_ADD = 0,
	SCR_SESSION_CREATE,
	SCR_SESSION_RENEW,
	SCR_SESSION_ROTATE,
	SCR_SESSION_SPENT,
	SCR_SESSION_DEL_OWNED,
	SCR_USER_ADD,
	SCR_USER_SET,
	SCR_USER_DEL,
	SCR_ATTEMPT,
	SCR_ATTEMPT_UNDO,
	SCR__MAX
};

static const struct {
	const char	*name;		/* for the log */
	const char	*body;
} scripts[SCR__MAX] = {
	[SCR_INDEX_ADD] = { "index-add", lua_index_add },
	[SCR_SESSION_CREATE] = { "session-create", lua_session_create },
	[SCR_SESSION_RENEW] = { "session-renew", lua_session_renew },
	[SCR_SESSION_ROTATE] = { "session-rotate", lua_session_rotate },
	[SCR_SESSION_SPENT] = { "session-spent", lua_session_spent },
	[SCR_SESSION_DEL_OWNED] = { "session-del", lua_session_del_owned },
	[SCR_USER_ADD] = { "user-add", lua_user_add },
	[SCR_USER_SET] = { "user-set", lua_user_set },
	[SCR_USER_DEL] = { "user-del", lua_user_del },
	[SCR_ATTEMPT] = { "attempt", lua_attempt },
	[SCR_ATTEMPT_UNDO] = { "attempt-undo", lua_attempt_undo },
};

struct store {
	const struct cfg	*cfg;
	redisContext		*rc;		/* NULL when not connected */
	/* SHA-1 of each script as SCRIPT LOAD answered it; "" before the
	 * first use, "-" when SCRIPT LOAD is refused (then always EVAL). */
	char			 sha[SCR__MAX][SHA_LEN + 1];
};

/*
 * Error replies that mean Redis cannot serve us right now, rather than a
 * bug: ERR_UNAVAILABLE and a fresh connection for the next call.
 */
static const char *const unavailable_errors[] = {
	"LOADING", "BUSY", "MASTERDOWN", "NOAUTH", "READONLY", "MISCONF",
	"TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "OOM",
};

/* ---- small helpers ---- */

static void
cmd_add(struct cmd *c, const char *p, size_t len)
{

	if (c->argc >= CMD_ARGS_MAX) {
		c->over = 1;
		return;
	}
	c->argv[c->argc] = p;
	c->len[c->argc] = len;
	c->argc++;
}

static void
cmd_str(struct cmd *c, const char *p)
{

	cmd_add(c, p, strlen(p));
}

/*
 * Build key P<mid><name><end> into k (name is len bytes, may be NULL when
 * len is 0).  Returns 0, or -1 when it does not fit.
 */
static int
key_make(const struct store *s, struct key *k, const char *mid,
    const char *name, size_t len, const char *end)
{
	size_t	 plen, mlen, elen;

	plen = strnlen(s->cfg->key_prefix, sizeof(s->cfg->key_prefix));
	mlen = strlen(mid);
	elen = strlen(end);
	if (len > sizeof(k->buf) || plen + mlen + elen > sizeof(k->buf) - len)
		return -1;
	memcpy(k->buf, s->cfg->key_prefix, plen);
	memcpy(k->buf + plen, mid, mlen);
	if (len > 0)
		memcpy(k->buf + plen + mlen, name, len);
	memcpy(k->buf + plen + mlen + len, end, elen);
	k->len = plen + mlen + len + elen;
	return 0;
}

/* Key of subject subj of kind in the family fam ("fail" or "ban"):
 * P<fam>:{<kind>:<subj>}.  Returns 0 or -1 as key_make. */
static int
key_subject(const struct store *s, struct key *k, const char *fam,
    enum store_subject kind, const char *subj, size_t len)
{
	char	 mid[16];

	if (kind != STORE_SUBJ_USER && kind != STORE_SUBJ_ADDR)
		return -1;
	snprintf(mid, sizeof(mid), "%s:{%c:", fam, (char)kind);
	return key_make(s, k, mid, subj, len, "}");
}

static int
name_ok(const char *name, size_t len)
{

	return name != NULL && len > 0 && len <= LIM_USER_MAX;
}

static int
sid_ok(const char *sid, size_t len)
{

	return sid != NULL && len > 0 && len <= LIM_TOKEN_MAX;
}

/* A regulation subject: a user name or a client address. */
static int
subj_ok(const char *subj, size_t len)
{

	return subj != NULL && len > 0 && len <= LIM_TOKEN_MAX;
}

/* 1 if p (len bytes) is TOK_HASH_LEN lowercase hex characters. */
static int
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
static int
hashes_ok(const struct store_hashes *h)
{

	return h != NULL &&
	    hash_ok(h->ah, strnlen(h->ah, sizeof(h->ah))) &&
	    hash_ok(h->ch, strnlen(h->ch, sizeof(h->ch))) &&
	    hash_ok(h->rh, strnlen(h->rh, sizeof(h->rh)));
}

/*
 * Parse p (len bytes) as a non-negative decimal of at most 18 digits into
 * *out.  Returns 0, or -1 on anything else.
 */
static int
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
static const char *
num_fmt(char buf[NUM_MAX], long v)
{

	snprintf(buf, NUM_MAX, "%ld", v);
	return buf;
}

/* ---- connection ---- */

static void
store_drop(struct store *s)
{

	if (s->rc != NULL) {
		redisFree(s->rc);
		s->rc = NULL;
	}
}

/*
 * 1 if the idle connection rc may carry a command: its socket has nothing
 * to read.  A readable idle socket means the server closed it (EOF) or
 * sent something we never asked for; either way it is unusable.
 */
static int
store_alive(const redisContext *rc)
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
 * Run one command on the fresh connection of s during the handshake
 * (AUTH, SELECT); what names it in the log.  Returns ERR_OK or
 * ERR_UNAVAILABLE (an error reply too: Redis is unusable as configured).
 */
static enum err
store_handshake(struct store *s, const char *what, struct cmd *c)
{
	redisReply	*r;
	enum err	 e;

	r = redisCommandArgv(s->rc, c->argc, c->argv, c->len);
	if (r == NULL) {
		log_err("redis: %s: %s", what, s->rc->errstr);
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
 * Make sure s has a usable connection: keep the current one if its socket
 * is still open, else connect (TCP or unix socket), set the command
 * timeout, AUTH and SELECT as configured.  Returns ERR_OK or
 * ERR_UNAVAILABLE (logged); on failure s has no connection.
 */
static enum err
store_connect(struct store *s)
{
	const struct cfg	*c = s->cfg;
	struct timeval		 tv;
	struct cmd		 cmd;
	char			 db[NUM_MAX];
	long			 ms;
	enum err		 e;

	if (s->rc != NULL && store_alive(s->rc))
		return ERR_OK;
	store_drop(s);

	ms = c->redis_timeout_ms > 0 ? c->redis_timeout_ms : 1000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (c->redis_socket[0] != '\0')
		s->rc = redisConnectUnixWithTimeout(c->redis_socket, tv);
	else
		s->rc = redisConnectWithTimeout(c->redis_host,
		    c->redis_port, tv);
	if (s->rc == NULL) {
		log_err("redis: connect: out of memory");
		return ERR_UNAVAILABLE;
	}
	e = ERR_UNAVAILABLE;
	if (s->rc->err != 0) {
		if (c->redis_socket[0] != '\0')
			log_err("redis: connect %s: %s", c->redis_socket,
			    s->rc->errstr);
		else
			log_err("redis: connect %s:%d: %s", c->redis_host,
			    c->redis_port, s->rc->errstr);
		goto out;
	}
	if (redisSetTimeout(s->rc, tv) != REDIS_OK) {
		log_err("redis: set timeout: %s", s->rc->errstr);
		goto out;
	}
	if (c->redis_password[0] != '\0' || c->redis_username[0] != '\0') {
		memset(&cmd, 0, sizeof(cmd));
		cmd_str(&cmd, "AUTH");
		if (c->redis_username[0] != '\0')
			cmd_str(&cmd, c->redis_username);
		cmd_str(&cmd, c->redis_password);
		if (store_handshake(s, "AUTH", &cmd) != ERR_OK)
			goto out;
	}
	if (c->redis_db != 0) {
		memset(&cmd, 0, sizeof(cmd));
		cmd_str(&cmd, "SELECT");
		cmd_str(&cmd, num_fmt(db, c->redis_db));
		if (store_handshake(s, "SELECT", &cmd) != ERR_OK)
			goto out;
	}
	e = ERR_OK;
out:
	if (e != ERR_OK)
		store_drop(s);
	return e;
}

/*
 * The command what got no reply on the connection of s (I/O error,
 * timeout, EOF): log it and drop the connection.  Returns ERR_UNAVAILABLE.
 */
static enum err
store_io_fail(struct store *s, const char *what)
{

	if (s->rc->err == REDIS_ERR_IO &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		log_err("redis: %s: no answer within %d ms", what,
		    s->cfg->redis_timeout_ms);
	else
		log_err("redis: %s: %s", what, s->rc->err != 0 ?
		    s->rc->errstr : "no reply");
	store_drop(s);
	return ERR_UNAVAILABLE;
}

/*
 * Send command c and read its reply into *rp (freed by the caller with
 * freeReplyObject; it may be an error reply).  On an I/O error or timeout
 * the connection is dropped and ERR_UNAVAILABLE returned with *rp NULL.
 */
static enum err
store_send(struct store *s, const char *what, struct cmd *c,
    redisReply **rp)
{
	enum err	 e;

	*rp = NULL;
	if (c->over) {
		log_err("redis: %s: too many arguments", what);
		return ERR_INTERNAL;
	}
	if ((e = store_connect(s)) != ERR_OK)
		return e;
	*rp = redisCommandArgv(s->rc, c->argc, c->argv, c->len);
	if (*rp == NULL)
		return store_io_fail(s, what);
	return ERR_OK;
}

/*
 * Translate an error reply r of command what: ERR_UNAVAILABLE (and a
 * fresh connection next time) for the codes of unavailable_errors[],
 * else ERR_INTERNAL; both are logged.  ERR_OK when r is not an error.
 */
static enum err
store_reply_err(struct store *s, const char *what, const redisReply *r)
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
			store_drop(s);
			return ERR_UNAVAILABLE;
		}
	}
	log_err("redis: %s: %.*s", what, len, r->str);
	return ERR_INTERNAL;
}

/*
 * Run command c; on ERR_OK *rp holds a reply that is not an error (the
 * caller frees it).  Otherwise *rp is NULL.
 */
static enum err
store_cmd(struct store *s, struct cmd *c, redisReply **rp)
{
	enum err	 e;

	if ((e = store_send(s, c->argv[0], c, rp)) != ERR_OK)
		return e;
	if ((e = store_reply_err(s, c->argv[0], *rp)) != ERR_OK) {
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
store_script_load(struct store *s, enum script id)
{
	struct cmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;
	int		 ok;

	if (s->sha[id][0] != '\0')
		return ERR_OK;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "SCRIPT");
	cmd_str(&c, "LOAD");
	cmd_str(&c, scripts[id].body);
	if ((e = store_send(s, "SCRIPT LOAD", &c, &r)) != ERR_OK)
		goto out;
	if ((e = store_reply_err(s, "SCRIPT LOAD", r)) == ERR_UNAVAILABLE)
		goto out;
	ok = e == ERR_OK && r->type == REDIS_REPLY_STRING &&
	    r->len == SHA_LEN;
	for (i = 0; ok && i < SHA_LEN; i++)
		ok = (r->str[i] >= '0' && r->str[i] <= '9') ||
		    (r->str[i] >= 'a' && r->str[i] <= 'f');
	if (ok) {
		memcpy(s->sha[id], r->str, SHA_LEN);
		s->sha[id][SHA_LEN] = '\0';
	} else {
		log_warn("redis: SCRIPT LOAD %s refused; using EVAL",
		    scripts[id].name);
		memcpy(s->sha[id], "-", 2);
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
 * s, which must outlive it.
 */
static void
script_cmd(const struct store *s, enum script id, int nkeys,
    const struct cmd *a, struct cmd *c, char nk[NUM_MAX])
{
	int	 i;

	memset(c, 0, sizeof(*c));
	if (s->sha[id][0] != '-') {
		cmd_str(c, "EVALSHA");
		cmd_str(c, s->sha[id]);
	} else {
		cmd_str(c, "EVAL");
		cmd_str(c, scripts[id].body);
	}
	cmd_str(c, num_fmt(nk, nkeys));
	for (i = 0; i < a->argc; i++)
		cmd_add(c, a->argv[i], a->len[i]);
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
script_eval(struct cmd *c, enum script id)
{

	c->argv[0] = "EVAL";
	c->len[0] = 4;
	c->argv[1] = scripts[id].body;
	c->len[1] = strlen(scripts[id].body);
}

/*
 * Run script id with nkeys keys followed by arguments, both in a (keys
 * first).  EVALSHA when the SHA-1 is known, EVAL when Redis does not have
 * the script (NOSCRIPT) or refused to load it.  On ERR_OK *rp holds a
 * reply that is not an error (the caller frees it); else *rp is NULL.
 */
static enum err
store_script(struct store *s, enum script id, int nkeys,
    const struct cmd *a, redisReply **rp)
{
	struct cmd	 c;
	char		 nk[NUM_MAX];
	enum err	 e;

	*rp = NULL;
	if ((e = store_script_load(s, id)) != ERR_OK)
		return e;
	script_cmd(s, id, nkeys, a, &c, nk);
	if ((e = store_send(s, scripts[id].name, &c, rp)) != ERR_OK)
		return e;
	if (reply_noscript(*rp)) {
		freeReplyObject(*rp);
		script_eval(&c, id);
		if ((e = store_send(s, scripts[id].name, &c, rp)) != ERR_OK)
			return e;
	}
	if ((e = store_reply_err(s, scripts[id].name, *rp)) != ERR_OK) {
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
static enum err
store_script_pair(struct store *s, const enum script id[2],
    const struct cmd a[2], redisReply *r[2])
{
	struct cmd	 c[2];
	char		 nk[2][NUM_MAX];
	void		*rep;
	enum err	 e, ei;
	int		 i;

	r[0] = r[1] = NULL;
	for (i = 0; i < 2; i++) {
		if ((e = store_script_load(s, id[i])) != ERR_OK)
			return e;
		script_cmd(s, id[i], 1, &a[i], &c[i], nk[i]);
		if (c[i].over) {
			log_err("redis: %s: too many arguments",
			    scripts[id[i]].name);
			return ERR_INTERNAL;
		}
	}
	if ((e = store_connect(s)) != ERR_OK)
		return e;
	for (i = 0; i < 2; i++)
		if (redisAppendCommandArgv(s->rc, c[i].argc, c[i].argv,
		    c[i].len) != REDIS_OK)
			goto fail;
	for (i = 0; i < 2; i++) {
		rep = NULL;
		if (redisGetReply(s->rc, &rep) != REDIS_OK || rep == NULL)
			goto fail;
		r[i] = rep;
	}

	e = ERR_OK;
	for (i = 0; i < 2; i++) {
		if (reply_noscript(r[i])) {
			freeReplyObject(r[i]);
			script_eval(&c[i], id[i]);
			if ((ei = store_send(s, scripts[id[i]].name, &c[i],
			    &r[i])) != ERR_OK) {
				if (e == ERR_OK)
					e = ei;
				continue;
			}
		}
		if ((ei = store_reply_err(s, scripts[id[i]].name, r[i])) !=
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
	return store_io_fail(s, scripts[id[0]].name);
}

/*
 * Run script id and expect an integer reply, stored in *v.  ERR_INTERNAL
 * (logged) on any other reply type.
 */
static enum err
store_script_int(struct store *s, enum script id, int nkeys,
    const struct cmd *a, long long *v)
{
	redisReply	*r = NULL;
	enum err	 e;

	if ((e = store_script(s, id, nkeys, a, &r)) != ERR_OK)
		return e;
	if (r->type == REDIS_REPLY_INTEGER)
		*v = r->integer;
	else {
		log_err("redis: %s: unexpected reply", scripts[id].name);
		e = ERR_INTERNAL;
	}
	freeReplyObject(r);
	return e;
}

/* Run command c and expect an integer reply into *v, as store_script_int. */
static enum err
store_cmd_int(struct store *s, struct cmd *c, long long *v)
{
	redisReply	*r = NULL;
	enum err	 e;

	if ((e = store_cmd(s, c, &r)) != ERR_OK)
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

/* ---- replies ---- */

/*
 * Fill *out from r, the answer to HMGET of LUA_SESSION_FIELDS.
 * ERR_SESSION_NOT_FOUND when every field is nil (no such key); ERR_OK;
 * ERR_INTERNAL (logged) when the shape, a length or a number is wrong.
 */
static enum err
session_parse(const redisReply *r, struct store_session *out)
{
	const redisReply	*f[7];
	size_t			 i, nil;

	memset(out, 0, sizeof(*out));
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 7)
		goto bad;
	for (i = 0, nil = 0; i < 7; i++) {
		f[i] = r->element[i];
		if (f[i]->type == REDIS_REPLY_NIL)
			nil++;
		else if (f[i]->type != REDIS_REPLY_STRING)
			goto bad;
	}
	if (nil == 7)
		return ERR_SESSION_NOT_FOUND;
	if (nil != 0)
		goto bad;
	if (f[0]->len == 0 || f[0]->len > LIM_USER_MAX)
		goto bad;
	memcpy(out->user, f[0]->str, f[0]->len);
	out->user[f[0]->len] = '\0';
	out->user_len = f[0]->len;
	if (num_parse(f[1]->str, f[1]->len, &out->created) == -1 ||
	    num_parse(f[2]->str, f[2]->len, &out->sexp) == -1 ||
	    num_parse(f[3]->str, f[3]->len, &out->aexp) == -1)
		goto bad;
	if (!hash_ok(f[4]->str, f[4]->len) ||
	    !hash_ok(f[5]->str, f[5]->len) ||
	    !hash_ok(f[6]->str, f[6]->len))
		goto bad;
	memcpy(out->ah, f[4]->str, TOK_HASH_LEN);
	memcpy(out->ch, f[5]->str, TOK_HASH_LEN);
	memcpy(out->rh, f[6]->str, TOK_HASH_LEN);
	return ERR_OK;
bad:
	memset(out, 0, sizeof(*out));
	log_err("redis: malformed session record");
	return ERR_INTERNAL;
}

/*
 * The answer of the renew and rotate scripts: -1 is
 * ERR_SESSION_NOT_FOUND, 0 is conflict (ERR_REFRESH_CONFLICT), an array is
 * the session as written (ERR_OK, copied to *out when out is not NULL).
 */
static enum err
session_written(const redisReply *r, struct store_session *out)
{
	struct store_session	 tmp;
	enum err		 e;

	if (r->type == REDIS_REPLY_INTEGER && r->integer == -1)
		return ERR_SESSION_NOT_FOUND;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 0)
		return ERR_REFRESH_CONFLICT;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == -2)
		return ERR_INVALID_TOKEN;
	if (r->type != REDIS_REPLY_ARRAY) {
		log_err("redis: session script: unexpected reply");
		return ERR_INTERNAL;
	}
	e = session_parse(r, &tmp);
	if (e == ERR_SESSION_NOT_FOUND) {
		log_err("redis: session script: empty session");
		e = ERR_INTERNAL;
	}
	if (e == ERR_OK && out != NULL)
		*out = tmp;
	return e;
}

/* ---- public ---- */

struct store *
store_open(const struct cfg *c)
{
	struct store	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = c;
	return s;
}

void
store_close(struct store *s)
{

	if (s == NULL)
		return;
	store_drop(s);
	free(s);
}

enum err
store_ping(struct store *s)
{
	struct cmd	 c;
	redisReply	*r = NULL;
	enum err	 e;

	memset(&c, 0, sizeof(c));
	cmd_str(&c, "PING");
	if ((e = store_cmd(s, &c, &r)) != ERR_OK)
		return ERR_UNAVAILABLE;
	if (r->type != REDIS_REPLY_STATUS || r->len != 4 ||
	    memcmp(r->str, "PONG", 4) != 0) {
		log_err("redis: PING: unexpected reply");
		e = ERR_UNAVAILABLE;
	}
	freeReplyObject(r);
	return e;
}

/* ---- users ---- */

/*
 * HMGET user name's mcf, disabled, created into *u.  ERR_OK, ERR_NO_USER,
 * ERR_INTERNAL when the record is malformed (logged), or a Redis error.
 * The reply's copy of the hash is wiped before it is freed.
 */
enum err
store_user_get(struct store *s, const char *name, size_t len,
    struct store_user *u)
{
	struct key		 k;
	struct cmd		 c;
	redisReply		*r = NULL;
	const redisReply	*f[3];
	enum err		 e;
	size_t			 i, nil;
	long			 created;

	memset(u, 0, sizeof(*u));
	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(s, &k, "user:", name, len, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "HMGET");
	cmd_add(&c, k.buf, k.len);
	cmd_str(&c, "mcf");
	cmd_str(&c, "disabled");
	cmd_str(&c, "created");
	if ((e = store_cmd(s, &c, &r)) != ERR_OK)
		goto out;

	e = ERR_INTERNAL;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3)
		goto bad;
	for (i = 0, nil = 0; i < 3; i++) {
		f[i] = r->element[i];
		if (f[i]->type == REDIS_REPLY_NIL)
			nil++;
		else if (f[i]->type != REDIS_REPLY_STRING)
			goto bad;
	}
	if (nil == 3) {
		e = ERR_NO_USER;
		goto out;
	}
	if (nil != 0 || f[0]->len == 0 || f[0]->len >= PW_MCF_MAX ||
	    memchr(f[0]->str, '\0', f[0]->len) != NULL)
		goto bad;
	if (f[1]->len != 1 || (f[1]->str[0] != '0' && f[1]->str[0] != '1'))
		goto bad;
	if (num_parse(f[2]->str, f[2]->len, &created) == -1)
		goto bad;
	memcpy(u->mcf, f[0]->str, f[0]->len);
	u->mcf[f[0]->len] = '\0';
	u->disabled = f[1]->str[0] == '1';
	u->created = created;
	e = ERR_OK;
	goto out;
bad:
	log_err("redis: malformed user record");
out:
	if (r != NULL) {
		if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
		    r->element[0]->type == REDIS_REPLY_STRING)
			explicit_bzero(r->element[0]->str, r->element[0]->len);
		freeReplyObject(r);
	}
	return e;
}

/* Length of the MCF string mcf, or 0 when it is empty or too long. */
static size_t
mcf_len(const char *mcf)
{
	size_t	 n;

	if (mcf == NULL)
		return 0;
	n = strnlen(mcf, PW_MCF_MAX);
	return n < PW_MCF_MAX ? n : 0;
}

enum err
store_user_add(struct store *s, const char *name, size_t len,
    const char *mcf, long now)
{
	struct key	 k, ks;
	struct cmd	 a;
	char		 created[NUM_MAX];
	long long	 v;
	enum err	 e;
	size_t		 mlen;

	if (!name_ok(name, len) || (mlen = mcf_len(mcf)) == 0 ||
	    key_make(s, &k, "user:", name, len, "") == -1 ||
	    key_make(s, &ks, "users", NULL, 0, "") == -1) {
		log_err("store: user add: bad argument");
		return ERR_INTERNAL;
	}
	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	cmd_add(&a, ks.buf, ks.len);
	cmd_add(&a, name, len);
	cmd_add(&a, mcf, mlen);
	cmd_str(&a, num_fmt(created, now));
	if ((e = store_script_int(s, SCR_USER_ADD, 2, &a, &v)) != ERR_OK)
		return e;
	return v == 1 ? ERR_OK : ERR_EXISTS;
}

/* Set field of existing user name to value (vlen bytes): ERR_OK,
 * ERR_NO_USER or a Redis error. */
static enum err
user_set(struct store *s, const char *name, size_t len, const char *field,
    const char *value, size_t vlen)
{
	struct key	 k;
	struct cmd	 a;
	long long	 v;
	enum err	 e;

	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(s, &k, "user:", name, len, "") == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	cmd_str(&a, field);
	cmd_add(&a, value, vlen);
	if ((e = store_script_int(s, SCR_USER_SET, 1, &a, &v)) != ERR_OK)
		return e;
	return v == 1 ? ERR_OK : ERR_NO_USER;
}

enum err
store_user_set_hash(struct store *s, const char *name, size_t len,
    const char *mcf)
{
	size_t	 mlen;

	if ((mlen = mcf_len(mcf)) == 0) {
		log_err("store: user set hash: bad argument");
		return ERR_INTERNAL;
	}
	return user_set(s, name, len, "mcf", mcf, mlen);
}

enum err
store_user_set_disabled(struct store *s, const char *name, size_t len,
    int disabled)
{

	return user_set(s, name, len, "disabled", disabled ? "1" : "0", 1);
}

enum err
store_user_del(struct store *s, const char *name, size_t len)
{
	struct key	 k, ks;
	struct cmd	 a;
	long long	 v;
	enum err	 e;

	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(s, &k, "user:", name, len, "") == -1 ||
	    key_make(s, &ks, "users", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	cmd_add(&a, ks.buf, ks.len);
	cmd_add(&a, name, len);
	if ((e = store_script_int(s, SCR_USER_DEL, 2, &a, &v)) != ERR_OK)
		return e;
	return v >= 1 ? ERR_OK : ERR_NO_USER;
}

/* qsort order of user names (string replies): bytewise, then shorter
 * first. */
static int
user_cmp(const void *a, const void *b)
{
	const redisReply	*x = *(const redisReply *const *)a;
	const redisReply	*y = *(const redisReply *const *)b;
	int			 c;

	c = memcmp(x->str, y->str, x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * SMEMBERS users, sorted bytewise, one fn call per name (the name's bytes
 * are only valid during the call).  ERR_INTERNAL when a member is not a
 * possible user name.
 */
enum err
store_user_list(struct store *s, int (*fn)(const char *, size_t, void *),
    void *arg)
{
	struct key	 ks;
	struct cmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;

	if (key_make(s, &ks, "users", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "SMEMBERS");
	cmd_add(&c, ks.buf, ks.len);
	if ((e = store_cmd(s, &c, &r)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (r->type != REDIS_REPLY_ARRAY) {
		log_err("redis: SMEMBERS users: unexpected reply");
		goto out;
	}
	for (i = 0; i < r->elements; i++)
		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    !name_ok(r->element[i]->str, r->element[i]->len)) {
			log_err("redis: users: malformed member");
			goto out;
		}
	if (r->elements > 1)
		qsort(r->element, r->elements, sizeof(r->element[0]),
		    user_cmp);
	for (i = 0; i < r->elements; i++)
		if (fn(r->element[i]->str, r->element[i]->len, arg) != 0)
			break;
	e = ERR_OK;
out:
	if (r != NULL)
		freeReplyObject(r);
	return e;
}

/* ---- sessions ---- */

/* Length of the NUL-terminated session id sid, or 0 when not a possible
 * session id. */
static size_t
sid_len(const char *sid)
{
	size_t	 n;

	if (sid == NULL)
		return 0;
	n = strnlen(sid, LIM_TOKEN_MAX + 1);
	return n <= LIM_TOKEN_MAX ? n : 0;
}

/* The arguments of SCR_INDEX_ADD and the buffers they point into (so a
 * filled one must not be copied). */
struct index_args {
	struct key	 k;
	struct cmd	 a;
	char		 nowb[NUM_MAX], untilb[NUM_MAX];
};

/*
 * Fill *ia to add sid (len bytes; NULL adds nothing) to user's index and
 * make the index live until at least until.  -1 if the key is too long.
 */
static int
index_args(const struct store *s, struct index_args *ia, const char *user,
    size_t ulen, const char *sid, size_t len, long now, long until)
{

	memset(ia, 0, sizeof(*ia));
	if (key_make(s, &ia->k, "user-sessions:", user, ulen, "") == -1)
		return -1;
	cmd_add(&ia->a, ia->k.buf, ia->k.len);
	cmd_add(&ia->a, sid != NULL ? sid : "", sid != NULL ? len : 0);
	cmd_str(&ia->a, num_fmt(ia->nowb, now));
	cmd_str(&ia->a, num_fmt(ia->untilb, until));
	return 0;
}

/* SREM sid (len bytes) from user's index. */
static enum err
index_rem(struct store *s, const char *user, size_t ulen, const char *sid,
    size_t len)
{
	struct key	 k;
	struct cmd	 c;
	long long	 v;

	if (key_make(s, &k, "user-sessions:", user, ulen, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "SREM");
	cmd_add(&c, k.buf, k.len);
	cmd_add(&c, sid, len);
	return store_cmd_int(s, &c, &v);
}

/*
 * The index entry and the session in one round trip (store_script_pair):
 * index first, so a failure leaves at most a stale index entry.  Should
 * the index script fail while the session was written (its token hashes
 * were never handed out), the session is deleted again: never an
 * unindexed session.  aexp is capped at sexp: no token outlives its
 * session.  When sid is taken the index entry just added is removed
 * again.
 */
enum err
store_session_create(struct store *s, const char *sid, const char *user,
    size_t ulen, const struct store_hashes *h, long now)
{
	static const enum script id[2] = { SCR_INDEX_ADD, SCR_SESSION_CREATE };
	struct index_args	 ia;
	struct key		 k;
	struct cmd		 a[2], d;
	redisReply		*r[2] = { NULL, NULL };
	char			 nowb[NUM_MAX], sexpb[NUM_MAX], aexpb[NUM_MAX];
	long			 sexp, aexp;
	long long		 v;
	size_t			 len;
	int			 added;
	enum err		 e;

	len = sid_len(sid);
	if (len == 0 || !name_ok(user, ulen) || !hashes_ok(h) ||
	    key_make(s, &k, "session:", sid, len, "") == -1) {
		log_err("store: session create: bad argument");
		return ERR_INTERNAL;
	}
	sexp = now + s->cfg->session_ttl;
	aexp = now + s->cfg->access_ttl;
	if (aexp > sexp)
		aexp = sexp;
	if (index_args(s, &ia, user, ulen, sid, len, now, sexp) == -1)
		return ERR_INTERNAL;
	a[0] = ia.a;

	memset(&a[1], 0, sizeof(a[1]));
	cmd_add(&a[1], k.buf, k.len);
	cmd_add(&a[1], user, ulen);
	cmd_str(&a[1], num_fmt(nowb, now));
	cmd_str(&a[1], num_fmt(sexpb, sexp));
	cmd_str(&a[1], num_fmt(aexpb, aexp));
	cmd_add(&a[1], h->ah, TOK_HASH_LEN);
	cmd_add(&a[1], h->ch, TOK_HASH_LEN);
	cmd_add(&a[1], h->rh, TOK_HASH_LEN);

	e = store_script_pair(s, id, a, r);
	if (r[1] != NULL && r[1]->type != REDIS_REPLY_INTEGER) {
		log_err("redis: %s: unexpected reply", scripts[id[1]].name);
		if (e == ERR_OK)
			e = ERR_INTERNAL;
	}
	if (r[0] != NULL && r[0]->type != REDIS_REPLY_INTEGER) {
		log_err("redis: %s: unexpected reply", scripts[id[0]].name);
		if (e == ERR_OK)
			e = ERR_INTERNAL;
	}
	if (e != ERR_OK) {
		if (r[0] == NULL && r[1] != NULL &&
		    r[1]->type == REDIS_REPLY_INTEGER && r[1]->integer == 1) {
			memset(&d, 0, sizeof(d));
			cmd_str(&d, "DEL");
			cmd_add(&d, k.buf, k.len);
			(void)store_cmd_int(s, &d, &v);
		}
		goto out;
	}
	added = r[0]->integer == 1;
	if (r[1]->integer == 1)
		e = ERR_OK;
	else {
		if (added)
			(void)index_rem(s, user, ulen, sid, len);
		e = ERR_EXISTS;
	}
out:
	if (r[0] != NULL)
		freeReplyObject(r[0]);
	if (r[1] != NULL)
		freeReplyObject(r[1]);
	return e;
}

/* HMGET of the session fields of key k into *out, as session_parse(). */
static enum err
session_read(struct store *s, const struct key *k, struct store_session *out)
{
	struct cmd	 c;
	redisReply	*r = NULL;
	enum err	 e;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "HMGET");
	cmd_add(&c, k->buf, k->len);
	cmd_str(&c, "user");
	cmd_str(&c, "created");
	cmd_str(&c, "sexp");
	cmd_str(&c, "aexp");
	cmd_str(&c, "ah");
	cmd_str(&c, "ch");
	cmd_str(&c, "rh");
	if ((e = store_cmd(s, &c, &r)) != ERR_OK)
		return e;
	e = session_parse(r, out);
	freeReplyObject(r);
	return e;
}

enum err
store_session_get(struct store *s, const char *sid, size_t sidlen,
    struct store_session *out)
{
	struct key	 k;

	memset(out, 0, sizeof(*out));
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_make(s, &k, "session:", sid, sidlen, "") == -1)
		return ERR_INTERNAL;
	return session_read(s, &k, out);
}

/*
 * In one round trip (store_script_pair), the user's index first has its
 * expiry pushed to the new sexp (so it keeps outliving the session), then
 * one script checks owner and sexp and writes the new generation.
 */
enum err
store_session_renew(struct store *s, const char *sid, size_t sidlen,
    const char *user, size_t ulen, const struct store_hashes *h, long now,
    struct store_session *out)
{
	static const enum script id[2] = { SCR_INDEX_ADD, SCR_SESSION_RENEW };
	struct index_args	 ia;
	struct key		 k;
	struct cmd		 a[2];
	redisReply		*r[2] = { NULL, NULL };
	char			 nowb[NUM_MAX], sexpb[NUM_MAX], aexpb[NUM_MAX];
	char			 maxb[NUM_MAX];
	long			 sexp, aexp;
	enum err		 e;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (!hashes_ok(h)) {
		log_err("store: session renew: bad argument");
		return ERR_INTERNAL;
	}
	if (!sid_ok(sid, sidlen) || !name_ok(user, ulen))
		return ERR_SESSION_NOT_FOUND;
	if (key_make(s, &k, "session:", sid, sidlen, "") == -1)
		return ERR_INTERNAL;
	sexp = now + s->cfg->session_ttl;
	aexp = now + s->cfg->access_ttl;
	if (aexp > sexp)
		aexp = sexp;
	if (index_args(s, &ia, user, ulen, NULL, 0, now, sexp) == -1)
		return ERR_INTERNAL;
	a[0] = ia.a;

	memset(&a[1], 0, sizeof(a[1]));
	cmd_add(&a[1], k.buf, k.len);
	cmd_add(&a[1], user, ulen);
	cmd_add(&a[1], h->ah, TOK_HASH_LEN);
	cmd_add(&a[1], h->ch, TOK_HASH_LEN);
	cmd_add(&a[1], h->rh, TOK_HASH_LEN);
	cmd_str(&a[1], num_fmt(nowb, now));
	cmd_str(&a[1], num_fmt(sexpb, sexp));
	cmd_str(&a[1], num_fmt(aexpb, aexp));
	cmd_str(&a[1], num_fmt(maxb, STORE_SPENT_MAX));
	if ((e = store_script_pair(s, id, a, r)) != ERR_OK)
		goto out;
	e = session_written(r[1], out);
	if (e == ERR_REFRESH_CONFLICT) {
		log_err("redis: session-renew: unexpected reply");
		e = ERR_INTERNAL;
	}
out:
	if (r[0] != NULL)
		freeReplyObject(r[0]);
	if (r[1] != NULL)
		freeReplyObject(r[1]);
	return e;
}

enum err
store_session_rotate(struct store *s, const char *sid, size_t sidlen,
    const char *old_rh, const struct store_hashes *h, long now,
    struct store_session *out)
{
	struct key	 k;
	struct cmd	 a;
	redisReply	*r = NULL;
	char		 nowb[NUM_MAX], aexpb[NUM_MAX], maxb[NUM_MAX];
	enum err	 e;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (!hashes_ok(h) ||
	    !hash_ok(old_rh, old_rh != NULL ? strnlen(old_rh, TOK_HASH_LEN + 1)
	    : 0)) {
		log_err("store: session rotate: bad argument");
		return ERR_INTERNAL;
	}
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_make(s, &k, "session:", sid, sidlen, "") == -1)
		return ERR_INTERNAL;

	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	cmd_add(&a, old_rh, TOK_HASH_LEN);
	cmd_add(&a, h->ah, TOK_HASH_LEN);
	cmd_add(&a, h->ch, TOK_HASH_LEN);
	cmd_add(&a, h->rh, TOK_HASH_LEN);
	cmd_str(&a, num_fmt(nowb, now));
	cmd_str(&a, num_fmt(aexpb, now + s->cfg->access_ttl));
	cmd_str(&a, num_fmt(maxb, STORE_SPENT_MAX));
	if ((e = store_script(s, SCR_SESSION_ROTATE, 1, &a, &r)) != ERR_OK)
		return e;
	e = session_written(r, out);
	freeReplyObject(r);
	return e;
}

enum err
store_session_spent(struct store *s, const char *sid, size_t sidlen,
    const char *rh, long now, long grace, int *revoked)
{
	struct key	 k;
	struct cmd	 a;
	char		 nowb[NUM_MAX], graceb[NUM_MAX];
	long long	 v;
	enum err	 e;

	if (revoked != NULL)
		*revoked = 0;
	if (!hash_ok(rh, rh != NULL ? strnlen(rh, TOK_HASH_LEN + 1) : 0)) {
		log_err("store: session spent: bad argument");
		return ERR_INTERNAL;
	}
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_make(s, &k, "session:", sid, sidlen, "") == -1)
		return ERR_INTERNAL;

	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	cmd_add(&a, rh, TOK_HASH_LEN);
	cmd_str(&a, num_fmt(nowb, now));
	cmd_str(&a, num_fmt(graceb, grace > 0 ? grace : 0));
	if ((e = store_script_int(s, SCR_SESSION_SPENT, 1, &a, &v)) != ERR_OK)
		return e;
	switch (v) {
	case -1:
		return ERR_SESSION_NOT_FOUND;
	case 0:
		return ERR_INVALID_TOKEN;
	case 1:
		return ERR_REFRESH_CONFLICT;
	case 2:
		if (revoked != NULL)
			*revoked = 1;
		return ERR_INVALID_TOKEN;
	default:
		log_err("redis: session-spent: unexpected reply");
		return ERR_INTERNAL;
	}
}

enum err
store_session_del(struct store *s, const char *sid, size_t sidlen)
{
	struct key	 k;
	struct cmd	 c;
	long long	 v;
	enum err	 e;

	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_make(s, &k, "session:", sid, sidlen, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "DEL");
	cmd_add(&c, k.buf, k.len);
	if ((e = store_cmd_int(s, &c, &v)) != ERR_OK)
		return e;
	return v >= 1 ? ERR_OK : ERR_SESSION_NOT_FOUND;
}

/* One live session found by store_user_sessions(). */
struct sess_ent {
	char			 sid[LIM_TOKEN_MAX + 1];
	struct store_session	 sess;
};

/* qsort order of sessions: oldest first, then by id. */
static int
sess_cmp(const void *a, const void *b)
{
	const struct sess_ent	*x = a, *y = b;

	if (x->sess.created != y->sess.created)
		return x->sess.created < y->sess.created ? -1 : 1;
	return strcmp(x->sid, y->sid);
}

/*
 * SMEMBERS the index, read each session (one round trip each), SREM the
 * ids that name someone else's session or are malformed (ids of missing
 * sessions stay: see below), then call fn for the live ones sorted by creation time.  The
 * sid and session passed to fn are only valid during the call; a non-zero
 * return of fn stops the walk.  ERR_INTERNAL also when out of memory.
 */
enum err
store_user_sessions(struct store *s, const char *user, size_t ulen,
    int (*fn)(const char *, const struct store_session *, void *), void *arg)
{
	struct key		 k, ks;
	struct cmd		 c;
	redisReply		*r = NULL;
	const redisReply	*m;
	struct sess_ent		*ents = NULL;
	size_t			 i, n = 0, nents = 0;
	enum err		 e;
	int			 prune;

	if (!name_ok(user, ulen))
		return ERR_OK;
	if (key_make(s, &k, "user-sessions:", user, ulen, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "SMEMBERS");
	cmd_add(&c, k.buf, k.len);
	if ((e = store_cmd(s, &c, &r)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (r->type != REDIS_REPLY_ARRAY) {
		log_err("redis: SMEMBERS user-sessions: unexpected reply");
		goto out;
	}
	if (r->elements > 0 &&
	    (ents = calloc(r->elements, sizeof(*ents))) == NULL) {
		log_err("store: user sessions: out of memory");
		goto out;
	}
	nents = r->elements;
	for (i = 0; i < r->elements; i++) {
		m = r->element[i];
		if (m->type != REDIS_REPLY_STRING) {
			log_err("redis: user-sessions: malformed member");
			goto out;
		}
		/* A malformed id or another user's session goes; a missing
		 * session may be a login between its index entry and its
		 * session write, so its id stays (the index expires). */
		prune = 1;
		e = ERR_SESSION_NOT_FOUND;
		if (sid_ok(m->str, m->len) &&
		    memchr(m->str, '\0', m->len) == NULL &&
		    key_make(s, &ks, "session:", m->str, m->len, "") == 0) {
			e = session_read(s, &ks, &ents[n].sess);
			if (e != ERR_OK && e != ERR_SESSION_NOT_FOUND)
				goto out;
			prune = e == ERR_OK;
			if (e == ERR_OK && (ents[n].sess.user_len != ulen ||
			    memcmp(ents[n].sess.user, user, ulen) != 0))
				e = ERR_SESSION_NOT_FOUND;
		}
		if (e == ERR_SESSION_NOT_FOUND) {
			if (prune && (e = index_rem(s, user, ulen, m->str,
			    m->len)) != ERR_OK)
				goto out;
			continue;
		}
		memcpy(ents[n].sid, m->str, m->len);
		ents[n].sid[m->len] = '\0';
		n++;
	}
	if (n > 1)
		qsort(ents, n, sizeof(*ents), sess_cmp);
	for (i = 0; i < n; i++)
		if (fn(ents[i].sid, &ents[i].sess, arg) != 0)
			break;
	e = ERR_OK;
out:
	if (ents != NULL) {
		explicit_bzero(ents, nents * sizeof(*ents));
		free(ents);
	}
	if (r != NULL)
		freeReplyObject(r);
	return e;
}

/*
 * Delete every session of user named by the index (a session owned by
 * someone else is left alone) and remove each id handled from the index;
 * the index is gone once empty.  The index is re-read up to
 * REVOKE_PASSES times to catch sessions created meanwhile.
 */
enum err
store_user_revoke(struct store *s, const char *user, size_t ulen, long *n)
{
	struct key		 k, ks;
	struct cmd		 c, a;
	redisReply		*r = NULL;
	const redisReply	*m;
	long long		 v;
	size_t			 i;
	int			 pass;
	enum err		 e = ERR_OK;

	if (n != NULL)
		*n = 0;
	if (!name_ok(user, ulen))
		return ERR_OK;
	if (key_make(s, &k, "user-sessions:", user, ulen, "") == -1)
		return ERR_INTERNAL;
	for (pass = 0; pass < REVOKE_PASSES; pass++) {
		memset(&c, 0, sizeof(c));
		cmd_str(&c, "SMEMBERS");
		cmd_add(&c, k.buf, k.len);
		if ((e = store_cmd(s, &c, &r)) != ERR_OK)
			goto out;
		if (r->type != REDIS_REPLY_ARRAY) {
			log_err("redis: SMEMBERS user-sessions: "
			    "unexpected reply");
			e = ERR_INTERNAL;
			goto out;
		}
		if (r->elements == 0)
			break;
		for (i = 0; i < r->elements; i++) {
			m = r->element[i];
			if (m->type != REDIS_REPLY_STRING) {
				log_err("redis: user-sessions: "
				    "malformed member");
				e = ERR_INTERNAL;
				goto out;
			}
			if (sid_ok(m->str, m->len) && key_make(s, &ks,
			    "session:", m->str, m->len, "") == 0) {
				memset(&a, 0, sizeof(a));
				cmd_add(&a, ks.buf, ks.len);
				cmd_add(&a, user, ulen);
				if ((e = store_script_int(s,
				    SCR_SESSION_DEL_OWNED, 1, &a, &v)) !=
				    ERR_OK)
					goto out;
				if (n != NULL && v >= 1)
					(*n)++;
			}
			if ((e = index_rem(s, user, ulen, m->str, m->len)) !=
			    ERR_OK)
				goto out;
		}
		freeReplyObject(r);
		r = NULL;
	}
out:
	if (r != NULL)
		freeReplyObject(r);
	return e;
}

/* ---- brute-force regulation ---- */

/*
 * Seconds of a ban from its PTTL in milliseconds v (-2 none, -1 no
 * expiry), rounded up so a ban with any time left reports at least 1.  A
 * ban key without expiry (written by hand) reports ban_time.
 */
static enum err
ban_seconds(struct store *s, long long v, long *ttl)
{
	*ttl = 0;
	if (v == -2 || v == 0)
		return ERR_OK;
	if (v == -1) {
		log_warn("redis: a ban key has no expiry");
		*ttl = s->cfg->ban_time;
		return ERR_OK;
	}
	if (v < 0) {
		log_err("redis: PTTL: unexpected reply");
		return ERR_INTERNAL;
	}
	*ttl = (long)((v + 999) / 1000);
	return ERR_OK;
}

enum err
store_ban_ttl(struct store *s, enum store_subject kind, const char *subj,
    size_t len, long *ttl)
{
	struct key	 k;
	struct cmd	 c;
	long long	 v;
	enum err	 e;

	*ttl = 0;
	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(s, &k, "ban", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "PTTL");
	cmd_add(&c, k.buf, k.len);
	if ((e = store_cmd_int(s, &c, &v)) != ERR_OK)
		return e;
	return ban_seconds(s, v, ttl);
}

enum err
store_attempt(struct store *s, enum store_subject kind, const char *subj,
    size_t len, long *ttl)
{
	struct key	 kf, kb;
	struct cmd	 a;
	char		 win[NUM_MAX], max[NUM_MAX], ban[NUM_MAX];
	long long	 v;
	enum err	 e;

	*ttl = 0;
	if (!subj_ok(subj, len) ||
	    key_subject(s, &kf, "fail", kind, subj, len) == -1 ||
	    key_subject(s, &kb, "ban", kind, subj, len) == -1) {
		log_err("store: attempt: bad argument");
		return ERR_INTERNAL;
	}
	memset(&a, 0, sizeof(a));
	cmd_add(&a, kf.buf, kf.len);
	cmd_add(&a, kb.buf, kb.len);
	cmd_str(&a, num_fmt(win, s->cfg->failure_window));
	cmd_str(&a, num_fmt(max, s->cfg->max_failures));
	cmd_str(&a, num_fmt(ban, s->cfg->ban_time));
	if ((e = store_script_int(s, SCR_ATTEMPT, 2, &a, &v)) != ERR_OK)
		return e;
	return ban_seconds(s, v, ttl);
}

enum err
store_attempt_undo(struct store *s, enum store_subject kind, const char *subj,
    size_t len)
{
	struct key	 k;
	struct cmd	 a;
	long long	 v;

	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(s, &k, "fail", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	cmd_add(&a, k.buf, k.len);
	return store_script_int(s, SCR_ATTEMPT_UNDO, 1, &a, &v);
}

enum err
store_fail_reset(struct store *s, enum store_subject kind, const char *subj,
    size_t len)
{
	struct key	 k;
	struct cmd	 c;
	long long	 v;

	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(s, &k, "fail", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	cmd_str(&c, "DEL");
	cmd_add(&c, k.buf, k.len);
	return store_cmd_int(s, &c, &v);
}

/* One DEL of counter and ban per kind (the two keys of a kind share a hash
 * tag, the kinds do not). */
enum err
store_unban(struct store *s, const char *subj, size_t len, int *found)
{
	static const enum store_subject	 kinds[] = {
		STORE_SUBJ_USER, STORE_SUBJ_ADDR
	};
	struct key			 kf, kb;
	struct cmd			 c;
	long long			 v, total = 0;
	size_t				 i;
	enum err			 e;

	if (found != NULL)
		*found = 0;
	if (!subj_ok(subj, len))
		return ERR_OK;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (key_subject(s, &kf, "fail", kinds[i], subj, len) == -1 ||
		    key_subject(s, &kb, "ban", kinds[i], subj, len) == -1)
			return ERR_INTERNAL;
		memset(&c, 0, sizeof(c));
		cmd_str(&c, "DEL");
		cmd_add(&c, kf.buf, kf.len);
		cmd_add(&c, kb.buf, kb.len);
		if ((e = store_cmd_int(s, &c, &v)) != ERR_OK)
			return e;
		total += v;
	}
	if (found != NULL)
		*found = total > 0;
	return ERR_OK;
}
