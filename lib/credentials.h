/*
 * credentials.h - the password check of login and refresh-session, under
 * brute-force regulation (regulation.h), and the check after the write.
 */
#ifndef AUTENTICACAO_CREDENTIALS_H
#define AUTENTICACAO_CREDENTIALS_H

#include <stddef.h>

#include "addr.h"
#include "cfg.h"
#include "err.h"
#include "passwd.h"
#include "store.h"

/* A password check that matched, kept for the write after it
 * (cred_commit).  Secret-ish: wipe it after use. */
struct cred {
	char	mcf[PW_MCF_MAX];		/* the stored hash that matched */
	char	fresh[PW_MCF_MAX];		/* "" or its re-hash as $s1$ */
	char	net[ADDR_TEXT_MAX + 1];		/* address subject, "-" none */
	int	addr_counted;			/* its attempt is still counted */
};

/*
 * Check password pw (pwlen bytes) of user (ulen bytes) for a client at
 * address addr ("-" for none), under regulation: the attempt is counted
 * for the address and the user name, and the user read, in one round
 * trip before the check runs (reg_begin).  Unknown, wrong and disabled
 * all give ERR_INVALID_CREDENTIALS after the same work: one check of the
 * stored hash in its format (pw_dummy, scrypt at the configured cost, for
 * unknown users) and the same Redis calls; their counts stay.  A match of
 * a foreign hash (passwd.h), or of a $s1$ cheaper than the configured
 * cost, re-hashes the password as $s1$ at the configured cost into
 * c->fresh, for cred_commit to store (a failed re-hash is logged, not an
 * error).
 *
 * Returns ERR_OK with *c filled for cred_commit; ERR_INVALID_CREDENTIALS;
 * ERR_TOO_MANY_ATTEMPTS with *retry_after set; ERR_INTERNAL when the
 * check could not run; or a Redis error (a check we cannot count is a
 * 503, never a 401).
 */
enum err	 cred_check(struct store *st, const struct cfg *cfg,
		    const char *addr, const char *user, size_t ulen,
		    const char *pw, size_t pwlen, struct cred *c,
		    long *retry_after);

/*
 * The one write after a successful check: fn(st, sc, arg, now_u, now_e)
 * runs one store_login_finish or store_renew_finish for sc (made from c),
 * which writes only if the user is unchanged since the check and answers
 * ERR_CHANGED with the user as stored otherwise.
 */
typedef enum err (*cred_write_fn)(struct store *, const struct store_cred *,
    void *, struct store_user *, enum err *);

/*
 * Run fn for the check c of user with password pw: its one round trip
 * keeps the success's bookkeeping (the user's failures forgotten, the
 * address known and its count taken back, the re-hash stored) and writes
 * the session.  When the user was disabled or deleted during the check,
 * or its hash changed to one pw does not match (admin disable, userdel
 * and passwd revoke the sessions they can see; a check still running
 * scrypt finishes after them), nothing is written and the answer is
 * ERR_INVALID_CREDENTIALS, as if the check had come after the change.  A
 * changed hash that pw matches (another login re-hashed the same
 * password) costs one more check and round trip, and passes.  Otherwise
 * fn's result.
 */
enum err	 cred_commit(struct store *st, struct cred *c,
		    const char *user, size_t ulen, const char *pw,
		    size_t pwlen, cred_write_fn fn, void *arg);

#endif
