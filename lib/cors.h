/*
 * cors.h - browsers on other origins (docs/API.md "Browsers on other
 * origins (CORS)"): the syntax of an origin, and whether cors_origins
 * allows the Origin a request carries.  serve.c asks; reply.c writes the
 * Access-Control-* lines.
 *
 * An origin is compared byte for byte, after its syntax is checked: an
 * Origin header is a browser's serialization of an origin (RFC 6454
 * section 6.2, the Fetch standard): a lowercase scheme, "://", a
 * lowercase host, and ":port" only when the port is not the scheme's
 * default.  Anything else (null, a path or trailing '/', upper case, two
 * origins, blanks, control bytes) is not an origin, is allowed by no
 * config, and is never written back.  The header value reply.c writes is
 * the copy made here, after that check.
 */
#ifndef AUTENTICACAO_CORS_H
#define AUTENTICACAO_CORS_H

#include <stddef.h>

/* Bytes of an origin: a scheme of at most 32 bytes, "://", a host of at
 * most 253 and ":65535". */
#define CORS_ORIGIN_MAX	300
#define CORS_SCHEME_MAX	32
#define CORS_HOST_MAX	253

struct cfg;

/*
 * Check that s (len bytes, not NUL-terminated) is one origin
 * "scheme://host[:port]" as a browser sends it: scheme a lowercase letter
 * then lowercase letters, digits, '+', '-' or '.'; host lowercase
 * letters, digits, '-', '_' and dots between non-empty labels, or an IPv6
 * address in brackets; port 1..65535 without leading zeros, and not 80
 * for http or 443 for https.  Returns NULL when it is, else a static
 * reason for people (used in config errors).
 */
const char	*cors_origin_check(const char *s, size_t len);

/* 1 if c sets cors_origins (a list or "*"), 0 if CORS is off. */
int		 cors_enabled(const struct cfg *c);

/*
 * Whether c allows the request's Origin header value origin (NULL when
 * the request has none): CORS is on, origin passes cors_origin_check()
 * and equals one entry of the list byte for byte, or the list is "*".
 * Returns 1 with origin copied into out (NUL-terminated), else 0 with
 * out set to "".
 */
int		 cors_allowed(const struct cfg *c, const char *origin,
		    char out[CORS_ORIGIN_MAX + 1]);

#endif
