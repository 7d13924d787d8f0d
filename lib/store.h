/*
 * store.h - everything autenticacao keeps in Redis: the public interface
 * of the store (store_conn.c, store_user.c, store_session.c,
 * store_limit.c; their shared internals and the only include of hiredis.h
 * are in store_int.h, their Lua scripts in lib/lua/).
 *
 * Keys (P = cfg.key_prefix, T = store_slot_tag() of the user name: four
 * lowercase hex characters, the first two bytes of its SHA-1):
 *   P user:{T}<name>             hash  mcf, disabled ("0"/"1"), created
 *   P session:{T}<rand>          hash  the whole state of one session, see
 *                                      below; expires at its sexp.  The
 *                                      session id is <rand><T> (token.h),
 *                                      so the id alone names the key
 *   P user-sessions:{T}<name>    zset  sid -> sexp of each of name's
 *                                      sessions; ended entries are pruned
 *                                      by every write, ended sessions
 *                                      leave it; expires at its last sexp
 *   P fail:{T}<name>             int   password checks of name in the
 *   P fail:{a:<subject>}               window that did not succeed, and
 *                                      of a client address subject
 *   P ban:{T}<name>              any   present while name, or the
 *   P ban:{a:<subject>}                address subject, is banned
 *   P known:{T}<name>            zset  client address subjects that logged
 *                                      in as name -> time of the last one
 *   P metrics                    hash  the counters of GET /metrics
 * Every key of one user has the hash tag {T}, so under Redis Cluster they
 * share one slot, and every script over a user and its sessions runs on
 * one node.  The address keys have tags of their own: they go beside the
 * user's script in the same round trip, to their own node.
 *
 * Keys of versions before the slot tag (P user:<name>, P users,
 * P user-sessions:<name>, P fail:{u:<name>}, P ban:{u:<name>},
 * P known:{u:<name>}) are renamed by store_migrate() (autenticacao-admin
 * migrate-keys).  Sessions of those versions keep their 22-character ids
 * and their key P session:<sid>; they are found by id until they end.
 *
 * A session hash holds: user, created, sexp (absolute end, unix seconds),
 * aexp (end of the two access tokens), ah, ch, rh (tok_hash of
 * authorization, authorizationCorban, refresh token), used (lastUsedAt),
 * addr and ua (client address and User-Agent at login), and the hashes of
 * the last STORE_SPENT_MAX spent refresh tokens with the time each was
 * spent.  All of one session lives under one key, so every rotation is one
 * atomic Lua script on one key (and a Redis Cluster can host it).
 *
 * Connection: opened lazily on first use with redis_timeout_ms as connect
 * and command timeout, AUTH and SELECT as configured.  After any I/O error
 * the connection is dropped and the next call reconnects, so a long-lived
 * FastCGI process recovers by itself once Redis is back.  Every function
 * returns ERR_UNAVAILABLE when Redis cannot be reached or answers late,
 * ERR_INTERNAL on an unexpected reply, and never leaves half a write:
 * multi-field changes are single scripts.
 */
#ifndef AUTENTICACAO_STORE_H
#define AUTENTICACAO_STORE_H

#include <stddef.h>

#include "addr.h"
#include "cfg.h"
#include "err.h"
#include "contract.h"
#include "metrics.h"
#include "passwd.h"
#include "text.h"
#include "token.h"

#define STORE_SPENT_MAX	64	/* spent refresh tokens remembered */
#define STORE_TOUCH	60	/* seconds between two lastUsedAt writes */

struct store;

/* Allocate a store for c (kept by pointer: c must outlive it).  Does not
 * connect.  Returns NULL only when out of memory.  Free with store_close. */
struct store	*store_open(const struct cfg *c);
void		 store_close(struct store *s);

/* PING.  ERR_OK or ERR_UNAVAILABLE. */
enum err	 store_ping(struct store *s);

/*
 * The metrics of this worker (metrics.h) reach Redis in batches without
 * a round trip of their own: once met_due(), the next command of the
 * store carries the batch ahead of it in the same write (both replies
 * are read back in that one round trip), and a reply of the batch that
 * is an error only costs the batch.  store_metrics_flush sends what
 * waits on its own, for a worker that is idle or exits (no request
 * waits for it): ERR_OK (also when nothing waited) or a Redis error.
 */
enum err	 store_metrics_flush(struct store *s);

/*
 * The sums of every worker (the Redis hash KEY_PREFIX "metrics") added
 * into totals (zeroed by the caller), this worker's waiting counts sent
 * ahead in the same round trip.  ERR_OK or a Redis error.
 */
enum err	 store_metrics_read(struct store *s,
		    unsigned long long totals[MET_SLOTS]);

/* ---- users ---- */

struct store_user {
	char	mcf[PW_MCF_MAX];
	int	disabled;
	long	created;
};

/* Read user name (len bytes).  ERR_OK and *u filled, ERR_NO_USER, or a
 * Redis error.  u->mcf is a secret-ish value: wipe u after use. */
enum err	 store_user_get(struct store *s, const char *name, size_t len,
		    struct store_user *u);
/* Create user name with hash mcf, enabled.  ERR_EXISTS if present. */
enum err	 store_user_add(struct store *s, const char *name, size_t len,
		    const char *mcf, long now);
/* Replace the hash of an existing user (ERR_NO_USER if missing).  Does not
 * touch sessions. */
enum err	 store_user_set_hash(struct store *s, const char *name,
		    size_t len, const char *mcf);
/* Set the disabled flag (ERR_NO_USER if missing). */
enum err	 store_user_set_disabled(struct store *s, const char *name,
		    size_t len, int disabled);
/* Remove the user (ERR_NO_USER if missing).  Does not touch sessions. */
enum err	 store_user_del(struct store *s, const char *name, size_t len);
/* Call fn(name, len, arg) for every user, sorted by name.  A non-zero
 * return of fn stops the walk.  Walks the keys (SCAN), so it costs a pass
 * over the whole key space: an admin command, not a request's. */
enum err	 store_user_list(struct store *s,
		    int (*fn)(const char *, size_t, void *), void *arg);

#define STORE_TAG_LEN	TOK_SID_TAG_LEN	/* chars of a slot tag */

/* The slot tag of user name (len bytes) into tag, NUL-terminated. */
void		 store_slot_tag(const char *name, size_t len,
		    char tag[STORE_TAG_LEN + 1]);

/* What store_migrate() did. */
struct store_migrated {
	long	users;		/* user records renamed */
	long	keys;		/* other keys moved (index, counters) */
	long	conflicts;	/* users left: both record names existed */
};

/*
 * Move the keys of the layout before the slot tag to their tagged names
 * at now (one script per user, lib/lua/migrate.lua, so a user is never
 * half-moved; an index or known-address set that exists under both names
 * is merged, a counter or ban under both keeps the new one) and drop the
 * old P users set once no user is left.  Safe to run while responders
 * run, and again: a second run finds nothing.  ERR_INTERNAL (logged)
 * under Redis Cluster (migrate before moving to a cluster), else as any
 * command.
 */
enum err	 store_migrate(struct store *s, long now,
		    struct store_migrated *m);

/* ---- sessions ---- */

/*
 * One session as read from Redis.  The Redis field of each member, for
 * redis-cli readers: user, created, sexp (expires), aexp
 * (access_expires), ah, ch, rh (the three hashes), used, addr, ua (absent
 * in sessions written by older versions: used reads as created, the
 * other two as ""); store_session.c maps them in one table.
 */
struct store_session {
	char	user[LIM_USER_MAX + 1];
	size_t	user_len;
	long	created;		/* unix seconds */
	long	expires;		/* end of the session, unix seconds */
	long	access_expires;		/* end of the two access tokens */
	char	authorization_hash[TOK_HASH_LEN + 1];	/* tok_hash() */
	char	corban_hash[TOK_HASH_LEN + 1];
	char	refresh_hash[TOK_HASH_LEN + 1];
	long	used;			/* lastUsedAt (created when unset) */
	char	addr[ADDR_TEXT_MAX + 1];	/* "" when unknown */
	char	ua[TEXT_UA_MAX + 1];		/* "" when none */
};

/* The three token hashes of one generation. */
struct store_hashes {
	char	authorization_hash[TOK_HASH_LEN + 1];
	char	corban_hash[TOK_HASH_LEN + 1];
	char	refresh_hash[TOK_HASH_LEN + 1];
};

/* Who opened a session: the client address ("" or "-" for none) and the
 * User-Agent as text_user_agent() kept it. */
struct store_client {
	const char	*addr;
	const char	*ua;
};

/* Read session sid (sidlen bytes).  ERR_OK, ERR_SESSION_NOT_FOUND (missing
 * or past sexp), or a Redis error.  One round trip. */
enum err	 store_session_get(struct store *s, const char *sid,
		    size_t sidlen, struct store_session *out);

/*
 * A bearer check: read session sid like store_session_get, and in the same
 * script, when h (tok_hash of the bearer) is the hash of one of the access
 * tokens of accept (SESSION_ACCEPT_* bits of session.h) and the session
 * and those tokens are live at now, record now as lastUsedAt if the last
 * record is at least STORE_TOUCH seconds old.  *out is the session as
 * read, before that write.  The caller still compares the hashes in
 * constant time.  One round trip.
 */
enum err	 store_session_use(struct store *s, const char *sid,
		    size_t sidlen, const char *h, unsigned accept, long now,
		    struct store_session *out);

/*
 * refresh-token in one script (one round trip): if session sid exists and
 * has not ended, compare ph (tok_hash of the presented refresh token) with
 * its current refresh hash (in the script, without an early exit), then:
 * equal: rotate: replace the three hashes with h, keep ph as spent at
 * now, set aexp = min(now + access_ttl, sexp); sexp does not move (ERR_OK,
 * *out the session as written; ERR_INVALID_TOKEN, nothing changed, when
 * the session already remembers STORE_SPENT_MAX spent refresh tokens:
 * spent tokens are never forgotten while the session lives, so reuse is
 * always detected, and a password check with store_renew_finish starts
 * a new list; ERR_SESSION_NOT_FOUND when the session is past its idle
 * end); else judge ph as a spent token (RFC 9700 4.14.2):
 * ERR_REFRESH_CONFLICT, nothing changed, when ph was spent less than
 * grace seconds before now; ERR_INVALID_TOKEN with *outcome
 * STORE_REFRESH_REVOKED when it was spent earlier (the session and its
 * index entry are deleted for the reuse), STORE_REFRESH_RING_FULL for a
 * full ring, STORE_REFRESH_OTHER for a hash the session never had).  ERR_SESSION_NOT_FOUND when the session is missing or ended.
 * The session's owner, when there is a session, is copied into user
 * (LIM_USER_MAX + 1 bytes, "" otherwise), *ulen its length.
 */
enum store_refresh { STORE_REFRESH_OTHER = 0, STORE_REFRESH_REVOKED,
	STORE_REFRESH_RING_FULL };
enum err	 store_session_refresh(struct store *s, const char *sid,
		    size_t sidlen, const char *ph,
		    const struct store_hashes *h, long now, long grace,
		    struct store_session *out, char user[LIM_USER_MAX + 1],
		    size_t *ulen, enum store_refresh *outcome);

/* Delete session sid and its entry in its user's index (the owner is
 * read first: two round trips).  ERR_OK or ERR_SESSION_NOT_FOUND. */
enum err	 store_session_del(struct store *s, const char *sid,
		    size_t sidlen);

/* Delete session sid if it belongs to user, and drop sid from user's
 * index, in one script.  ERR_OK, or ERR_SESSION_NOT_FOUND (missing or
 * another user's: nothing deleted). */
enum err	 store_session_end(struct store *s, const char *user,
		    size_t ulen, const char *sid, size_t sidlen);

/* 1 if session s, as read, has not ended at now: before sexp and, with
 * idle_ttl set, before its idle end (store_idle_end). */
int		 store_session_live(const struct cfg *c,
		    const struct store_session *s, long now);

/*
 * Seconds between two lastUsedAt writes: STORE_TOUCH, or idle_ttl / 2
 * when that is less.  Since the last use lies within that interval after
 * the recorded one, a session with idle_ttl set ends at used + idle_ttl +
 * this interval (store_idle_end), never earlier than idle_ttl after its
 * last use.
 */
long		 store_touch(const struct cfg *c);
/* The end of a session last recorded used at used: used + idle_ttl +
 * store_touch(), or LONG_MAX when idle_ttl is 0. */
long		 store_idle_end(const struct cfg *c, long used);

/* Call fn(sid, session, arg) for each live session of user at now,
 * oldest first (entries of ended, missing or foreign sessions leave the
 * index on the way). */
enum err	 store_user_sessions(struct store *s, const char *user,
		    size_t ulen, long now, int (*fn)(const char *,
		    const struct store_session *, void *), void *arg);

/* Delete every session of user and its index.  *n, if not NULL, receives
 * how many sessions were deleted. */
enum err	 store_user_revoke(struct store *s, const char *user,
		    size_t ulen, long now, long *n);

/* ---- brute-force regulation ---- */

enum store_subject { STORE_SUBJ_USER = 'u', STORE_SUBJ_ADDR = 'a' };

/*
 * Every password check is counted before it runs, per user name and per
 * client address, so parallel guesses cannot outrun the limit; a check
 * that succeeds takes its count back.
 */

/* Seconds left on the ban of subject (0 when not banned) into *ttl. */
enum err	 store_ban_ttl(struct store *s, enum store_subject kind,
		    const char *subj, size_t len, long *ttl);
/* Take back one attempt of subject (it succeeded, or another subject's
 * ban refused it). */
enum err	 store_attempt_undo(struct store *s, enum store_subject kind,
		    const char *subj, size_t len);
/* Forget the attempts of subject (a user name after a successful login). */
enum err	 store_fail_reset(struct store *s, enum store_subject kind,
		    const char *subj, size_t len);
/* Lift the ban and forget failures of subject (both kinds are tried). 
 * *found, if not NULL, is 1 when a ban or counter existed. */
enum err	 store_unban(struct store *s, const char *subj, size_t len,
		    int *found);


/* ---- a password check in two round trips ---- */

/* What the round trip before a password check found (store_login_begin). */
struct store_begin {
	long			addr_ttl;	/* seconds left on the address's
						   ban; 0: may try */
	int			addr_counted;	/* its attempt was counted */
	long			user_ttl;	/* the same for the user name */
	int			user_counted;
	enum err		user;		/* ERR_OK (u read), ERR_NO_USER;
						   read only when user_ttl is 0 */
	struct store_user	u;		/* wipe after use */
};

/*
 * Before a password check of user from address subject net (NULL or ""
 * for none), in one round trip: one script for the address
 * (attempt.lua): if it is banned, the seconds left and nothing counted;
 * else one attempt counted (the counter lives failure_window seconds from
 * its first attempt), and when that makes more than max_failures a ban
 * of ban_time seconds and the counter dropped; beside it one script on
 * the user's keys (login_begin.lua) that counts the user name's attempt
 * the same way, with the known-address exemption
 * (when net logged in as this user less than session_ttl seconds before
 * now, the check may run without being counted or held by the user's
 * ban), and reads the user record.  Both run whatever the
 * other finds: the caller takes back what the refusal of the other
 * subject makes undue (store_attempt_undo).  ERR_OK with *out filled, or
 * a Redis error (nothing is known then).
 */
enum err	 store_login_begin(struct store *s, const char *user,
		    size_t ulen, const char *net, long now,
		    struct store_begin *out);

/* What the round trip after a successful password check checks and keeps
 * (store_login_finish, store_renew_finish). */
struct store_cred {
	const char	*user;
	size_t		 ulen;
	const char	*mcf;		/* the hash that matched: must still be
					   the stored one, user enabled */
	const char	*fresh;		/* "" or the re-hash to store over it */
	const char	*net;		/* address subject, NULL or "" for none */
	int		 addr_counted;	/* take the address's attempt back */
};

/*
 * After a successful check of c, in one round trip: one script on the
 * user's keys (login_finish.lua) checks that the user still exists, is
 * enabled and holds c->mcf; if so it stores c->fresh over it (when not
 * ""), forgets the user's failures, remembers net as known for
 * session_ttl seconds (P known:{u:<name>}) and creates session sid of
 * c->user with hashes h, recording the client cl (NULL: none): created =
 * used = now, aexp = min(now + access_ttl, sexp), sexp = now +
 * session_ttl, the key expiring at sexp, its index entry written by the
 * same script, within max_sessions_per_user applied to the whole index
 * (read by the script): the count, the eviction (evict_oldest: the least
 * recently used go) or the refusal (refuse) and the write are one atomic
 * step, so parallel logins never leave more than the cap alive.  Beside
 * it the address's attempt is taken back (when c->addr_counted).
 * ERR_OK (*evicted, when not NULL, the sessions the cap ended);
 * ERR_EXISTS (sid taken); ERR_SESSION_LIMIT; ERR_CHANGED when the user
 * changed since the check: nothing written, *now is the user as stored
 * (ERR_NO_USER in *now_e when gone); or a Redis error.
 */
enum err	 store_login_finish(struct store *s, const struct store_cred *c,
		    const char *sid, const struct store_hashes *h, long now,
		    const struct store_client *cl, long *evicted,
		    struct store_user *now_u, enum err *now_e);

/*
 * store_login_finish for refresh-session: the session sid (sidlen bytes)
 * of c->user is renewed: its three hashes replaced with h, aexp = now +
 * access_ttl and sexp = now + session_ttl (a password check renews the
 * session), the spent refresh tokens forgotten and the old refresh hash
 * kept as spent at now; its index entry moves to the new end in the same
 * script.  ERR_OK (*out the session as written), ERR_SESSION_NOT_FOUND
 * (missing, expired, or another user's), ERR_CHANGED (*now_u, *now_e as
 * above), or a Redis error.
 */
enum err	 store_renew_finish(struct store *s, const struct store_cred *c,
		    const char *sid, size_t sidlen,
		    const struct store_hashes *h, long now,
		    struct store_session *out, struct store_user *now_u,
		    enum err *now_e);

#endif
