/*
 * addr.c - IP address parsing and matching (addr.h).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"

/* The first 12 bytes of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* 1 if p (len bytes) is ":" and a port of 1 to 5 digits. */
static int
port_ok(const char *p, size_t len)
{
	size_t	 i;

	if (len < 2 || len > 6 || p[0] != ':')
		return 0;
	for (i = 1; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

int
addr_net_parse(const char *s, struct addr_net *n)
{
	char		 a[INET6_ADDRSTRLEN];
	const char	*slash, *p;
	size_t		 len, i;
	unsigned	 bits, prefix;

	memset(n, 0, sizeof(*n));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(a))
		return -1;
	memcpy(a, s, len);
	a[len] = '\0';

	if (inet_pton(AF_INET, a, n->addr) == 1) {
		n->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, a, n->addr) == 1) {
		n->family = AF_INET6;
		bits = 128;
	} else
		return -1;

	n->prefix = bits;
	if (slash != NULL) {
		p = slash + 1;
		if (*p == '\0')
			return -1;
		for (prefix = 0; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			prefix = prefix * 10 + (unsigned)(*p - '0');
			if (prefix > bits)
				return -1;
		}
		n->prefix = prefix;
	}

	for (i = 0; i < bits / 8; i++) {
		if (i * 8 >= n->prefix)
			n->addr[i] = 0;
		else if (i * 8 + 8 > n->prefix)
			n->addr[i] &= (unsigned char)(0xff <<
			    (8 - (n->prefix - i * 8)));
	}
	return 0;
}

/* 1 if the address a (4 or 16 bytes, as n->family) is inside n, else 0. */
static int
net_contains(const struct addr_net *n, const unsigned char *a)
{
	unsigned	 full, rest;
	unsigned char	 mask;

	full = n->prefix / 8;
	rest = n->prefix % 8;
	if (memcmp(n->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (n->addr[full] & mask) == (a[full] & mask);
}

int
addr_in_nets(const struct addr_net *nets, size_t n, const char *a)
{
	unsigned char	 a4[4], a6[16];
	size_t		 i;
	int		 has4;

	if (a == NULL)
		return 0;
	if (inet_pton(AF_INET, a, a4) == 1) {
		has4 = 1;
		memcpy(a6, v4mapped, sizeof(v4mapped));
		memcpy(a6 + sizeof(v4mapped), a4, sizeof(a4));
	} else if (inet_pton(AF_INET6, a, a6) == 1) {
		has4 = memcmp(a6, v4mapped, sizeof(v4mapped)) == 0;
		if (has4)
			memcpy(a4, a6 + sizeof(v4mapped), sizeof(a4));
	} else
		return 0;

	for (i = 0; i < n; i++) {
		if (nets[i].family == AF_INET && has4 &&
		    net_contains(&nets[i], a4))
			return 1;
		if (nets[i].family == AF_INET6 && net_contains(&nets[i], a6))
			return 1;
	}
	return 0;
}

int
addr_copy(const char *s, size_t len, char *out, size_t outsz)
{
	unsigned char	 bin[16];
	char		 tmp[ADDR_TEXT_MAX + 1];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(tmp) || len >= outsz)
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, bin) != 1 &&
	    inet_pton(AF_INET6, tmp, bin) != 1)
		return 0;
	memcpy(out, tmp, len + 1);
	return 1;
}

int
addr_copy_forwarded(const char *s, size_t len, char *out, size_t outsz)
{
	const char	*close, *colon;
	size_t		 i, plen;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len > 0 && s[0] == '[') {
		/* "[v6]" or "[v6]:port" (RFC 7239 6, RFC 3986 3.2.2). */
		if ((close = memchr(s, ']', len)) == NULL)
			return 0;
		plen = len - (size_t)(close + 1 - s);
		if (plen > 0 && !port_ok(close + 1, plen))
			return 0;
		if (memchr(s + 1, ':', (size_t)(close - s - 1)) == NULL)
			return 0;	/* brackets hold IPv6 only */
		return addr_copy(s + 1, (size_t)(close - s - 1), out, outsz);
	}
	/* "a.b.c.d:port": one ':' only (an IPv6 address has several). */
	if ((colon = memchr(s, ':', len)) != NULL &&
	    memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) == NULL) {
		plen = len - (size_t)(colon - s);
		for (i = 0; i < (size_t)(colon - s); i++)
			if (s[i] != '.' && (s[i] < '0' || s[i] > '9'))
				return 0;
		if (!port_ok(colon, plen))
			return 0;
		return addr_copy(s, (size_t)(colon - s), out, outsz);
	}
	return addr_copy(s, len, out, outsz);
}

void
addr_net64(const char *a, char net[ADDR_TEXT_MAX + 1])
{
	unsigned char	 b[16];
	char		 buf[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, a, b) != 1) {
		snprintf(net, ADDR_TEXT_MAX + 1, "%s", a);
		return;
	}
	if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0 &&
	    inet_ntop(AF_INET, b + 12, buf, sizeof(buf)) != NULL) {
		snprintf(net, ADDR_TEXT_MAX + 1, "%s", buf);
		return;
	}
	memset(b + 8, 0, 8);
	if (inet_ntop(AF_INET6, b, buf, sizeof(buf)) == NULL)
		snprintf(net, ADDR_TEXT_MAX + 1, "%s", a);
	else
		snprintf(net, ADDR_TEXT_MAX + 1, "%s/64", buf);
}
