/*
 * err.h - the one error vocabulary of autenticacao.
 *
 * Every module returns one of these; library-specific conventions (hiredis'
 * NULL plus c->err, libscrypt's three return styles, json-c's NULLs) are
 * translated at the module edge.  err.c maps each value to the HTTP status,
 * the API code and the pt-BR message of the error table of docs/API.md,
 * in one table.
 */
#ifndef AUTENTICACAO_ERR_H
#define AUTENTICACAO_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID_JSON,		/* 400 */
	ERR_MISSING_FIELD,		/* 400 */
	ERR_INVALID_FIELD,		/* 400 */
	ERR_INVALID_CREDENTIALS,	/* 401 */
	ERR_INVALID_TOKEN,		/* 401, WWW-Authenticate */
	ERR_SESSION_NOT_FOUND,		/* 404 */
	ERR_NOT_FOUND,			/* 404 */
	ERR_METHOD_NOT_ALLOWED,		/* 405, Allow */
	ERR_REFRESH_CONFLICT,		/* 409 */
	ERR_SESSION_LIMIT,		/* 409: max_sessions_per_user, refuse */
	ERR_PAYLOAD_TOO_LARGE,		/* 413 */
	ERR_UNSUPPORTED_MEDIA_TYPE,	/* 415 */
	ERR_TOO_MANY_ATTEMPTS,		/* 429, Retry-After */
	ERR_UNAVAILABLE,		/* 503: Redis unreachable or timed out */
	ERR_BUSY,			/* 503 + Retry-After: password checks
					 * at their cap (password_checks) */
	ERR_INTERNAL,			/* 500 */
	/* Outcomes used by the admin tool and the store; never sent as HTTP
	 * errors on their own (they map to 500 if they ever leak). */
	ERR_EXISTS,			/* the user already exists */
	ERR_NO_USER,			/* the user does not exist */
	ERR_CHANGED,			/* the record changed since it was read */
	ERR__MAX
};

/* HTTP status for e (500 for values outside the table). */
int		 err_status(enum err e);
/* API code string for e, e.g. "MISSING_FIELD".  Static storage. */
const char	*err_code(enum err e);
/* Short pt-BR message for people.  Static storage. */
const char	*err_message(enum err e);

#endif
