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

enum err
cred_check(struct store *st, const struct cfg *cfg, const char *addr,
    const char *user, size_t ulen, const char *pw, size_t pwlen,
    struct cred *c, long *retry_after)
{
	struct store_begin	 b;
	struct pw_cost		 want;
	enum pw_result		 pr;
	enum err		 e;
	char			 name[LIM_USER_MAX * 3 + 1];

	memset(&b, 0, sizeof(b));
	memset(c, 0, sizeof(*c));
	want.N = cfg->scrypt_n;
	want.r = cfg->scrypt_r;
	want.p = cfg->scrypt_p;

	if ((e = reg_begin(st, addr, user, ulen, &b, c->net,
	    retry_after)) != ERR_OK)
		goto out;
	c->addr_counted = b.addr_counted;

	if (b.user == ERR_NO_USER)
		pr = pw_dummy(pw, pwlen, &want);
	else
		pr = pw_check(b.u.mcf, pw, pwlen, &want);
	if (pr == PW_ERROR) {
		e = ERR_INTERNAL;
		goto out;
	}
	if (b.user == ERR_NO_USER || pr == PW_MISMATCH || b.u.disabled) {
		e = ERR_INVALID_CREDENTIALS;	/* already counted */
		goto out;
	}
	memcpy(c->mcf, b.u.mcf, PW_MCF_MAX);
	/* A foreign or cheaper hash is replaced by the script after the
	 * check, only over the hash that matched (cred_commit). */
	if (pr == PW_MATCH_REHASH && pw_hash(pw, pwlen, &want, c->fresh) == -1) {
		text_log_field(name, sizeof(name), user, ulen);
		log_warn("user %s: re-hash failed: cannot hash", name);
		tok_wipe(c->fresh, sizeof(c->fresh));
	}
	e = ERR_OK;
out:
	if (e != ERR_OK)
		tok_wipe(c, sizeof(*c));
	tok_wipe(&b, sizeof(b));
	return e;
}

enum err
cred_commit(struct store *st, struct cred *c, const char *user, size_t ulen,
    const char *pw, size_t pwlen, cred_write_fn fn, void *arg)
{
	struct store_cred	 sc;
	struct store_user	 now;
	char			 name[LIM_USER_MAX * 3 + 1];
	const char		*was;
	enum pw_result		 pr;
	enum err		 e = ERR_INTERNAL, now_e;
	int			 tries;

	memset(&now, 0, sizeof(now));
	text_log_field(name, sizeof(name), user, ulen);
	for (tries = 0; tries < 3; tries++) {
		sc.user = user;
		sc.ulen = ulen;
		sc.mcf = c->mcf;
		sc.fresh = c->fresh;
		sc.net = strcmp(c->net, "-") != 0 ? c->net : NULL;
		sc.addr_counted = c->addr_counted;
		e = fn(st, &sc, arg, &now, &now_e);
		if (e != ERR_CHANGED) {
			if (e == ERR_OK && c->fresh[0] != '\0') {
				was = pw_format(c->mcf);
				log_info("user %s: password re-hashed from %s "
				    "to scrypt at the configured cost", name,
				    was != NULL ? was : "?");
			}
			break;
		}
		/* The address's count went back with the first try. */
		c->addr_counted = 0;
		e = ERR_INVALID_CREDENTIALS;
		if (now_e != ERR_OK || now.disabled)
			break;
		/* A new hash: another login's re-hash of the same password
		 * still lets this check through, a passwd does not. */
		if ((pr = pw_check(now.mcf, pw, pwlen, NULL)) == PW_ERROR)
			e = ERR_INTERNAL;
		if (pr != PW_MATCH && pr != PW_MATCH_REHASH)
			break;
		memcpy(c->mcf, now.mcf, PW_MCF_MAX);
		tok_wipe(c->fresh, sizeof(c->fresh));
		e = ERR_INTERNAL;
	}
	if (e == ERR_INVALID_CREDENTIALS)
		log_warn("user %s: changed during the password check, no "
		    "session written", name);
	tok_wipe(&now, sizeof(now));
	return e;
}
