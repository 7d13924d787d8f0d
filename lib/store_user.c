/*
 * store_user.c - user records: P user:<name> (mcf, disabled, created) and
 * the set P users of every name.  A user and its name in the set change
 * together, in one script.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/*
 * Fill *u from f[0..2], the user record's mcf, disabled and created as
 * Redis answered them.  ERR_OK, ERR_NO_USER when all three are nil, or
 * ERR_INTERNAL (logged) when the record is malformed.
 */
enum err
user_parse(const redisReply *const f[3], struct store_user *u)
{
	size_t		 i, nil;
	long		 created;

	memset(u, 0, sizeof(*u));
	for (i = 0, nil = 0; i < 3; i++) {
		if (f[i]->type == REDIS_REPLY_NIL)
			nil++;
		else if (f[i]->type != REDIS_REPLY_STRING)
			goto bad;
	}
	if (nil == 3)
		return ERR_NO_USER;
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
	return ERR_OK;
bad:
	memset(u, 0, sizeof(*u));
	log_err("redis: malformed user record");
	return ERR_INTERNAL;
}

/*
 * HMGET user name's mcf, disabled, created into *u.  ERR_OK, ERR_NO_USER,
 * ERR_INTERNAL when the record is malformed (logged), or a Redis error.
 * The reply's copy of the hash is wiped before it is freed.
 */
enum err
store_user_get(struct store *st, const char *name, size_t len,
    struct store_user *u)
{
	struct key		 k;
	struct rcmd		 c;
	redisReply		*r = NULL;
	enum err		 e;

	memset(u, 0, sizeof(*u));
	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(st, &k, "user:", name, len, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "HMGET");
	rcmd_add(&c, k.buf, k.len);
	rcmd_str(&c, "mcf");
	rcmd_str(&c, "disabled");
	rcmd_str(&c, "created");
	if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
		goto out;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
		log_err("redis: malformed user record");
		e = ERR_INTERNAL;
		goto out;
	}
	e = user_parse((const redisReply *const *)r->element, u);
out:
	if (r != NULL) {
		if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
		    r->element[0]->type == REDIS_REPLY_STRING)
			tok_wipe(r->element[0]->str, r->element[0]->len);
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
store_user_add(struct store *st, const char *name, size_t len,
    const char *mcf, long now)
{
	struct key	 k, ks;
	struct rcmd	 a;
	char		 created[NUM_MAX];
	long long	 v;
	enum err	 e;
	size_t		 mlen;

	if (!name_ok(name, len) || (mlen = mcf_len(mcf)) == 0 ||
	    key_make(st, &k, "user:", name, len, "") == -1 ||
	    key_make(st, &ks, "users", NULL, 0, "") == -1) {
		log_err("store: user add: bad argument");
		return ERR_INTERNAL;
	}
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_add(&a, ks.buf, ks.len);
	rcmd_add(&a, name, len);
	rcmd_add(&a, mcf, mlen);
	rcmd_str(&a, num_fmt(created, now));
	if ((e = conn_script_int(st, SCR_USER_ADD, 2, &a, &v)) != ERR_OK)
		return e;
	return v == LUA_DONE ? ERR_OK : ERR_EXISTS;
}

/* Set field of existing user name to value (vlen bytes): ERR_OK,
 * ERR_NO_USER or a Redis error. */
static enum err
user_set(struct store *st, const char *name, size_t len, const char *field,
    const char *value, size_t vlen)
{
	struct key	 k;
	struct rcmd	 a;
	long long	 v;
	enum err	 e;

	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(st, &k, "user:", name, len, "") == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_str(&a, field);
	rcmd_add(&a, value, vlen);
	if ((e = conn_script_int(st, SCR_USER_SET, 1, &a, &v)) != ERR_OK)
		return e;
	return v == LUA_DONE ? ERR_OK : ERR_NO_USER;
}

enum err
store_user_set_hash(struct store *st, const char *name, size_t len,
    const char *mcf)
{
	size_t	 mlen;

	if ((mlen = mcf_len(mcf)) == 0) {
		log_err("store: user set hash: bad argument");
		return ERR_INTERNAL;
	}
	return user_set(st, name, len, "mcf", mcf, mlen);
}

enum err
store_user_set_disabled(struct store *st, const char *name, size_t len,
    int disabled)
{

	return user_set(st, name, len, "disabled", disabled ? "1" : "0", 1);
}

enum err
store_user_del(struct store *st, const char *name, size_t len)
{
	struct key	 k, ks;
	struct rcmd	 a;
	long long	 v;
	enum err	 e;

	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_make(st, &k, "user:", name, len, "") == -1 ||
	    key_make(st, &ks, "users", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_add(&a, ks.buf, ks.len);
	rcmd_add(&a, name, len);
	if ((e = conn_script_int(st, SCR_USER_DEL, 2, &a, &v)) != ERR_OK)
		return e;
	return v == LUA_DONE ? ERR_OK : ERR_NO_USER;
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
store_user_list(struct store *st, int (*fn)(const char *, size_t, void *),
    void *arg)
{
	struct key	 ks;
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;

	if (key_make(st, &ks, "users", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	memset(&c, 0, sizeof(c));
	rcmd_str(&c, "SMEMBERS");
	rcmd_add(&c, ks.buf, ks.len);
	if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
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

