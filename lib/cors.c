/*
 * cors.c - which origins may call the API from a browser (cors.h).
 */
#include <string.h>

#include "addr.h"
#include "cfg.h"
#include "cors.h"

static int
is_lower(int ch)
{

	return ch >= 'a' && ch <= 'z';
}

static int
is_digit(int ch)
{

	return ch >= '0' && ch <= '9';
}

/* The scheme of an origin, s[0..len): RFC 3986 3.1, in lower case. */
static const char *
check_scheme(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return "not scheme://host[:port]";
	if (len > CORS_SCHEME_MAX)
		return "scheme longer than 32 bytes";
	if (!is_lower((unsigned char)s[0]))
		return "scheme must start with a lowercase letter";
	for (i = 1; i < len; i++)
		if (!is_lower((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return "scheme must be lowercase letters, digits, "
			    "'+', '-' or '.'";
	return NULL;
}

/*
 * The host of an origin, s[0..len): "[IPv6]" (lowercase hex), or
 * dot-separated non-empty labels of lowercase letters, digits, '-' and
 * '_' (names, IPv4 addresses, punycode), as a browser serializes them.
 */
static const char *
check_host(const char *s, size_t len)
{
	char	 a[ADDR_TEXT_MAX + 1];
	size_t	 i, label;

	if (len == 0)
		return "empty host";
	if (len > CORS_HOST_MAX)
		return "host longer than 253 bytes";
	if (s[0] == '[') {
		if (len < 4 || s[len - 1] != ']')
			return "IPv6 host without its closing ']'";
		for (i = 1; i < len - 1; i++)
			if (!is_digit((unsigned char)s[i]) &&
			    !(s[i] >= 'a' && s[i] <= 'f') && s[i] != ':' &&
			    s[i] != '.')
				return "IPv6 host must be lowercase hex digits, "
				    "':' and '.'";
		if (memchr(s + 1, ':', len - 2) == NULL ||
		    !addr_copy(s + 1, len - 2, a, sizeof(a)))
			return "not an IPv6 address in brackets";
		return NULL;
	}
	label = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return "empty label in host";
			label = 0;
			continue;
		}
		if (!is_lower((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return "host must be lowercase letters, digits, '-', "
			    "'_' and '.'";
		label++;
	}
	if (label == 0)
		return "empty label in host";
	return NULL;
}

/* The port of an origin, s[0..len) after the ':', for scheme. */
static const char *
check_port(const char *s, size_t len, const char *scheme, size_t slen)
{
	size_t		 i;
	unsigned long	 port = 0;

	if (len == 0 || len > 5)
		return "port must be 1..65535";
	if (s[0] == '0')
		return "port with a leading zero";
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return "port must be decimal digits";
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (port > 65535)
		return "port must be 1..65535";
	if ((slen == 4 && memcmp(scheme, "http", 4) == 0 && port == 80) ||
	    (slen == 5 && memcmp(scheme, "https", 5) == 0 && port == 443))
		return "default port of the scheme (a browser leaves it out)";
	return NULL;
}

const char *
cors_origin_check(const char *s, size_t len)
{
	const char	*sep, *host, *colon, *rb, *why;
	size_t		 slen, hlen;

	if (len == 0)
		return "empty origin";
	if (len > CORS_ORIGIN_MAX)
		return "origin longer than 300 bytes";
	if ((sep = memmem(s, len, "://", 3)) == NULL)
		return "not scheme://host[:port]";
	slen = (size_t)(sep - s);
	if ((why = check_scheme(s, slen)) != NULL)
		return why;
	host = sep + 3;
	hlen = len - slen - 3;
	if (memchr(host, '/', hlen) != NULL)
		return "a path (or a trailing '/') is not part of an origin";

	/* The port's ':' is the last one, outside an IPv6 host's brackets. */
	colon = NULL;
	if (hlen > 0 && host[0] == '[') {
		rb = memchr(host, ']', hlen);
		if (rb != NULL && (size_t)(rb - host) + 1 < hlen) {
			if (rb[1] != ':')
				return "IPv6 host must end with ']'";
			colon = rb + 1;
		}
	} else
		colon = memchr(host, ':', hlen);
	if (colon != NULL) {
		if ((why = check_port(colon + 1,
		    hlen - (size_t)(colon - host) - 1, s, slen)) != NULL)
			return why;
		hlen = (size_t)(colon - host);
	}
	return check_host(host, hlen);
}

int
cors_enabled(const struct cfg *c)
{

	return c->cors_any || c->cors_origins_len > 0;
}

int
cors_allowed(const struct cfg *c, const char *origin,
    char out[CORS_ORIGIN_MAX + 1])
{
	size_t	 i, len, n;

	out[0] = '\0';
	if (!cors_enabled(c) || origin == NULL)
		return 0;
	len = strlen(origin);
	if (cors_origin_check(origin, len) != NULL)
		return 0;
	n = c->cors_origins_len < CFG_CORS_MAX ? c->cors_origins_len :
	    CFG_CORS_MAX;
	for (i = 0; i < n && !c->cors_any; i++)
		if (strcmp(c->cors_origins[i], origin) == 0)
			break;
	if (!c->cors_any && i == n)
		return 0;
	memcpy(out, origin, len + 1);
	return 1;
}
