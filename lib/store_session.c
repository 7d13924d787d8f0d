/*
 * store_session.c - sessions (P session:<sid>), the per-user index (P
 * user-sessions:<name>) and revocation.  The decisions about them
 * (rotation, reuse detection, bearer checks) are in session.c; this file
 * keeps them atomic.
 *
 * Spent refresh tokens.  A session hash keeps its last STORE_SPENT_MAX
 * spent refresh tokens inside the hash itself (lib/lua/ring.lua):
 *
 *	s:<h16>		unix time at which the refresh hash beginning with
 *			the 16 hex characters <h16> was spent
 *	sn		how many are recorded
 *
 * No spent hash is ever forgotten while its session lives: were the list
 * to drop its oldest entry, a thief holding a stolen refresh token could
 * rotate STORE_SPENT_MAX times and make the victim's spent token unknown
 * (401) instead of fatal (session revoked).  So a refresh-token rotation
 * that finds the list full is refused (ERR_INVALID_TOKEN, nothing changed)
 * and the client must prove its password: refresh-session empties the
 * list and records the refresh hash it replaces.  A session never has
 * more than 11 + STORE_SPENT_MAX fields, all short, so Redis keeps even a
 * full one in its compact hash encoding (about 2 KB); "when was this hash
 * spent" is one HGET.  Sessions written in the older form (r<i> slots with
 * whole hashes) are read as they are and rewritten on their next change.
 *
 * User-session index.  P user-sessions:<name> may hold stale ids (sessions
 * that expired or were deleted): readers skip them, and drop ids whose
 * session belongs to someone else, so an entry never grants anything.  A
 * listing does not drop the id of a missing session: it may be a login
 * between its index entry and its session write, which would otherwise
 * end up unindexed (revoke drops them; a login that raced a revoke finds
 * the user changed and deletes its own session, see credentials.c).  The
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
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define REVOKE_PASSES	4	/* index re-reads while revoking */
#define STORE_END_BATCH	32	/* sessions ended by one script */

_Static_assert(STORE_SPENT_MAX > 0, "the spent ring needs a slot");

/* The fields of a session record, as indexes of lua_session_fields. */
enum sess_field {
	SF_USER = 0,
	SF_CREATED,
	SF_SEXP,
	SF_AEXP,
	SF_AH,
	SF_CH,
	SF_RH,
	SF_USED,		/* the three last may be nil: older sessions */
	SF_ADDR,
	SF_UA
};
#define SF_REQUIRED	SF_USED	/* fields before it must be there */
_Static_assert(SF_UA + 1 == LUA_SESSION_NFIELDS,
    "enum sess_field follows lib/lua/session_fields.lua");

/*
 * Fill *out from r, the answer to HMGET of lua_session_fields.
 * ERR_SESSION_NOT_FOUND when every field is nil (no such key); ERR_OK;
 * ERR_INTERNAL (logged) when the shape, a length or a number is wrong.
 */
static enum err
session_parse(const redisReply *r, struct store_session *out)
{
	const redisReply	*f[LUA_SESSION_NFIELDS];
	size_t			 i, nil;

	memset(out, 0, sizeof(*out));
	if (r->type != REDIS_REPLY_ARRAY || r->elements != LUA_SESSION_NFIELDS)
		goto bad;
	for (i = 0, nil = 0; i < LUA_SESSION_NFIELDS; i++) {
		f[i] = r->element[i];
		if (f[i]->type == REDIS_REPLY_NIL)
			nil += i < SF_REQUIRED;
		else if (f[i]->type != REDIS_REPLY_STRING)
			goto bad;
	}
	if (nil == SF_REQUIRED)
		return ERR_SESSION_NOT_FOUND;
	if (nil != 0)
		goto bad;
	if (f[SF_USER]->len == 0 || f[SF_USER]->len > LIM_USER_MAX)
		goto bad;
	memcpy(out->user, f[SF_USER]->str, f[SF_USER]->len);
	out->user[f[SF_USER]->len] = '\0';
	out->user_len = f[SF_USER]->len;
	if (num_parse(f[SF_CREATED]->str, f[SF_CREATED]->len,
	    &out->created) == -1 ||
	    num_parse(f[SF_SEXP]->str, f[SF_SEXP]->len, &out->expires) == -1 ||
	    num_parse(f[SF_AEXP]->str, f[SF_AEXP]->len, &out->access_expires) == -1)
		goto bad;
	out->used = out->created;
	if (f[SF_USED]->type == REDIS_REPLY_STRING &&
	    num_parse(f[SF_USED]->str, f[SF_USED]->len, &out->used) == -1)
		goto bad;
	/* Address and User-Agent were cleaned when written; one that does
	 * not fit or holds a NUL is shown as unknown. */
	if (f[SF_ADDR]->type == REDIS_REPLY_STRING &&
	    f[SF_ADDR]->len < sizeof(out->addr) &&
	    memchr(f[SF_ADDR]->str, '\0', f[SF_ADDR]->len) == NULL)
		memcpy(out->addr, f[SF_ADDR]->str, f[SF_ADDR]->len);
	if (f[SF_UA]->type == REDIS_REPLY_STRING &&
	    f[SF_UA]->len < sizeof(out->ua) &&
	    memchr(f[SF_UA]->str, '\0', f[SF_UA]->len) == NULL)
		memcpy(out->ua, f[SF_UA]->str, f[SF_UA]->len);
	if (!hash_ok(f[SF_AH]->str, f[SF_AH]->len) ||
	    !hash_ok(f[SF_CH]->str, f[SF_CH]->len) ||
	    !hash_ok(f[SF_RH]->str, f[SF_RH]->len))
		goto bad;
	memcpy(out->authorization_hash, f[SF_AH]->str, TOK_HASH_LEN);
	memcpy(out->corban_hash, f[SF_CH]->str, TOK_HASH_LEN);
	memcpy(out->refresh_hash, f[SF_RH]->str, TOK_HASH_LEN);
	return ERR_OK;
bad:
	memset(out, 0, sizeof(*out));
	log_err("redis: malformed session record");
	return ERR_INTERNAL;
}

/*
 * The session part of the answer of session_refresh.lua and of
 * login_finish.lua in mode r: LUA_GONE is
 * ERR_SESSION_NOT_FOUND, LUA_CONFLICT is ERR_REFRESH_CONFLICT,
 * LUA_RING_FULL is ERR_INVALID_TOKEN, an array is the session as written
 * (ERR_OK, copied to *out when out is not NULL).
 */
static enum err
session_written(const redisReply *r, struct store_session *out)
{
	struct store_session	 tmp;
	enum err		 e;

	if (r->type == REDIS_REPLY_INTEGER && r->integer == LUA_GONE)
		return ERR_SESSION_NOT_FOUND;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == LUA_CONFLICT)
		return ERR_REFRESH_CONFLICT;
	if (r->type == REDIS_REPLY_INTEGER && r->integer == LUA_RING_FULL)
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

/* ---- sessions ---- */

static int	 index_key(const struct store *, struct key *, const char *,
		    size_t);
static enum err	 session_owner(struct store *, const char *, size_t,
		    char [LIM_USER_MAX + 1], size_t *);
static long	 key_end(const struct cfg *, long, long);
static enum err	 index_read(struct store *, const char *, size_t, long,
		    redisReply **);

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

/* HMGET of the session fields of key k into *out, as session_parse(). */
static enum err
session_read(struct store *st, const struct key *k, struct store_session *out)
{
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "HMGET");
	rcmd_add(&c, k->buf, k->len);
	for (i = 0; i < LUA_SESSION_NFIELDS; i++)
		rcmd_str(&c, lua_session_fields[i]);
	if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
		return e;
	e = session_parse(r, out);
	freeReplyObject(r);
	return e;
}

enum err
store_session_get(struct store *st, const char *sid, size_t sidlen,
    struct store_session *out)
{
	struct key	 k;

	memset(out, 0, sizeof(*out));
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_session(st, &k, sid, sidlen) == -1)
		return ERR_INTERNAL;
	return session_read(st, &k, out);
}

enum err
store_session_use(struct store *st, const char *sid, size_t sidlen,
    const char *h, unsigned accept, long now, struct store_session *out)
{
	struct key	 k;
	struct rcmd	 a;
	redisReply	*r = NULL;
	char		 nowb[NUM_MAX], touchb[NUM_MAX], idleb[NUM_MAX], acc[3];
	size_t		 n = 0;
	enum err	 e;

	memset(out, 0, sizeof(*out));
	if (!hash_ok(h, h != NULL ? strnlen(h, TOK_HASH_LEN + 1) : 0)) {
		log_err("store: session use: bad argument");
		return ERR_INTERNAL;
	}
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_session(st, &k, sid, sidlen) == -1)
		return ERR_INTERNAL;
	if (accept & 0x1)
		acc[n++] = 'a';
	if (accept & 0x2)
		acc[n++] = 'c';
	acc[n] = '\0';
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_add(&a, h, TOK_HASH_LEN);
	rcmd_str(&a, acc);
	rcmd_str(&a, num_fmt(nowb, now));
	rcmd_str(&a, num_fmt(touchb, store_touch(st->cfg)));
	rcmd_str(&a, num_fmt(idleb, st->cfg->idle_ttl));
	if ((e = conn_script(st, SCR_SESSION_USE, 1, &a, &r)) != ERR_OK)
		return e;
	e = session_parse(r, out);
	freeReplyObject(r);
	return e;
}

/*
 * One SCR_SESSION_REFRESH (session_refresh.lua): the comparison, the
 * rotation or the judgement of a spent hash, in one round trip.  The
 * owner's index key is built by the script from the prefix passed here.
 */
enum err
store_session_refresh(struct store *st, const char *sid, size_t sidlen,
    const char *ph, const struct store_hashes *h, long now, long grace,
    struct store_session *out, char user[LIM_USER_MAX + 1], size_t *ulen,
    enum store_refresh *outcome)
{
	struct key		 k, kp;
	struct rcmd		 a;
	redisReply		*r = NULL;
	const redisReply	*u;
	char			 nowb[NUM_MAX], aexpb[NUM_MAX], maxb[NUM_MAX];
	char			 idleb[NUM_MAX], touchb[NUM_MAX], kexpb[NUM_MAX];
	char			 graceb[NUM_MAX];
	enum err		 e;

	memset(out, 0, sizeof(*out));
	user[0] = '\0';
	*ulen = 0;
	*outcome = STORE_REFRESH_OTHER;
	if (!hashes_ok(h) ||
	    !hash_ok(ph, ph != NULL ? strnlen(ph, TOK_HASH_LEN + 1) : 0)) {
		log_err("store: session refresh: bad argument");
		return ERR_INTERNAL;
	}
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_session(st, &k, sid, sidlen) == -1 ||
	    key_make(st, &kp, "user-sessions:", NULL, 0, "") == -1)
		return ERR_INTERNAL;

	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_add(&a, ph, TOK_HASH_LEN);
	rcmd_add(&a, h->authorization_hash, TOK_HASH_LEN);
	rcmd_add(&a, h->corban_hash, TOK_HASH_LEN);
	rcmd_add(&a, h->refresh_hash, TOK_HASH_LEN);
	rcmd_str(&a, num_fmt(nowb, now));
	rcmd_str(&a, num_fmt(aexpb, now + st->cfg->access_ttl));
	rcmd_str(&a, num_fmt(maxb, STORE_SPENT_MAX));
	rcmd_str(&a, num_fmt(idleb, st->cfg->idle_ttl));
	rcmd_str(&a, num_fmt(touchb, store_touch(st->cfg)));
	rcmd_str(&a, num_fmt(kexpb, key_end(st->cfg, LONG_MAX, now)));
	rcmd_str(&a, num_fmt(graceb, grace > 0 ? grace : 0));
	rcmd_add(&a, sid, sidlen);
	rcmd_add(&a, kp.buf, kp.len);
	if ((e = conn_script(st, SCR_SESSION_REFRESH, 1, &a, &r)) != ERR_OK)
		return e;
	e = ERR_INTERNAL;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->elements > 3 || r->element[0]->type != REDIS_REPLY_INTEGER)
		goto bad;
	if (r->elements >= 2 && r->element[1]->type != REDIS_REPLY_NIL) {
		u = r->element[1];
		if (u->type != REDIS_REPLY_STRING || !name_ok(u->str, u->len))
			goto bad;
		memcpy(user, u->str, u->len);
		user[u->len] = '\0';
		*ulen = u->len;
	}
	switch (r->element[0]->integer) {
	case LUA_ROTATED:
		if (r->elements != 3)
			goto bad;
		e = session_written(r->element[2], out);
		break;
	case LUA_GONE:
		e = ERR_SESSION_NOT_FOUND;
		break;
	case LUA_RING_FULL:
		*outcome = STORE_REFRESH_RING_FULL;
		e = ERR_INVALID_TOKEN;
		break;
	case LUA_NOT_SPENT:
		e = ERR_INVALID_TOKEN;
		break;
	case LUA_IN_GRACE:
		e = ERR_REFRESH_CONFLICT;
		break;
	case LUA_REVOKED:
		*outcome = STORE_REFRESH_REVOKED;
		e = ERR_INVALID_TOKEN;
		break;
	default:
		goto bad;
	}
	freeReplyObject(r);
	return e;
bad:
	log_err("redis: session-refresh: unexpected reply");
	freeReplyObject(r);
	memset(out, 0, sizeof(*out));
	user[0] = '\0';
	*ulen = 0;
	return ERR_INTERNAL;
}

/* The key of user's index into *ki; -1 when it does not fit. */
static int
index_key(const struct store *st, struct key *ki, const char *user,
    size_t ulen)
{

	return key_user(st, ki, "user-sessions:", user, ulen);
}

/*
 * End the sessions of user whose ids are the n strings of ids[] (lens[]
 * bytes each) with one SCR_SESSION_END, at most STORE_END_BATCH of them:
 * each one that is user's is deleted, each id leaves the index.  The
 * number deleted is added to *n_out.
 */
static enum err
end_batch(struct store *st, const char *user, size_t ulen,
    const char *const *ids, const size_t *lens, size_t n, long *n_out)
{
	struct key	 ki, ks[STORE_END_BATCH];
	struct rcmd	 a;
	long long	 v;
	size_t		 i, nk = 0;
	int		 keep[STORE_END_BATCH];
	enum err	 e;

	if (n > STORE_END_BATCH || index_key(st, &ki, user, ulen) == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, ki.buf, ki.len);
	for (i = 0; i < n; i++) {
		keep[i] = sid_ok(ids[i], lens[i]) && key_session(st, &ks[nk],
		    ids[i], lens[i]) == 0;
		if (keep[i]) {
			rcmd_add(&a, ks[nk].buf, ks[nk].len);
			nk++;
		}
	}
	if (nk == 0)
		return ERR_OK;
	rcmd_add(&a, user, ulen);
	for (i = 0; i < n; i++)
		if (keep[i])
			rcmd_add(&a, ids[i], lens[i]);
	if ((e = conn_script_int(st, SCR_SESSION_END, (int)nk + 1, &a, &v)) !=
	    ERR_OK)
		return e;
	if (n_out != NULL)
		*n_out += (long)v;
	return ERR_OK;
}

long
store_touch(const struct cfg *c)
{

	if (c->idle_ttl > 0 && c->idle_ttl / 2 < STORE_TOUCH)
		return c->idle_ttl / 2;
	return STORE_TOUCH;
}

long
store_idle_end(const struct cfg *c, long used)
{

	if (c->idle_ttl <= 0)
		return LONG_MAX;
	return used + c->idle_ttl + store_touch(c);
}

/* The time a session key written at now with end sexp expires at: sexp,
 * or its idle end when that comes first. */
static long
key_end(const struct cfg *c, long sexp, long now)
{
	long	 idle = store_idle_end(c, now);

	return idle < sexp ? idle : sexp;
}

int
store_session_live(const struct cfg *c, const struct store_session *s,
    long now)
{

	return s->expires > now && store_idle_end(c, s->used) > now;
}

enum err
store_session_end(struct store *st, const char *user, size_t ulen,
    const char *sid, size_t sidlen)
{
	long	 n = 0;
	enum err e;

	if (!sid_ok(sid, sidlen) || !name_ok(user, ulen))
		return ERR_SESSION_NOT_FOUND;
	if ((e = end_batch(st, user, ulen, &sid, &sidlen, 1, &n)) != ERR_OK)
		return e;
	return n == 1 ? ERR_OK : ERR_SESSION_NOT_FOUND;
}

/* The user of session sid into u (LIM_USER_MAX + 1 bytes), *ulen its
 * length: ERR_OK, ERR_SESSION_NOT_FOUND, or a Redis error. */
static enum err
session_owner(struct store *st, const char *sid, size_t sidlen,
    char u[LIM_USER_MAX + 1], size_t *ulen)
{
	struct key	 k;
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;

	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (key_session(st, &k, sid, sidlen) == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "HGET");
	rcmd_add(&c, k.buf, k.len);
	rcmd_str(&c, "user");
	if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
		return e;
	e = ERR_SESSION_NOT_FOUND;
	if (r->type == REDIS_REPLY_STRING && name_ok(r->str, r->len)) {
		memcpy(u, r->str, r->len);
		u[r->len] = '\0';
		*ulen = r->len;
		e = ERR_OK;
	} else if (r->type != REDIS_REPLY_NIL) {
		log_err("redis: session user: unexpected reply");
		e = ERR_INTERNAL;
	}
	freeReplyObject(r);
	return e;
}

/* The owner is read first, then the session is ended with its index
 * entry (store_session_end). */
enum err
store_session_del(struct store *st, const char *sid, size_t sidlen)
{
	char		 u[LIM_USER_MAX + 1];
	size_t		 ulen = 0;
	enum err	 e;

	if ((e = session_owner(st, sid, sidlen, u, &ulen)) != ERR_OK)
		return e;
	return store_session_end(st, u, ulen, sid, sidlen);
}

/*
 * The ids of user's sessions that have not ended (SCR_INDEX_READ, which
 * prunes the index) into *rp, an array of strings (caller frees).
 */
static enum err
index_read(struct store *st, const char *user, size_t ulen, long now,
    redisReply **rp)
{
	struct key	 ki;
	struct rcmd	 a;
	char		 nowb[NUM_MAX], ttlb[NUM_MAX];
	size_t		 i;
	enum err	 e;

	*rp = NULL;
	if (index_key(st, &ki, user, ulen) == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, ki.buf, ki.len);
	rcmd_str(&a, num_fmt(nowb, now));
	rcmd_str(&a, num_fmt(ttlb, st->cfg->session_ttl));
	if ((e = conn_script(st, SCR_INDEX_READ, 1, &a, rp)) != ERR_OK)
		return e;
	if ((*rp)->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < (*rp)->elements; i++)
			if ((*rp)->element[i]->type != REDIS_REPLY_STRING)
				break;
		if (i == (*rp)->elements)
			return ERR_OK;
	}
	log_err("redis: index-read: unexpected reply");
	freeReplyObject(*rp);
	*rp = NULL;
	return ERR_INTERNAL;
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
 * Read the pruned index (index_read), then each session (one round trip
 * each); ids that name a missing, ended or someone else's session, or are
 * malformed, leave the index (a session and its entry are written by one
 * script, so a missing session is never one being created).  Then fn is
 * called for the live ones sorted by creation time.  The sid and session
 * passed to fn are only valid during the call; a non-zero return of fn
 * stops the walk.  ERR_INTERNAL also when out of memory.
 */
enum err
store_user_sessions(struct store *st, const char *user, size_t ulen,
    long now, int (*fn)(const char *, const struct store_session *, void *),
    void *arg)
{
	struct key		 ks;
	redisReply		*r = NULL;
	const redisReply	*m;
	struct sess_ent		*ents = NULL;
	const char		*id;
	size_t			 i, n = 0, nents = 0, idlen;
	enum err		 e;

	if (!name_ok(user, ulen))
		return ERR_OK;
	if ((e = index_read(st, user, ulen, now, &r)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (r->elements > 0 &&
	    (ents = calloc(r->elements, sizeof(*ents))) == NULL) {
		log_err("store: user sessions: out of memory");
		goto out;
	}
	nents = r->elements;
	for (i = 0; i < r->elements; i++) {
		m = r->element[i];
		e = ERR_SESSION_NOT_FOUND;
		if (sid_ok(m->str, m->len) &&
		    memchr(m->str, '\0', m->len) == NULL &&
		    key_session(st, &ks, m->str, m->len) == 0) {
			e = session_read(st, &ks, &ents[n].sess);
			if (e != ERR_OK && e != ERR_SESSION_NOT_FOUND)
				goto out;
			if (e == ERR_OK && (ents[n].sess.user_len != ulen ||
			    memcmp(ents[n].sess.user, user, ulen) != 0 ||
			    !store_session_live(st->cfg, &ents[n].sess, now)))
				e = ERR_SESSION_NOT_FOUND;
		}
		if (e == ERR_SESSION_NOT_FOUND) {
			/* The id leaves the index; a session of user's that
			 * has ended goes with it, someone else's stays. */
			id = m->str;
			idlen = m->len;
			memset(&ents[n], 0, sizeof(ents[n]));
			if ((e = end_batch(st, user, ulen, &id, &idlen, 1,
			    NULL)) != ERR_OK)
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
		tok_wipe(ents, nents * sizeof(*ents));
		free(ents);
	}
	if (r != NULL)
		freeReplyObject(r);
	return e;
}

/*
 * End every session of user named by the index (a session owned by
 * someone else is left alone, its id dropped), STORE_END_BATCH per
 * script; the index is gone once empty.  The index is re-read up to
 * REVOKE_PASSES times to catch sessions created meanwhile.
 */
enum err
store_user_revoke(struct store *st, const char *user, size_t ulen, long now,
    long *n)
{
	redisReply		*r = NULL;
	const char		*ids[STORE_END_BATCH];
	size_t			 lens[STORE_END_BATCH];
	size_t			 i, k;
	int			 pass;
	enum err		 e = ERR_OK;

	if (n != NULL)
		*n = 0;
	if (!name_ok(user, ulen))
		return ERR_OK;
	for (pass = 0; pass < REVOKE_PASSES; pass++) {
		if ((e = index_read(st, user, ulen, now, &r)) != ERR_OK)
			goto out;
		if (r->elements == 0)
			break;
		for (i = 0; i < r->elements; i += k) {
			for (k = 0; k < STORE_END_BATCH &&
			    i + k < r->elements; k++) {
				ids[k] = r->element[i + k]->str;
				lens[k] = r->element[i + k]->len;
			}
			if ((e = end_batch(st, user, ulen, ids, lens, k, n)) !=
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

/* ---- after a password check (login_finish.lua) ---- */

/* The arguments of one SCR_LOGIN_FINISH and the buffers they point into
 * (so a filled one must not be copied). */
struct finish_args {
	struct key	 ku, kf, kk, ks, ki, kp, ka;
	struct rcmd	 a[2];
	char		 num[12][NUM_MAX];
};

/*
 * Fill *fa with the keys and the common arguments of SCR_LOGIN_FINISH for
 * c and session sid (len bytes) in mode ("c" or "r"), and the address's
 * SCR_ATTEMPT_UNDO in a[1]; the caller appends the mode's arguments to
 * a[0].  -1 (logged) on a bad argument.
 */
static int
finish_args(const struct store *st, struct finish_args *fa,
    const struct store_cred *c, const char *mode, const char *sid,
    size_t len, long now)
{
	const char	*net = c->net != NULL ? c->net : "";
	char		 mid[16];

	memset(fa, 0, sizeof(*fa));
	if (!name_ok(c->user, c->ulen) || !sid_ok(sid, len) ||
	    c->mcf == NULL || c->fresh == NULL ||
	    key_user(st, &fa->ku, "user:", c->user, c->ulen) == -1 ||
	    key_user(st, &fa->kf, "fail:", c->user, c->ulen) == -1 ||
	    key_user(st, &fa->kk, "known:", c->user, c->ulen) == -1 ||
	    key_session(st, &fa->ks, sid, len) == -1 ||
	    index_key(st, &fa->ki, c->user, c->ulen) == -1 ||
	    key_make(st, &fa->kp, "session:", NULL, 0, "") == -1)
		goto bad;
	snprintf(mid, sizeof(mid), "fail:{%c:", (char)STORE_SUBJ_ADDR);
	if (net[0] != '\0' && key_make(st, &fa->ka, mid, net,
	    strnlen(net, LIM_TOKEN_MAX + 1), "}") == -1)
		goto bad;
	rcmd_add(&fa->a[0], fa->ku.buf, fa->ku.len);
	rcmd_add(&fa->a[0], fa->kf.buf, fa->kf.len);
	rcmd_add(&fa->a[0], fa->kk.buf, fa->kk.len);
	rcmd_add(&fa->a[0], fa->ks.buf, fa->ks.len);
	rcmd_add(&fa->a[0], fa->ki.buf, fa->ki.len);
	rcmd_str(&fa->a[0], c->mcf);
	rcmd_str(&fa->a[0], c->fresh);
	rcmd_str(&fa->a[0], net);
	rcmd_str(&fa->a[0], num_fmt(fa->num[0], now));
	rcmd_str(&fa->a[0], num_fmt(fa->num[1], st->cfg->session_ttl));
	rcmd_str(&fa->a[0], mode);
	rcmd_add(&fa->a[0], sid, len);
	rcmd_add(&fa->a[0], c->user, c->ulen);
	rcmd_add(&fa->a[0], fa->kp.buf, fa->kp.len);
	if (net[0] != '\0')
		rcmd_add(&fa->a[1], fa->ka.buf, fa->ka.len);
	return 0;
bad:
	log_err("store: login finish: bad argument");
	return -1;
}

/*
 * Run the SCR_LOGIN_FINISH of fa and, when c->addr_counted and there is
 * an address, its SCR_ATTEMPT_UNDO beside it.  On ERR_OK *rp is the
 * finish script's reply, an array whose first element is an integer (the
 * caller frees it).  ERR_CHANGED (nothing written) fills *now_u, *now_e.
 */
static enum err
finish_run(struct store *st, struct finish_args *fa,
    const struct store_cred *c, redisReply **rp, struct store_user *now_u,
    enum err *now_e)
{
	static const enum script ids[2] = { SCR_LOGIN_FINISH,
	    SCR_ATTEMPT_UNDO };
	static const int	 nkeys[2] = { 5, 1 };
	redisReply		*r[2] = { NULL, NULL };
	const redisReply	*f[3];
	redisReply		 nil;
	int			 n;
	enum err		 e;

	*rp = NULL;
	memset(now_u, 0, sizeof(*now_u));
	*now_e = ERR_NO_USER;
	n = c->addr_counted && fa->a[1].argc > 0 ? 2 : 1;
	e = conn_scripts(st, n, ids, nkeys, fa->a, r);
	if (r[1] != NULL)
		freeReplyObject(r[1]);
	if (e != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (r[0]->type != REDIS_REPLY_ARRAY || r[0]->elements < 1 ||
	    r[0]->element[0]->type != REDIS_REPLY_INTEGER) {
		log_err("redis: login-finish: unexpected reply");
		goto out;
	}
	if (r[0]->element[0]->integer == LUA_CHANGED) {
		/* mcf and disabled as stored; created is not needed. */
		memset(&nil, 0, sizeof(nil));
		nil.type = REDIS_REPLY_STRING;
		nil.str = (char *)"0";
		nil.len = 1;
		if (r[0]->elements != 3) {
			log_err("redis: login-finish: unexpected reply");
			goto out;
		}
		f[0] = r[0]->element[1];
		f[1] = r[0]->element[2];
		f[2] = f[0]->type == REDIS_REPLY_NIL ? f[0] : &nil;
		*now_e = user_parse(f, now_u);
		e = *now_e == ERR_INTERNAL ? ERR_INTERNAL : ERR_CHANGED;
		goto out;
	}
	*rp = r[0];
	r[0] = NULL;
	e = ERR_OK;
out:
	if (r[0] != NULL) {
		if (r[0]->type == REDIS_REPLY_ARRAY && r[0]->elements == 3 &&
		    r[0]->element[1]->type == REDIS_REPLY_STRING)
			tok_wipe(r[0]->element[1]->str, r[0]->element[1]->len);
		freeReplyObject(r[0]);
	}
	return e;
}

enum err
store_login_finish(struct store *st, const struct store_cred *c,
    const char *sid, const struct store_hashes *h, long now,
    const struct store_client *cl, long *evicted, struct store_user *now_u,
    enum err *now_e)
{
	struct finish_args	 fa;
	redisReply		*r = NULL;
	const char		*addr = "", *ua = "";
	long			 sexp, aexp;
	enum err		 e;

	if (evicted != NULL)
		*evicted = 0;
	memset(now_u, 0, sizeof(*now_u));
	*now_e = ERR_NO_USER;
	if (!hashes_ok(h) || finish_args(st, &fa, c, "c", sid, sid_len(sid),
	    now) == -1)
		return ERR_INTERNAL;
	sexp = now + st->cfg->session_ttl;
	aexp = now + st->cfg->access_ttl;
	if (aexp > sexp)
		aexp = sexp;
	if (cl != NULL && cl->addr != NULL && strcmp(cl->addr, "-") != 0)
		addr = cl->addr;
	if (cl != NULL && cl->ua != NULL)
		ua = cl->ua;
	rcmd_str(&fa.a[0], num_fmt(fa.num[2], sexp));
	rcmd_str(&fa.a[0], num_fmt(fa.num[3], aexp));
	rcmd_add(&fa.a[0], h->authorization_hash, TOK_HASH_LEN);
	rcmd_add(&fa.a[0], h->corban_hash, TOK_HASH_LEN);
	rcmd_add(&fa.a[0], h->refresh_hash, TOK_HASH_LEN);
	rcmd_add(&fa.a[0], addr, strnlen(addr, ADDR_TEXT_MAX));
	rcmd_add(&fa.a[0], ua, strnlen(ua, TEXT_UA_MAX));
	rcmd_str(&fa.a[0], num_fmt(fa.num[4], key_end(st->cfg, sexp, now)));
	rcmd_str(&fa.a[0], num_fmt(fa.num[5],
	    st->cfg->max_sessions_per_user));
	rcmd_str(&fa.a[0], st->cfg->session_limit_refuse ? "1" : "0");
	rcmd_str(&fa.a[0], num_fmt(fa.num[6], st->cfg->idle_ttl));
	rcmd_str(&fa.a[0], num_fmt(fa.num[7], store_touch(st->cfg)));
	if ((e = finish_run(st, &fa, c, &r, now_u, now_e)) != ERR_OK)
		return e;
	e = ERR_INTERNAL;
	if (r->elements != 2 || r->element[1]->type != REDIS_REPLY_INTEGER) {
		log_err("redis: login-finish: unexpected reply");
		goto out;
	}
	switch (r->element[0]->integer) {
	case LUA_DONE:
		if (evicted != NULL)
			*evicted = (long)r->element[1]->integer;
		e = ERR_OK;
		break;
	case LUA_NOTHING:
		e = ERR_EXISTS;
		break;
	case LUA_LIMIT:
		e = ERR_SESSION_LIMIT;
		break;
	default:
		log_err("redis: login-finish: unexpected reply");
		break;
	}
out:
	freeReplyObject(r);
	return e;
}

enum err
store_renew_finish(struct store *st, const struct store_cred *c,
    const char *sid, size_t sidlen, const struct store_hashes *h, long now,
    struct store_session *out, struct store_user *now_u, enum err *now_e)
{
	struct finish_args	 fa;
	redisReply		*r = NULL;
	long			 sexp, aexp;
	enum err		 e;

	memset(out, 0, sizeof(*out));
	memset(now_u, 0, sizeof(*now_u));
	*now_e = ERR_NO_USER;
	if (!hashes_ok(h))
		return ERR_INTERNAL;
	if (!sid_ok(sid, sidlen))
		return ERR_SESSION_NOT_FOUND;
	if (finish_args(st, &fa, c, "r", sid, sidlen, now) == -1)
		return ERR_INTERNAL;
	sexp = now + st->cfg->session_ttl;
	aexp = now + st->cfg->access_ttl;
	if (aexp > sexp)
		aexp = sexp;
	rcmd_add(&fa.a[0], h->authorization_hash, TOK_HASH_LEN);
	rcmd_add(&fa.a[0], h->corban_hash, TOK_HASH_LEN);
	rcmd_add(&fa.a[0], h->refresh_hash, TOK_HASH_LEN);
	rcmd_str(&fa.a[0], num_fmt(fa.num[2], sexp));
	rcmd_str(&fa.a[0], num_fmt(fa.num[3], aexp));
	rcmd_str(&fa.a[0], num_fmt(fa.num[4], STORE_SPENT_MAX));
	rcmd_str(&fa.a[0], num_fmt(fa.num[5], st->cfg->idle_ttl));
	rcmd_str(&fa.a[0], num_fmt(fa.num[6], store_touch(st->cfg)));
	rcmd_str(&fa.a[0], num_fmt(fa.num[7], key_end(st->cfg, sexp, now)));
	if ((e = finish_run(st, &fa, c, &r, now_u, now_e)) != ERR_OK)
		return e;
	e = ERR_INTERNAL;
	if (r->elements != 2) {
		log_err("redis: login-finish: unexpected reply");
		goto out;
	}
	if (r->element[0]->integer == LUA_GONE)
		e = ERR_SESSION_NOT_FOUND;
	else if (r->element[0]->integer == LUA_DONE) {
		e = session_written(r->element[1], out);
		if (e == ERR_SESSION_NOT_FOUND || e == ERR_REFRESH_CONFLICT ||
		    e == ERR_INVALID_TOKEN) {
			log_err("redis: login-finish: unexpected reply");
			e = ERR_INTERNAL;
		}
	} else
		log_err("redis: login-finish: unexpected reply");
out:
	freeReplyObject(r);
	return e;
}
