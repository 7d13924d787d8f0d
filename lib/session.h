/*
 * session.h - what a session goes through: mint its tokens, create it at
 * login, renew it after a password check, rotate it with its refresh token
 * (with reuse detection, RFC 9700 4.14.2), verify a bearer token against
 * it, end it.  The atomic parts are scripts of the store
 * (store_session.c); the decisions are here.  docs/design.md, "Token
 * format" and "Rotation and reuse detection", says why.
 */
#ifndef AUTENTICACAO_SESSION_H
#define AUTENTICACAO_SESSION_H

#include <stddef.h>

#include "cfg.h"
#include "contract.h"
#include "err.h"
#include "store.h"
#include "token.h"

/* The access tokens a bearer check accepts (bits). */
#define SESSION_ACCEPT_AUTHORIZATION	0x1
#define SESSION_ACCEPT_CORBAN		0x2

/* Three fresh tokens of one session and the hashes Redis keeps of them.
 * Secrets: wipe after use (tok_wipe). */
struct session_tokens {
	char			 authorization[LIM_TOKEN_MAX + 1];
	char			 corban[LIM_TOKEN_MAX + 1];
	char			 refresh[LIM_TOKEN_MAX + 1];
	struct store_hashes	 h;
};

/*
 * Login after a successful password check sc: a new session of sc->user
 * opened by client cl (NULL: unknown) with fresh tokens into *t and its
 * id into sid; the session ends session_ttl seconds after now, its access
 * tokens access_ttl seconds after now (never after the session).  It is
 * written by the one script after the check (store_login_finish), which
 * writes nothing and answers ERR_CHANGED, with the user as stored in
 * *now_u and *now_e, when the user changed during the check.  A sid
 * collision (2^-128) is answered by drawing again once.  At
 * max_sessions_per_user the user's least recently used sessions end first
 * (evict_oldest) or the login is refused (refuse: ERR_SESSION_LIMIT).
 * Returns ERR_OK, ERR_CHANGED, ERR_SESSION_LIMIT, ERR_INTERNAL, or a
 * Redis error.
 */
enum err	 session_login(struct store *st, const struct store_cred *sc,
		    long now, const struct store_client *cl,
		    char sid[TOK_SID_LEN + 1], struct session_tokens *t,
		    struct store_user *now_u, enum err *now_e);

/*
 * refresh-session after a successful password check sc: session sid
 * (sidlen bytes) of sc->user gets fresh tokens (into *t) and a new end,
 * and forgets its spent refresh tokens; *s receives the session as
 * written.  One script after the check (store_renew_finish), with
 * ERR_CHANGED as for session_login.  Returns ERR_OK,
 * ERR_SESSION_NOT_FOUND (missing, ended, or another user's), ERR_CHANGED,
 * or an error.
 */
enum err	 session_relogin(struct store *st, const struct store_cred *sc,
		    const char *sid, size_t sidlen, long now,
		    struct session_tokens *t, struct store_session *s,
		    struct store_user *now_u, enum err *now_e);

/*
 * refresh-token: rotate session sid (sidlen bytes) with its refresh token
 * (rlen bytes), which must name that session and is single use.  The
 * current one gives fresh tokens (into *t, the session as written into
 * *s); a spent one revokes the session (RFC 9700 4.14.2) unless it was
 * spent less than refresh_reuse_grace seconds ago (ERR_REFRESH_CONFLICT).
 * Once the session was read its user is copied into user (ulen), even
 * when the rotation then fails, for the log.  Every failure of the
 * credentials is ERR_INVALID_TOKEN; else ERR_OK or an error.  One Redis
 * round trip: store_session_refresh.
 */
enum err	 session_rotate(struct store *st, const struct cfg *cfg,
		    const char *sid, size_t sidlen, const char *refresh,
		    size_t rlen, long now, struct session_tokens *t,
		    struct store_session *s, char user[LIM_USER_MAX + 1],
		    size_t *ulen);

/*
 * Verify bearer token (blen bytes, charset already checked): it names its
 * session (copied into sid), one Redis script fetches it into *s and
 * records the use (store_session_use: lastUsedAt at most every
 * STORE_TOUCH seconds), and the token's hash is compared in constant time
 * with the access tokens that accept allows; the session (sexp and, with
 * idle_ttl set, its idle end) and the access tokens must not have ended
 * at now.  Returns ERR_OK with *type "authorization" or
 * "authorizationCorban", ERR_INVALID_TOKEN, or a Redis error.  sid is set
 * (for the log) as soon as the token names a session.
 */
enum err	 session_verify(struct store *st, const struct cfg *cfg,
		    const char *bearer, size_t blen, unsigned accept, long now,
		    char sid[LIM_TOKEN_MAX + 1], struct store_session *s,
		    const char **type);

/* End session sid (sidlen bytes) of user (ulen bytes): its three tokens
 * die at once and it leaves the user's index.  ERR_OK,
 * ERR_SESSION_NOT_FOUND (missing or another user's), or a Redis error. */
enum err	 session_end(struct store *st, const char *user, size_t ulen,
		    const char *sid, size_t sidlen);

#endif
