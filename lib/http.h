/*
 * http.h - the front line: everything a request carries, checked before use.
 *
 * http_path() finds the route segment of the path; http_body()
 * checks Content-Type and CONTENT_LENGTH, reads exactly that many bytes,
 * parses them as one strict JSON object and copies the endpoint's fields
 * into struct req; http_bearer() takes the token out of an
 * "Authorization: Bearer" header; http_client_addr() finds the client
 * address.  Nothing here talks to Redis.  The CGI environment is hostile
 * (RFC 3875): every value is length-checked and copied into fixed buffers,
 * so no pointer into the environment outlives the request.
 */
#ifndef AUTENTICACAO_HTTP_H
#define AUTENTICACAO_HTTP_H

#include <stddef.h>

#include "addr.h"
#include "cfg.h"
#include "err.h"
#include "contract.h"
#include "token.h"

#define HTTP_PATH_MAX		512	/* bytes of the path kept for the log */
#define HTTP_JSON_DEPTH		8	/* nesting accepted in a body */

/*
 * How a request is read and answered: the FastCGI streams of one accepted
 * request, or stdin/stdout/environ for plain CGI, or a test's fake.
 */
struct http_io {
	void		*ctx;
	/* Value of a CGI variable or NULL; valid until the request ends. */
	const char	*(*param)(void *ctx, const char *name);
	/* Read up to n bytes; fewer only at end of input. */
	size_t		 (*read)(void *ctx, char *buf, size_t n);
	/* Write n bytes; 0 on success, -1 on error. */
	int		 (*write)(void *ctx, const char *buf, size_t n);
	/*
	 * Who the answer is for: the request's Origin when cors_origins
	 * allows it (checked and copied by cors_allowed(), so it is safe as
	 * a header value), else NULL.  Set by serve() on its own copy of the
	 * io; reply.c adds the CORS header lines when it is set.
	 */
	const char	*allow_origin;
};

/* Body fields an endpoint may declare (bit flags). */
enum http_field {
	FIELD_SESSION_ID = 1 << 0,
	FIELD_USERNAME = 1 << 1,
	FIELD_PASSWORD = 1 << 2,
	FIELD_REFRESH_TOKEN = 1 << 3
};

/* One request, as far as it has been read.  Wiped by http_req_clear(). */
struct req {
	char		 method[16];		/* for the log; sanitized */
	char		 path[HTTP_PATH_MAX + 1];	/* for the log; sanitized */
	char		 addr[ADDR_TEXT_MAX + 1];	/* client address or "-" */

	char		 username[LIM_USER_MAX + 1];
	size_t		 username_len;
	char		 password[LIM_PASSWORD_MAX + 1];
	size_t		 password_len;
	char		 session_id[LIM_TOKEN_MAX + 1];
	size_t		 session_id_len;
	char		 refresh_token[LIM_TOKEN_MAX + 1];	/* without "Bearer " */
	size_t		 refresh_token_len;
	char		 bearer[LIM_TOKEN_MAX + 1];		/* from Authorization */
	size_t		 bearer_len;
	/* The id after a route prefix ("sessions/<id>"), charset checked. */
	char		 path_id[LIM_TOKEN_MAX + 1];
	size_t		 path_id_len;

	/* Set with an error: the JSON name of the offending field. */
	const char	*field;
	/* Set with ERR_METHOD_NOT_ALLOWED: the method the route takes. */
	const char	*allow;
	/* The row of serve_routes[] whose path matched, -1: none
	 * (serve_route). */
	int		 route;
};

/*
 * Record method and path of the request for the log and copy its route
 * segment into seg (segsz bytes): what follows the last
 * "/api/v1/autenticacao/" of SCRIPT_NAME + PATH_INFO, or, when that has
 * none (a rewrite mapped the request to the program's own name), of
 * REQUEST_URI without its query; so any mount point works (docs/design.md
 * "Routing").  serve.c looks the segment up in the route table.  Returns
 * ERR_OK, or ERR_NOT_FOUND (no API path, or a path or segment too long).
 */
enum err	 http_path(const struct http_io *io, struct req *r, char *seg,
		    size_t segsz);

/*
 * Read and check the body of a POST route and copy the fields in mask into
 * r, in the order of the contract's tables.  Returns ERR_OK,
 * ERR_UNSUPPORTED_MEDIA_TYPE, ERR_PAYLOAD_TOO_LARGE, ERR_INVALID_JSON,
 * ERR_MISSING_FIELD or ERR_INVALID_FIELD (r->field names the field), or
 * ERR_INTERNAL (out of memory).
 */
enum err	 http_body(const struct http_io *io, const struct cfg *c,
		    unsigned mask, struct req *r);

/*
 * Copy the token of "Authorization: Bearer <token>" (RFC 6750 2.1; the
 * scheme is case-insensitive) into r->bearer.  Returns ERR_OK or
 * ERR_INVALID_TOKEN (missing header, other scheme, bad token syntax).
 */
enum err	 http_bearer(const struct http_io *io, struct req *r);

/*
 * Set r->addr to the client address: REMOTE_ADDR, or, when REMOTE_ADDR is
 * one of trusted_proxies, the rightmost X-Forwarded-For entry that is not.
 * "-" when there is no valid address.
 */
void		 http_client_addr(const struct http_io *io, const struct cfg *c,
		    struct req *r);

/* Wipe r (passwords, tokens) for the next request. */
void		 http_req_clear(struct req *r);

#endif
