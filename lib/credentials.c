/*
 * credentials.c - the password check (credentials.h).
 */
#include <string.h>

#include "credentials.h"
#include "log.h"
#include "regulation.h"
#include "text.h"
#include "token.h"

enum err
cred_check(struct store *st, const struct cfg *cfg, const char *addr,
    const char *user, size_t ulen, const char *pw, size_t pwlen,
    char mcf[PW_MCF_MAX], long *retry_after)
{
	struct store_user	 u;
	struct pw_cost		 want;
	char			 fresh[PW_MCF_MAX];
	char			 name[LIM_USER_MAX * 3 + 1];
	enum pw_result		 pr;
	enum err		 e;

	memset(&u, 0, sizeof(u));
	memset(fresh, 0, sizeof(fresh));
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
	if (pr == PW_MATCH_REHASH) {
		text_log_field(name, sizeof(name), user, ulen);
		if (pw_hash(pw, pwlen, &want, fresh) == 0 &&
		    store_user_set_hash(st, user, ulen, fresh) == ERR_OK) {
			memcpy(mcf, fresh, PW_MCF_MAX);
			log_info("user %s: password re-hashed at the "
			    "configured cost", name);
		} else
			log_warn("user %s: re-hash failed", name);
	}
	reg_success(st, addr, user, ulen);
	e = ERR_OK;
out:
	tok_wipe(&u, sizeof(u));
	tok_wipe(fresh, sizeof(fresh));
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
