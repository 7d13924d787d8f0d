/*
 * store_user.c - user records: P user:{T}<name> (mcf, disabled, created),
 * the walk over all of them, and the move of the keys of versions before
 * the slot tag (store.h).
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
	if (key_user(st, &k, "user:", name, len) == -1)
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
	struct key	 k;
	struct rcmd	 a;
	char		 created[NUM_MAX];
	long long	 v;
	enum err	 e;
	size_t		 mlen;

	if (!name_ok(name, len) || (mlen = mcf_len(mcf)) == 0 ||
	    key_user(st, &k, "user:", name, len) == -1) {
		log_err("store: user add: bad argument");
		return ERR_INTERNAL;
	}
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	rcmd_add(&a, mcf, mlen);
	rcmd_str(&a, num_fmt(created, now));
	if ((e = conn_script_int(st, SCR_USER_ADD, 1, &a, &v)) != ERR_OK)
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
	if (key_user(st, &k, "user:", name, len) == -1)
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
	struct key	 k;
	struct rcmd	 a;
	long long	 v;
	enum err	 e;

	if (!name_ok(name, len))
		return ERR_NO_USER;
	if (key_user(st, &k, "user:", name, len) == -1)
		return ERR_INTERNAL;
	memset(&a, 0, sizeof(a));
	rcmd_add(&a, k.buf, k.len);
	if ((e = conn_script_int(st, SCR_USER_DEL, 1, &a, &v)) != ERR_OK)
		return e;
	return v == LUA_DONE ? ERR_OK : ERR_NO_USER;
}

/* The names found by a walk (struct names), each a malloc'd copy. */
struct name {
	char	*p;
	size_t	 len;
};

struct names {
	struct name	*v;		/* malloc'd; v[0..n) owned */
	size_t		 n, cap;
	size_t		 plen;		/* bytes of P user: */
	int		 oom;
};

static void
names_free(struct names *ns)
{
	size_t	 i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i].p);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/*
 * If key (len bytes) is P user:{T}<name> with T name's slot tag, the
 * user name in it: *name and *nlen; else 0 (a key of an older version,
 * or someone else's).
 */
static int
user_key_name(size_t plen, const char *key, size_t len, const char **name,
    size_t *nlen)
{
	char	 tag[STORE_TAG_LEN + 1];

	if (len < plen + STORE_TAG_LEN + 3 || key[plen] != '{' ||
	    key[plen + STORE_TAG_LEN + 1] != '}')
		return 0;
	*name = key + plen + STORE_TAG_LEN + 2;
	*nlen = len - plen - STORE_TAG_LEN - 2;
	if (!name_ok(*name, *nlen))
		return 0;
	store_slot_tag(*name, *nlen, tag);
	return memcmp(tag, key + plen + 1, STORE_TAG_LEN) == 0;
}

/* conn_scan callback of store_user_list: keep the name of a user key. */
static int
names_add(void *arg, const char *key, size_t len)
{
	struct names	*ns = arg;
	struct name	*v;
	const char	*name;
	size_t		 nlen, cap;

	if (!user_key_name(ns->plen, key, len, &name, &nlen))
		return 0;
	if (ns->n == ns->cap) {
		cap = ns->cap == 0 ? 64 : ns->cap * 2;
		if ((v = reallocarray(ns->v, cap, sizeof(*v))) == NULL)
			goto oom;
		ns->v = v;
		ns->cap = cap;
	}
	if ((ns->v[ns->n].p = malloc(nlen)) == NULL)
		goto oom;
	memcpy(ns->v[ns->n].p, name, nlen);
	ns->v[ns->n].len = nlen;
	ns->n++;
	return 0;
oom:
	ns->oom = 1;
	return 1;
}

/* qsort order of names: bytewise, then shorter first. */
static int
name_cmp(const void *a, const void *b)
{
	const struct name	*x = a, *y = b;
	int			 c;

	c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * Glob pattern of the keys P<mid><rest> into k: P and mid with the
 * glob's special characters escaped, then rest as it is.  -1 when it
 * does not fit.
 */
static int
key_glob(const struct store *st, struct key *k, const char *mid,
    const char *rest)
{
	struct key	 lit;
	size_t		 i, rlen = strlen(rest);

	if (key_make(st, &lit, mid, NULL, 0, "") == -1)
		return -1;
	k->len = 0;
	for (i = 0; i < lit.len; i++) {
		if (k->len + 2 > sizeof(k->buf))
			return -1;
		if (strchr("*?[]\\", lit.buf[i]) != NULL && lit.buf[i] != '\0')
			k->buf[k->len++] = '\\';
		k->buf[k->len++] = lit.buf[i];
	}
	if (rlen > sizeof(k->buf) - k->len)
		return -1;
	memcpy(k->buf + k->len, rest, rlen);
	k->len += rlen;
	return 0;
}

/*
 * Every key P user:{T}<name> (SCAN), sorted bytewise by name, duplicates
 * (SCAN may name a key twice) once, one fn call per name (the name's
 * bytes are only valid during the call).
 */
enum err
store_user_list(struct store *st, int (*fn)(const char *, size_t, void *),
    void *arg)
{
	struct names	 ns;
	struct key	 pat, p;
	enum err	 e;
	size_t		 i;

	memset(&ns, 0, sizeof(ns));
	if (key_glob(st, &pat, "user:", "{????}*") == -1 ||
	    key_make(st, &p, "user:", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	ns.plen = p.len;
	if ((e = conn_scan(st, pat.buf, pat.len, names_add, &ns)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (ns.oom) {
		log_err("store: user list: out of memory");
		goto out;
	}
	if (ns.n > 1)
		qsort(ns.v, ns.n, sizeof(ns.v[0]), name_cmp);
	for (i = 0; i < ns.n; i++) {
		if (i > 0 && name_cmp(&ns.v[i - 1], &ns.v[i]) == 0)
			continue;
		if (fn(ns.v[i].p, ns.v[i].len, arg) != 0)
			break;
	}
	e = ERR_OK;
out:
	names_free(&ns);
	return e;
}

/* ---- keys of versions before the slot tag ---- */

/* The old names of a user's keys, in migrate.lua's order. */
static const struct {
	const char	*mid, *end;
} old_keys[5] = {
	{ "user:", "" },
	{ "user-sessions:", "" },
	{ "fail:{u:", "}" },
	{ "ban:{u:", "}" },
	{ "known:{u:", "}" },
};

/* The new names, in the same order. */
static const char *const new_mids[5] = {
	"user:", "user-sessions:", "fail:", "ban:", "known:"
};

/* Old user names found by store_migrate's walk. */
static int
old_add(void *arg, const char *key, size_t len)
{
	struct names	*ns = arg;
	struct name	*v;
	const char	*name;
	size_t		 nlen, cap;

	if (user_key_name(ns->plen, key, len, &name, &nlen))
		return 0;	/* already tagged */
	name = key + ns->plen;
	nlen = len - ns->plen;
	if (!name_ok(name, nlen))
		return 0;
	if (ns->n == ns->cap) {
		cap = ns->cap == 0 ? 64 : ns->cap * 2;
		if ((v = reallocarray(ns->v, cap, sizeof(*v))) == NULL)
			goto oom;
		ns->v = v;
		ns->cap = cap;
	}
	if ((ns->v[ns->n].p = malloc(nlen)) == NULL)
		goto oom;
	memcpy(ns->v[ns->n].p, name, nlen);
	ns->v[ns->n].len = nlen;
	ns->n++;
	return 0;
oom:
	ns->oom = 1;
	return 1;
}

/* Move the keys of user name (len bytes) at now, adding to *m. */
static enum err
migrate_one(struct store *st, const char *name, size_t len, long now,
    struct store_migrated *m)
{
	struct key	 k[10];
	struct rcmd	 a;
	redisReply	*r = NULL;
	char		 nowb[NUM_MAX];
	enum err	 e;
	size_t		 i;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < 5; i++)
		if (key_make(st, &k[i], old_keys[i].mid, name, len,
		    old_keys[i].end) == -1 ||
		    key_user(st, &k[i + 5], new_mids[i], name, len) == -1)
			return ERR_INTERNAL;
	for (i = 0; i < 10; i++)
		rcmd_add(&a, k[i].buf, k[i].len);
	rcmd_str(&a, num_fmt(nowb, now));
	if ((e = conn_script(st, SCR_MIGRATE, 10, &a, &r)) != ERR_OK)
		return e;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
		log_err("redis: migrate: unexpected reply");
		freeReplyObject(r);
		return ERR_INTERNAL;
	}
	for (i = 0; i < 3; i++)
		if (r->element[i]->type != REDIS_REPLY_INTEGER) {
			log_err("redis: migrate: unexpected reply");
			freeReplyObject(r);
			return ERR_INTERNAL;
		}
	m->users += (long)r->element[0]->integer;
	m->keys += (long)r->element[1]->integer;
	m->conflicts += (long)r->element[2]->integer;
	freeReplyObject(r);
	return ERR_OK;
}

enum err
store_migrate(struct store *st, long now, struct store_migrated *m)
{
	struct names	 ns;
	struct key	 pat, p, ks;
	struct rcmd	 c;
	redisReply	*r = NULL;
	enum err	 e;
	size_t		 i;

	memset(m, 0, sizeof(*m));
	memset(&ns, 0, sizeof(ns));
	if (st->cfg->redis_cluster_nodes.len > 0) {
		log_err("store: migrate: the keys move on a single Redis; "
		    "migrate before moving to a cluster");
		return ERR_INTERNAL;
	}
	if (key_glob(st, &pat, "user:", "*") == -1 ||
	    key_make(st, &p, "user:", NULL, 0, "") == -1 ||
	    key_make(st, &ks, "users", NULL, 0, "") == -1)
		return ERR_INTERNAL;
	ns.plen = p.len;
	if ((e = conn_scan(st, pat.buf, pat.len, old_add, &ns)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (ns.oom) {
		log_err("store: migrate: out of memory");
		goto out;
	}
	for (i = 0; i < ns.n; i++)
		if ((e = migrate_one(st, ns.v[i].p, ns.v[i].len, now, m)) !=
		    ERR_OK)
			goto out;
	/* The old set of names goes once nothing is left behind. */
	if (m->conflicts == 0) {
		memset(&c, 0, sizeof(c));
		rcmd_str(&c, "DEL");
		rcmd_add(&c, ks.buf, ks.len);
		if ((e = conn_cmd(st, &c, &r)) != ERR_OK)
			goto out;
		freeReplyObject(r);
	}
	e = ERR_OK;
out:
	names_free(&ns);
	return e;
}
