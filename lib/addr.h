/*
 * addr.h - IP addresses as the service meets them: client addresses from
 * REMOTE_ADDR and X-Forwarded-For, and the networks of trusted_proxies.
 * Text forms are those of inet_pton(3): no brackets, no scope ids, no
 * ports.  The only module that calls inet_pton.
 */
#ifndef AUTENTICACAO_ADDR_H
#define AUTENTICACAO_ADDR_H

#include <stddef.h>

#define ADDR_TEXT_MAX	64	/* bytes of a textual address or network */

/* An IPv4 or IPv6 network (a bare address is a /32 or /128). */
struct addr_net {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];	/* host bits cleared */
	unsigned	prefix;
};

/*
 * Parse s, "address" or "address/prefix" in IPv4 or IPv6 text form, into
 * n.  Host bits beyond the prefix are cleared, so "10.1.2.3/8" is
 * 10.0.0.0/8; the prefix is decimal digits only.  Returns 0, or -1 when s
 * is not such a network.
 */
int	 addr_net_parse(const char *s, struct addr_net *n);

/*
 * 1 if the textual address a is inside one of the n networks of nets.  An
 * IPv4 address matches IPv4 networks and, as ::ffff:a.b.c.d, IPv6 ones;
 * an IPv4-mapped IPv6 address matches IPv4 networks as a.b.c.d too, so a
 * network matches however a dual-stack socket spells an address.  NULL
 * and anything inet_pton() refuses match nothing.
 */
int	 addr_in_nets(const struct addr_net *nets, size_t n, const char *a);

/*
 * Copy the address s (len bytes, surrounding blanks allowed) into out
 * (outsz bytes) when it is a valid IPv4 or IPv6 address.  Returns 1 on
 * success, 0 (out untouched) otherwise.
 */
int	 addr_copy(const char *s, size_t len, char *out, size_t outsz);

/*
 * addr_copy for an entry of X-Forwarded-For, which proxies may write with
 * a port: "192.0.2.7:5555", "[2001:db8::1]:443" and "[2001:db8::1]" give
 * the address alone.  Returns 1, or 0 for anything else addr_copy refuses.
 */
int	 addr_copy_forwarded(const char *s, size_t len, char *out,
	    size_t outsz);

/*
 * The /64 of an IPv6 address, into net as "2001:db8:1:2::/64"; an
 * IPv4-mapped IPv6 address as its IPv4 form; an IPv4 address as is;
 * anything else unchanged (cut to ADDR_TEXT_MAX bytes).
 */
void	 addr_net64(const char *a, char net[ADDR_TEXT_MAX + 1]);

#endif
