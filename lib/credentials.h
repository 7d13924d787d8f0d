/*
 * credentials.h - the password check of login and refresh-session, under
 * brute-force regulation (regulation.h), and the check after the write.
 */
#ifndef AUTENTICACAO_CREDENTIALS_H
#define AUTENTICACAO_CREDENTIALS_H

#include <stddef.h>

#include "cfg.h"
#include "err.h"
#include "passwd.h"
#include "store.h"

/*
 * Check password pw (pwlen bytes) of user (ulen bytes) for a client at
 * address addr ("-" for none), under regulation: the attempt is counted
 * for the address and the user name before the check runs (reg_try), and
 * a success takes the counts back (reg_success).  Unknown, wrong and
 * disabled all give ERR_INVALID_CREDENTIALS after the same work: one
 * check of the stored hash in its format (pw_dummy, scrypt at the
 * configured cost, for unknown users) and the same Redis calls.  A match
 * of a foreign hash (passwd.h), or of a $s1$ cheaper than the configured
 * cost, re-hashes the password as $s1$ at the configured cost, written
 * only if the stored hash is still the one that matched (a failed or
 * lost re-hash is logged, not an error).
 *
 * Returns ERR_OK with the hash the session stands on in mcf (the new one
 * after a re-hash, else the one that matched: cred_recheck compares it
 * with the stored one; a secret-ish value: the caller wipes it);
 * ERR_INVALID_CREDENTIALS; ERR_TOO_MANY_ATTEMPTS with *retry_after
 * set; ERR_INTERNAL when the check could not run; or a Redis error (a
 * check we cannot count is a 503, never a 401).
 */
enum err	 cred_check(struct store *st, const struct cfg *cfg,
		    const char *addr, const char *user, size_t ulen,
		    const char *pw, size_t pwlen, char mcf[PW_MCF_MAX],
		    long *retry_after);

/*
 * After session sid (sidlen bytes) was written for a password check that
 * matched mcf: if the user was disabled or deleted meanwhile, or the
 * password changed (admin disable, userdel and passwd revoke the sessions
 * they can see; a check still running scrypt finishes after them), delete
 * the session and answer ERR_INVALID_CREDENTIALS, as if the check had come
 * after the change.  A hash that changed is checked again (a concurrent
 * login may have re-hashed the same password), so only that rare race
 * costs a second scrypt run.  Returns ERR_OK when the credentials still
 * stand, ERR_INTERNAL, or a Redis error.
 */
enum err	 cred_recheck(struct store *st, const char *user, size_t ulen,
		    const char *pw, size_t pwlen, const char *mcf,
		    const char *sid, size_t sidlen);

#endif
