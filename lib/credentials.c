/*
 * credentials.c - the password check (credentials.h).  Every stored
 * format (passwd.h) goes through the same path: the attempt is counted
 * first, then exactly one check runs (the stored format's, or pw_dummy at
 * the configured cost for an unknown user), then the same Redis calls.
 * What differs between formats is the time of that one check: a user
 * whose stored hash is cheaper than the configured cost (a bcrypt of cost
 * 5 from htpasswd, an unsalted {SHA}) answers faster than an unknown user
 * until their first successful login replaces it with $s1$.
 */
#include <string.h>

#include "credentials.h"
#include "log.h"
#include "regulation.h"
#include "text.h"
#include "token.h"

/*
 * The password pw matched the stored hash mcf, which is foreign or cheaper
 * than want: hash pw as $s1$ at cost want and store it in place of mcf,
 * but only if the stored hash is still mcf (store_user_swap_hash).  A
 * passwd that landed since the read keeps its hash, and the check after
 * the session write (cred_recheck) then sees the change.  On success mcf
 * becomes the new hash; a failure is logged and leaves mcf and the stored
 * hash as they were (the next login tries again).
 */
static void
cred_rehash(struct store *st, const struct pw_cost *want, const char *user,
    size_t ulen, const char *pw, size_t pwlen, char mcf[PW_MCF_MAX])
{
	char		 fresh[PW_MCF_MAX];
	char		 name[LIM_USER_MAX * 3 + 1];
	const char	*was;
	enum err	 e;

	memset(fresh, 0, sizeof(fresh));
	text_log_field(name, sizeof(name), user, ulen);
	was = pw_format(mcf);
	if (pw_hash(pw, pwlen, want, fresh) == -1) {
		log_warn("user %s: re-hash failed: cannot hash", name);
		goto out;
	}
	e = store_user_swap_hash(st, user, ulen, mcf, fresh);
	if (e == ERR_CHANGED) {
		log_info("user %s: not re-hashed: the password changed "
		    "meanwhile", name);
		goto out;
	}
	if (e != ERR_OK) {
		log_warn("user %s: re-hash failed", name);
		goto out;
	}
	memcpy(mcf, fresh, PW_MCF_MAX);
	log_info("user %s: password re-hashed from %s to scrypt at the "
	    "configured cost", name, was != NULL ? was : "?");
out:
	tok_wipe(fresh, sizeof(fresh));
}

enum err
cred_check(struct store *st, const struct cfg *cfg, const char *addr,
    const char *user, size_t ulen, const char *pw, size_t pwlen,
    char mcf[PW_MCF_MAX], long *retry_after)
{
	struct store_user	 u;
	struct pw_cost		 want;
	enum pw_result		 pr;
	enum err		 e;

	memset(&u, 0, sizeof(u));
	memset(mcf, 0, PW_MCF_MAX);
	want.N = cfg->scrypt_n;
	want.r = cfg->scrypt_r;
	want.p = cfg->scrypt_p;

	if ((e = reg_try(st, addr, user, ulen, retry_after)) != ERR_OK)
		goto out;

	e = store_user_get(st, user, ulen, &u);
	if (e == ERR_NO_USER)
		pr = pw_dummy(pw, pwlen, &want);
	else if (e != ERR_OK)
		goto out;
	else
		pr = pw_check(u.mcf, pw, pwlen, &want);
	if (pr == PW_ERROR) {
		e = ERR_INTERNAL;
		goto out;
	}
	if (e == ERR_NO_USER || pr == PW_MISMATCH || u.disabled) {
		e = ERR_INVALID_CREDENTIALS;	/* already counted */
		goto out;
	}

	memcpy(mcf, u.mcf, PW_MCF_MAX);
	if (pr == PW_MATCH_REHASH)
		cred_rehash(st, &want, user, ulen, pw, pwlen, mcf);
	reg_success(st, addr, user, ulen);
	e = ERR_OK;
out:
	tok_wipe(&u, sizeof(u));
	return e;
}

enum err
cred_recheck(struct store *st, const char *user, size_t ulen,
    const char *pw, size_t pwlen, const char *mcf, const char *sid,
    size_t sidlen)
{
	struct store_user	 u;
	enum pw_result		 pr;
	enum err		 e;

	memset(&u, 0, sizeof(u));
	e = store_user_get(st, user, ulen, &u);
	if (e == ERR_OK && !u.disabled && strcmp(u.mcf, mcf) != 0) {
		pr = pw_check(u.mcf, pw, pwlen, NULL);
		if (pr == PW_ERROR)
			e = ERR_INTERNAL;
		else if (pr == PW_MISMATCH)
			e = ERR_NO_USER;
	}
	if (e == ERR_OK && u.disabled)
		e = ERR_NO_USER;
	if (e == ERR_NO_USER) {
		log_warn("session %.8s: user changed during the password "
		    "check, session deleted", sid);
		e = store_session_del(st, sid, sidlen);
		if (e == ERR_OK || e == ERR_SESSION_NOT_FOUND)
			e = ERR_INVALID_CREDENTIALS;
	}
	tok_wipe(&u, sizeof(u));
	return e;
}
