/*
 * session.c - the life of a session (session.h).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "session.h"

/*
 * Mint three tokens of session sid (sidlen bytes) into t, with their
 * hashes.  Returns ERR_OK, or ERR_SESSION_NOT_FOUND when sid is too long
 * to carry in a token (no session we create is).
 */
static enum err
mint(struct session_tokens *t, const char *sid, size_t sidlen)
{
	char *const	 out[] = { t->authorization, t->corban, t->refresh };

	_Static_assert(sizeof(out) / sizeof(out[0]) <= TOK_SET_MAX,
	    "mint() draws more tokens than tok_new_set() makes");
	if (tok_new_set(sid, sidlen, out, sizeof(out) / sizeof(out[0]),
	    sizeof(t->authorization)) == -1)
		return ERR_SESSION_NOT_FOUND;
	tok_hash(t->authorization, strlen(t->authorization), t->h.authorization_hash);
	tok_hash(t->corban, strlen(t->corban), t->h.corban_hash);
	tok_hash(t->refresh, strlen(t->refresh), t->h.refresh_hash);
	return ERR_OK;
}

enum err
session_login(struct store *st, const struct store_cred *sc, long now,
    const struct store_client *cl, char sid[TOK_SID_LEN + 1],
    struct session_tokens *t, struct store_user *now_u, enum err *now_e)
{
	enum err	 e = ERR_INTERNAL;
	long		 evicted = 0;
	int		 tries;
	char		 tag[STORE_TAG_LEN + 1];

	/* The id ends in the user's slot tag: the session lives beside its
	 * user's keys (store.h). */
	store_slot_tag(sc->user, sc->ulen, tag);
	for (tries = 0; tries < 2; tries++) {
		tok_sid_new(sid, tag);
		if ((e = mint(t, sid, TOK_SID_LEN)) != ERR_OK)
			return e;
		e = store_login_finish(st, sc, sid, &t->h, now, cl, &evicted,
		    now_u, now_e);
		if (e != ERR_EXISTS)
			break;
	}
	if (e == ERR_OK && evicted > 0) {
		const struct log_kv kv[] = {
			LOG_STR("reason", "evicted"),
			LOG_NUM("count", evicted),
		};
		met_revoked(MET_REVOKE_EVICTED, evicted);
		log_event(LOG_INFO, "session.revoke", kv, 2,
		    "session %.8s: max_sessions_per_user reached, %ld "
		    "least recently used session%s ended", sid, evicted,
		    evicted == 1 ? "" : "s");
	}
	return e == ERR_EXISTS ? ERR_INTERNAL : e;
}

enum err
session_relogin(struct store *st, const struct store_cred *sc,
    const char *sid, size_t sidlen, long now, struct session_tokens *t,
    struct store_session *s, struct store_user *now_u, enum err *now_e)
{
	enum err	 e;

	if ((e = mint(t, sid, sidlen)) != ERR_OK)
		return e;
	return store_renew_finish(st, sc, sid, sidlen, &t->h, now, s, now_u,
	    now_e);
}

enum err
session_rotate(struct store *st, const struct cfg *cfg, const char *sid,
    size_t sidlen, const char *refresh, size_t rlen, long now,
    struct session_tokens *t, struct store_session *s,
    char user[LIM_USER_MAX + 1], size_t *ulen)
{
	char			 named[LIM_TOKEN_MAX + 1], h[TOK_HASH_LEN + 1];
	enum store_refresh	 how = STORE_REFRESH_OTHER;
	enum err		 e;

	h[0] = '\0';
	e = ERR_INVALID_TOKEN;
	if (tok_session(refresh, rlen, named, sizeof(named)) == -1 ||
	    strlen(named) != sidlen || memcmp(named, sid, sidlen) != 0)
		goto out;
	/* The new generation is minted before the one script that decides
	 * whether it is written (nothing of it leaves unless it was). */
	if ((e = mint(t, sid, sidlen)) != ERR_OK) {
		e = ERR_INVALID_TOKEN;
		goto out;
	}
	tok_hash(refresh, rlen, h);
	e = store_session_refresh(st, sid, sidlen, h, &t->h, now,
	    cfg->refresh_reuse_grace, s, user, ulen, &how);
	if (e == ERR_SESSION_NOT_FOUND)
		e = ERR_INVALID_TOKEN;
	if (how == STORE_REFRESH_RING_FULL)
		log_warn("session %.8s: %d refresh tokens spent since "
		    "the last password check, rotation refused", sid,
		    STORE_SPENT_MAX);
	else if (how == STORE_REFRESH_REVOKED) {
		char		 pfx[9];

		met_reuse();
		met_revoked(MET_REVOKE_REUSE, 1);
		snprintf(pfx, sizeof(pfx), "%.8s", sid);
		{
			const struct log_kv kv[] = {
				LOG_STR("sid", pfx),
				LOG_STR("reason", "reuse"),
			};
			log_event(LOG_WARN, "refresh.reuse", kv, 1,
			    "session %.8s: spent refresh token presented, "
			    "session revoked", sid);
			log_event(LOG_INFO, "session.revoke", kv, 2, NULL);
		}
	}
out:
	tok_wipe(h, sizeof(h));
	return e;
}

enum err
session_verify(struct store *st, const struct cfg *cfg, const char *bearer,
    size_t blen, unsigned accept, long now, char sid[LIM_TOKEN_MAX + 1],
    struct store_session *s, const char **type)
{
	char		 h[TOK_HASH_LEN + 1];
	enum err	 e;
	int		 is_a, is_c;

	if (tok_session(bearer, blen, sid, LIM_TOKEN_MAX + 1) == -1) {
		sid[0] = '\0';
		return ERR_INVALID_TOKEN;
	}
	tok_hash(bearer, blen, h);
	e = store_session_use(st, sid, strlen(sid), h, accept, now, s);
	if (e == ERR_SESSION_NOT_FOUND)
		e = ERR_INVALID_TOKEN;
	if (e != ERR_OK) {
		tok_wipe(h, sizeof(h));
		return e;
	}
	/* Both comparisons always run. */
	is_a = tok_hash_eq(h, s->authorization_hash);
	is_c = tok_hash_eq(h, s->corban_hash);
	tok_wipe(h, sizeof(h));
	if (!((is_a && (accept & SESSION_ACCEPT_AUTHORIZATION)) ||
	    (is_c && (accept & SESSION_ACCEPT_CORBAN))))
		return ERR_INVALID_TOKEN;
	if (s->access_expires <= now || !store_session_live(cfg, s, now))
		return ERR_INVALID_TOKEN;
	*type = is_a ? "authorization" : "authorizationCorban";
	return ERR_OK;
}

enum err
session_end(struct store *st, const char *user, size_t ulen, const char *sid,
    size_t sidlen)
{

	return store_session_end(st, user, ulen, sid, sidlen);
}
