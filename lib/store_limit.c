/*
 * store_limit.c - the counters and bans of brute-force regulation (the
 * policy is in regulation.c).  The counter and the ban of one subject
 * share the hash tag {<kind>:<subject>}, so the attempt script touches
 * one slot of a Redis Cluster (key_prefix must not contain '{').
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store_int.h"


/* Key of subject subj of kind in the family fam ("fail", "ban" or
 * "known"): P<fam>:{T}<name> for a user name (in its user's slot, see
 * store.h), P<fam>:{a:<subj>} for a client address.  Returns 0 or -1 as
 * key_make. */
static int
key_subject(const struct store *st, struct key *k, const char *fam,
    enum store_subject kind, const char *subj, size_t len)
{
	char	 mid[16];

	if (kind != STORE_SUBJ_USER && kind != STORE_SUBJ_ADDR)
		return -1;
	if (kind == STORE_SUBJ_USER) {
		snprintf(mid, sizeof(mid), "%s:", fam);
		return key_user(st, k, mid, subj, len);
	}
	snprintf(mid, sizeof(mid), "%s:{%c:", fam, (char)kind);
	return key_make(st, k, mid, subj, len, "}");
}


/* A regulation subject: a user name or a client address. */
static int
subj_ok(const char *subj, size_t len)
{

	return subj != NULL && len > 0 && len <= LIM_TOKEN_MAX;
}

/*
 * Seconds of a ban from its PTTL in milliseconds v (-2 none, -1 no
 * expiry), rounded up so a ban with any time left reports at least 1.  A
 * ban key without expiry (written by hand) reports ban_time.
 */
static enum err
ban_seconds(struct store *st, long long v, long *ttl)
{
	*ttl = 0;
	if (v == -2 || v == 0)
		return ERR_OK;
	if (v == -1) {
		log_warn("redis: a ban key has no expiry");
		*ttl = st->cfg->ban_time;
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
store_ban_ttl(struct store *st, enum store_subject kind, const char *subj,
    size_t len, long *ttl)
{
	struct key	 k;
	struct rcmd	 c;
	long long	 v;
	enum err	 e;

	*ttl = 0;
	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(st, &k, "ban", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "PTTL");
	rcmd_add(&c, k.buf, k.len);
	if ((e = conn_cmd_int(st, &c, &v)) != ERR_OK)
		return e;
	return ban_seconds(st, v, ttl);
}

enum err
store_attempt_undo(struct store *st, enum store_subject kind, const char *subj,
    size_t len)
{
	struct key	 k;
	struct rcmd	 a;
	long long	 v;

	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(st, &k, "fail", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	return conn_script_int(st, SCR_ATTEMPT_UNDO, 1, &a, &v);
}

enum err
store_fail_reset(struct store *st, enum store_subject kind, const char *subj,
    size_t len)
{
	struct key	 k;
	struct rcmd	 c;
	long long	 v;

	if (!subj_ok(subj, len))
		return ERR_OK;
	if (key_subject(st, &k, "fail", kind, subj, len) == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "DEL");
	rcmd_add(&c, k.buf, k.len);
	return conn_cmd_int(st, &c, &v);
}

/* One DEL of counter and ban per kind (the two keys of a kind share a hash
 * tag, the kinds do not). */
enum err
store_unban(struct store *st, const char *subj, size_t len, int *found)
{
	static const enum store_subject	 kinds[] = {
		STORE_SUBJ_USER, STORE_SUBJ_ADDR
	};
	struct key			 kf, kb;
	struct rcmd			 c;
	long long			 v, total = 0;
	size_t				 i;
	enum err			 e;

	if (found != NULL)
		*found = 0;
	if (!subj_ok(subj, len))
		return ERR_OK;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (key_subject(st, &kf, "fail", kinds[i], subj, len) == -1 ||
		    key_subject(st, &kb, "ban", kinds[i], subj, len) == -1)
			return ERR_INTERNAL;
		memset(&c, 0, sizeof(c));
		rcmd_str(&c, "DEL");
		rcmd_add(&c, kf.buf, kf.len);
		rcmd_add(&c, kb.buf, kb.len);
		if ((e = conn_cmd_int(st, &c, &v)) != ERR_OK)
			return e;
		total += v;
	}
	if (found != NULL)
		*found = total > 0;
	return ERR_OK;
}

/*
 * The address's SCR_ATTEMPT and the user's SCR_LOGIN_BEGIN in one round
 * trip (conn_scripts); without an address the user's script alone.
 */
enum err
store_login_begin(struct store *st, const char *user, size_t ulen,
    const char *net, long now, struct store_begin *out)
{
	static const enum script ids[2] = { SCR_ATTEMPT, SCR_LOGIN_BEGIN };
	static const int	 nkeys[2] = { 2, 4 };
	struct key		 af, ab, uf, ub, uk, uu;
	struct rcmd		 a[2];
	redisReply		*r[2] = { NULL, NULL }, *ur;
	char			 win[NUM_MAX], max[NUM_MAX], ban[NUM_MAX];
	char			 nowb[NUM_MAX], sttl[NUM_MAX];
	long long		 v;
	int			 has = net != NULL && net[0] != '\0', o;
	size_t			 nlen = has ? strlen(net) : 0;
	enum err		 e;

	memset(out, 0, sizeof(*out));
	out->user = ERR_NO_USER;
	if (!subj_ok(user, ulen) || (has && !subj_ok(net, nlen)) ||
	    key_subject(st, &uf, "fail", STORE_SUBJ_USER, user, ulen) == -1 ||
	    key_subject(st, &ub, "ban", STORE_SUBJ_USER, user, ulen) == -1 ||
	    key_subject(st, &uk, "known", STORE_SUBJ_USER, user, ulen) == -1 ||
	    key_user(st, &uu, "user:", user, ulen) == -1 ||
	    (has && (key_subject(st, &af, "fail", STORE_SUBJ_ADDR, net,
	    nlen) == -1 || key_subject(st, &ab, "ban", STORE_SUBJ_ADDR, net,
	    nlen) == -1))) {
		log_err("store: login begin: bad argument");
		return ERR_INTERNAL;
	}
	num_fmt(win, st->cfg->failure_window);
	num_fmt(max, st->cfg->max_failures);
	num_fmt(ban, st->cfg->ban_time);
	memset(a, 0, sizeof(a));
	if (has) {
		rcmd_add(&a[0], af.buf, af.len);
		rcmd_add(&a[0], ab.buf, ab.len);
		rcmd_str(&a[0], win);
		rcmd_str(&a[0], max);
		rcmd_str(&a[0], ban);
	}
	rcmd_add(&a[1], uf.buf, uf.len);
	rcmd_add(&a[1], ub.buf, ub.len);
	rcmd_add(&a[1], uk.buf, uk.len);
	rcmd_add(&a[1], uu.buf, uu.len);
	rcmd_str(&a[1], win);
	rcmd_str(&a[1], max);
	rcmd_str(&a[1], ban);
	rcmd_add(&a[1], has ? net : "", nlen);
	rcmd_str(&a[1], num_fmt(nowb, now));
	rcmd_str(&a[1], num_fmt(sttl, st->cfg->session_ttl));
	o = has ? 0 : 1;
	if ((e = conn_scripts(st, 2 - o, ids + o, nkeys + o, a + o, r + o)) !=
	    ERR_OK)
		goto out;

	e = ERR_INTERNAL;
	if (has) {
		if (r[0]->type != REDIS_REPLY_INTEGER)
			goto bad;
		if ((e = ban_seconds(st, r[0]->integer, &out->addr_ttl)) !=
		    ERR_OK)
			goto out;
		out->addr_counted = out->addr_ttl == 0;
		e = ERR_INTERNAL;
	}
	ur = r[1];
	if (ur->type != REDIS_REPLY_ARRAY ||
	    (ur->elements != 2 && ur->elements != 5) ||
	    ur->element[0]->type != REDIS_REPLY_INTEGER ||
	    ur->element[1]->type != REDIS_REPLY_INTEGER)
		goto bad;
	v = ur->element[0]->integer;
	if ((e = ban_seconds(st, v, &out->user_ttl)) != ERR_OK)
		goto out;
	out->user_counted = ur->element[1]->integer == 1;
	if (out->user_ttl == 0) {
		if (ur->elements != 5)
			goto bad;
		out->user = user_parse((const redisReply *const *)
		    ur->element + 2, &out->u);
		if (out->user != ERR_OK && out->user != ERR_NO_USER) {
			e = out->user;
			goto out;
		}
	}
	e = ERR_OK;
	goto out;
bad:
	log_err("redis: login-begin: unexpected reply");
	e = ERR_INTERNAL;
out:
	if (e != ERR_OK) {
		tok_wipe(&out->u, sizeof(out->u));
		out->user = ERR_NO_USER;
	}
	if (r[0] != NULL)
		freeReplyObject(r[0]);
	if (r[1] != NULL) {
		if (r[1]->type == REDIS_REPLY_ARRAY && r[1]->elements == 5 &&
		    r[1]->element[2]->type == REDIS_REPLY_STRING)
			tok_wipe(r[1]->element[2]->str, r[1]->element[2]->len);
		freeReplyObject(r[1]);
	}
	return e;
}
