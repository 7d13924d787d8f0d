/*
 * serve.h - one request, from its first variable to its log line: the
 * route table, a thin handler per endpoint (parse, call, reply), the
 * FastCGI authorizer role, the log line and the wipe.
 *
 * The one path of a request:
 *
 *   serve -> http_client_addr -> cors_allowed (Origin) -> serve_route
 *   (http_path + the table) -> [http_body | http_bearer] -> handler ->
 *   credentials / session -> reply_* -> log line -> wipe
 *
 * With cors_origins set, OPTIONS on a route of the table is the CORS
 * preflight of that route (204, reply_preflight) rather than a 405.
 *
 * A new endpoint is one row of the table in serve.c plus its handler.
 */
#ifndef AUTENTICACAO_SERVE_H
#define AUTENTICACAO_SERVE_H

#include <stddef.h>

#include "cfg.h"
#include "err.h"
#include "http.h"
#include "store.h"

struct serve_ctx;

/*
 * One endpoint under /api/v1/autenticacao/.  A name ending in '/' is a
 * prefix: "sessions/" matches "sessions/<id>" for any id of 1 to
 * LIM_TOKEN_MAX URL-safe characters (tok_charset_ok), copied into
 * req.path_id; any other rest is no route at all (404).
 */
struct serve_route {
	const char	*name;		/* path segment, e.g. "refresh-session" */
	const char	*method;	/* the one method it answers */
	unsigned	 fields;	/* body fields (enum http_field), 0: none */
	int		 bearer;	/* reads "Authorization: Bearer" */
	enum err	 (*fn)(struct serve_ctx *);
	const char	*label;		/* endpoint of the log and metrics */
};

/* The route table, serve_nroutes rows. */
extern const struct serve_route	 serve_routes[];
extern const size_t		 serve_nroutes;

/*
 * Find the route of the request on io and record method and path in r for
 * the log, and in r->route the row whose path matched (-1: none).  Returns the row with *e = ERR_OK; NULL with *e =
 * ERR_NOT_FOUND; or NULL with *e = ERR_METHOD_NOT_ALLOWED and r->allow
 * set to the route's method.
 */
const struct serve_route *serve_route(const struct http_io *io,
		    struct req *r, enum err *e);

/*
 * Serve the request on io with config cfg and store st (both outlive the
 * request): exactly one answer and one log line.  Everything the request
 * read (passwords, tokens) is wiped before it returns.  A request never
 * changes cfg.
 */
void		 serve(const struct cfg *cfg, struct store *st,
		    const struct http_io *io);

#endif
