/*
 * reply.h - the only writer of responses: CGI "Status:" line, headers and
 * a JSON body.  Every answer starts with an explicit Status header (an
 * authorizer answer without one lets lighttpd pass the request).  No
 * header value is taken from the request, so user input cannot inject
 * header lines; the one exception is io->allow_origin, an Origin that
 * cors_origins allowed after its syntax check (cors.h), which every
 * answer but the authorizer's carries back with Vary: Origin and
 * Access-Control-Expose-Headers.
 */
#ifndef AUTENTICACAO_REPLY_H
#define AUTENTICACAO_REPLY_H

#include "err.h"
#include "http.h"
#include "store.h"

/* The tokens of one generation, as handed to the client (without the
 * "Bearer " prefix, which the reply adds). */
struct reply_tokens {
	const char	*session_id;
	const char	*authorization;
	const char	*corban;
	const char	*refresh;
	long		 expires_in;		/* seconds */
	long		 refresh_expires_in;	/* seconds */
};

/*
 * Write an error answer for e: docs/API.md's status and body; field names the
 * offending field for MISSING_FIELD/INVALID_FIELD; allow is the Allow value
 * for 405; retry_after the Retry-After seconds for 429.  Returns 0, or -1
 * when the answer could not be written.
 */
int	 reply_error(const struct http_io *io, enum err e, const char *field,
	    const char *allow, long retry_after);

/* 200 with the token response of the contract; no-store. */
int	 reply_tokens(const struct http_io *io, const struct reply_tokens *t);

/* 200 {"success":true,"data":{"sessionId":sid}} (logout). */
int	 reply_logout(const struct http_io *io, const char *sid);

/* 200 {"revoked": n} (POST /logout-all). */
int	 reply_revoked(const struct http_io *io, long n);

/* 200 with GET /session's data; token_type is "authorization" or
 * "authorizationCorban". */
int	 reply_session(const struct http_io *io, const char *sid,
	    const struct store_session *s, const char *token_type);

/* 200 {"success":true,"data":{"redis":"ok"}} (health). */
int	 reply_health(const struct http_io *io);
/* 200 with the len bytes of text as the Prometheus text exposition format
 * (Content-Type: text/plain; version=0.0.4), for GET /metrics. */
int	 reply_metrics(const struct http_io *io, const char *text,
	    size_t len);

/*
 * A list of sessions for GET /sessions, built with reply_list_add and
 * answered (and freed) by reply_sessions; reply_list_free frees one that
 * is not answered.  NULL from reply_list_new means out of memory.
 */
struct reply_list;
struct reply_list	*reply_list_new(void);
/* Add session sid as read in s; current marks the caller's own.  0, or
 * -1 when out of memory. */
int	 reply_list_add(struct reply_list *l, const char *sid, int current,
	    const struct store_session *s);
/* 200 {"sessions": [...]} with the sessions of l, the last added first;
 * frees l. */
int	 reply_sessions(const struct http_io *io, struct reply_list *l);
void	 reply_list_free(struct reply_list *l);

/*
 * 204 to a CORS preflight (OPTIONS on a route, with cors_origins set).
 * With io->allow_origin and methods (the route's method, "GET" or
 * "POST"): Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers,
 * -Max-Age and Vary: Origin; else none of them, and the browser refuses
 * the request.  Returns 0, or -1 when the answer could not be written.
 */
int	 reply_preflight(const struct http_io *io, const char *methods);

/*
 * FastCGI authorizer success: "Status: 200 OK" with Variable-AUTH_USER and
 * Variable-AUTH_SESSION_ID.  Values with control bytes are refused (-1)
 * rather than written, so a header line can never be forged.
 */
int	 reply_authorized(const struct http_io *io, const char *user,
	    const char *sid);

/* Format unix time t as RFC 3339 UTC ("2026-11-26T12:00:00Z") into buf. */
void	 reply_time(long t, char buf[32]);

#endif
