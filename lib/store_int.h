/*
 * store_int.h - what the files of the store share: store_conn.c (the
 * connection and the script runner), store_user.c, store_session.c and
 * store_limit.c.  The only header that includes hiredis.h; nothing outside
 * lib/store_*.c includes it.  The public interface and the key model are
 * in store.h.
 *
 * Commands.  Every command goes out through redisCommandArgv with an
 * explicit length for each argument (struct rcmd): no format string is
 * ever built, so user names, session ids and hashes may hold any byte, '%'
 * included.
 *
 * Scripts.  Every change of more than one field of one key is one Lua
 * script, a file of lib/lua/ compiled in by scripts/lua2c.sh (enum script,
 * lua_scripts[]).  Every key a script touches is declared in KEYS.  The
 * scripts over one user's sessions and index together (login_finish
 * with its cap, session_end, session_refresh) name keys of that user
 * only (session_refresh makes its index key from the owner it reads);
 * under Redis Cluster those must share a slot, which is the scale-out
 * work (see docs/design.md).  Scripts
 * never call TIME: the caller passes the time (unix seconds), so tests
 * control it and a script's effect depends on its arguments only.  Values
 * computed in C (sexp, aexp candidates) are passed as decimal strings, so
 * Lua's doubles never format a stored number.  What a script answers is
 * one of the named codes of enum lua_code (each script declares the ones
 * it returns as "local LUA_X = N"; the build checks they agree), or data.
 *
 * Arguments outside the store's limits (a user name of 0 or more than
 * LIM_USER_MAX bytes, a session id or subject of 0 or more than
 * LIM_TOKEN_MAX bytes) cannot name anything stored: lookups answer "not
 * found", writes answer ERR_INTERNAL.  A hash that is not TOK_HASH_LEN
 * lowercase hex characters, or an MCF string that does not fit PW_MCF_MAX,
 * is a caller bug: ERR_INTERNAL.
 */
#ifndef AUTENTICACAO_STORE_INT_H
#define AUTENTICACAO_STORE_INT_H

#include <stddef.h>

#include <hiredis.h>

#include "cfg.h"
#include "err.h"
#include "contract.h"
#include "lua.h"	/* generated: enum script, LUA_SESSION_NFIELDS */
#include "store.h"
#include "token.h"

#define KEY_MAX		(CFG_STR_MAX + 32 + LIM_TOKEN_MAX) /* bytes of a key */
#define RCMD_ARGS_MAX	256	/* arguments of one command */
#define NUM_MAX		24	/* a long in decimal, sign and NUL */
#define SHA_LEN		40	/* hex SHA-1 of a script */
#define ERRLOG_MAX	200	/* bytes of a Redis error message logged */

/*
 * What the Lua scripts answer besides data.  The values overlap: each
 * script's opening comment says which of them it returns.
 */
enum lua_code {
	LUA_NOTHING = 0,	/* nothing changed (exists, or missing) */
	LUA_DONE = 1,		/* written, added or deleted */
	LUA_GONE = -1,		/* the session is missing or has ended */
	LUA_CONFLICT = 0,	/* rotate: the refresh hash moved on */
	LUA_RING_FULL = -2,	/* rotate: STORE_SPENT_MAX spent, refused */
	LUA_NOT_SPENT = 0,	/* spent: the hash was never spent here */
	LUA_IN_GRACE = 1,	/* spent: spent less than grace seconds ago */
	LUA_REVOKED = 2,	/* spent: spent earlier, session deleted */
	LUA_MAY_TRY = 0,	/* attempt: counted, not banned */
	LUA_LIMIT = -3,		/* create: at max_sessions_per_user, refused */
	LUA_RETRY = -4,		/* create: the index moved since it was read */
	LUA_ROTATED = 3,	/* refresh: the session was rotated */
	LUA_CHANGED = -5	/* login_finish: the user changed meanwhile */
};

/* The key rules that lib/lua/keys.lua repeats (checked by the build). */
#define LUA_SID_LEN	TOK_SID_LEN
#define LUA_SID_RAND_LEN TOK_SID_RAND_LEN
#define LUA_TAG_LEN	TOK_SID_TAG_LEN

/* One script of lib/lua/, comment lines left out. */
struct lua_script {
	const char	*name;		/* file name without .lua, for the log */
	const char	*body;
};

/* Every script, by enum script (generated lua.c). */
extern const struct lua_script	 lua_scripts[SCR__MAX];
/* The session fields the session scripts answer with, in order
 * (lib/lua/session_fields.lua); enum sess_field indexes it. */
extern const char *const	 lua_session_fields[LUA_SESSION_NFIELDS];

/* One key: prefix and parts, not NUL-terminated (keys are binary). */
struct key {
	char	buf[KEY_MAX];
	size_t	len;
};

/* One Redis command's arguments, each with its length.  The arguments
 * point into the caller's buffers, which must outlive the command. */
struct rcmd {
	const char	*argv[RCMD_ARGS_MAX];
	size_t		 len[RCMD_ARGS_MAX];
	int		 argc;
	int		 over;		/* an argument did not fit */
};

/* The store handle (store_open).  Lives as long as the process. */
struct store {
	const struct cfg	*cfg;
	redisContext		*rc;		/* NULL when not connected */
	long long		 used_ms;	/* CLOCK_MONOTONIC ms of the
						 * last reply on rc */
	/* Sentinel: the sentinel to ask first, the master it named last
	 * and when (conn_now_ms()); the master's port is 0 before that. */
	size_t			 sentinel_next;
	char			 master_host[CFG_HOST_MAX + 1];
	int			 master_port;
	long long		 master_asked;
	/* SHA-1 of each script as SCRIPT LOAD answered it; "" before the
	 * first use, "-" when SCRIPT LOAD is refused (then always EVAL). */
	char			 sha[SCR__MAX][SHA_LEN + 1];
};

/* ---- arguments, keys and numbers (store_conn.c) ---- */

/* Append argument p (len bytes) to c; sets c->over when c is full. */
void		 rcmd_add(struct rcmd *c, const char *p, size_t len);
/* Append the NUL-terminated argument p to c. */
void		 rcmd_str(struct rcmd *c, const char *p);

/*
 * Build key P<mid><name><end> into k (name is len bytes, may be NULL when
 * len is 0).  Returns 0, or -1 when it does not fit.
 */
int		 key_make(const struct store *s, struct key *k,
		    const char *mid, const char *name, size_t len,
		    const char *end);

/* Key P<mid>{T}<name> of user name (len bytes) into k, T its slot tag
 * (store.h); -1 when it does not fit. */
int		 key_user(const struct store *s, struct key *k,
		    const char *mid, const char *name, size_t len);
/* Key of session sid (len bytes) into k: P session:{T}<rand> for an id
 * of TOK_SID_LEN characters (<rand><T>), P session:<sid> for any other
 * (the ids of versions before the tag); -1 when it does not fit. */
int		 key_session(const struct store *s, struct key *k,
		    const char *sid, size_t len);

/* 1 if name (len bytes) is a possible user name: 1..LIM_USER_MAX bytes. */
int		 name_ok(const char *name, size_t len);
/* 1 if sid (len bytes) is a possible session id: 1..LIM_TOKEN_MAX bytes. */
int		 sid_ok(const char *sid, size_t len);
/* 1 if p (len bytes) is TOK_HASH_LEN lowercase hex characters. */
int		 hash_ok(const char *p, size_t len);
/* 1 if the three NUL-terminated hashes of h are well formed. */
int		 hashes_ok(const struct store_hashes *h);

/* Parse p (len bytes) as a non-negative decimal of at most 18 digits into
 * *out.  Returns 0, or -1 on anything else. */
int		 num_parse(const char *p, size_t len, long *out);
/* Write v in decimal into buf (NUM_MAX bytes); returns buf. */
const char	*num_fmt(char buf[NUM_MAX], long v);

/* ---- records (store_user.c) ---- */

/*
 * Fill *u from f[0..2], a user record's mcf, disabled and created as Redis
 * answered them.  ERR_OK, ERR_NO_USER when all three are nil, or
 * ERR_INTERNAL (logged) when the record is malformed.
 */
enum err	 user_parse(const redisReply *const f[3],
		    struct store_user *u);

/* ---- commands and scripts (store_conn.c) ---- */

/*
 * Run command c; on ERR_OK *rp holds a reply that is not an error (the
 * caller frees it with freeReplyObject).  Otherwise *rp is NULL and the
 * result is ERR_UNAVAILABLE (no reply, or a "not now" error reply; the
 * connection is dropped) or ERR_INTERNAL (any other error reply, logged).
 */
enum err	 conn_cmd(struct store *s, struct rcmd *c, redisReply **rp);
/* Run command c and expect an integer reply into *v; ERR_INTERNAL
 * (logged) on any other reply type. */
enum err	 conn_cmd_int(struct store *s, struct rcmd *c, long long *v);

/*
 * Run script id with nkeys keys followed by arguments, both in a (keys
 * first).  EVALSHA when the SHA-1 is known, EVAL when Redis does not have
 * the script (NOSCRIPT) or refused to load it.  Results as conn_cmd.
 */
enum err	 conn_script(struct store *s, enum script id, int nkeys,
		    const struct rcmd *a, redisReply **rp);
/* conn_script expecting an integer reply, into *v. */
enum err	 conn_script_int(struct store *s, enum script id, int nkeys,
		    const struct rcmd *a, long long *v);

/*
 * SCAN the keys matching glob match (len bytes), calling fn(arg, key,
 * keylen) once per key found (twice is possible, as SCAN may); a
 * non-zero fn return ends the walk.  Results as conn_cmd.
 */
enum err	 conn_scan(struct store *s, const char *match, size_t len,
		    int (*fn)(void *, const char *, size_t), void *arg);

#define CONN_PIPE_MAX	4	/* scripts of one conn_scripts round trip */

/*
 * Run n scripts (at most CONN_PIPE_MAX) in one round trip: script id[i]
 * with nkeys[i] keys, then its arguments, in a[i].  Every command is
 * written before any reply is read, so Redis runs them in that order, but
 * not as one transaction (their keys may live in different Cluster
 * slots): each runs even when one before it fails.  A script that Redis
 * answers NOSCRIPT is sent again on its own with EVAL.  On return r[i]
 * holds script i's reply when it is not an error, else NULL (the caller
 * frees them all).  The result is ERR_OK when every reply is there, else
 * the first error.
 */
enum err	 conn_scripts(struct store *s, int n, const enum script id[],
		    const int nkeys[], const struct rcmd a[], redisReply *r[]);

#endif
