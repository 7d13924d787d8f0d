/*
 * foreign.c - the hash formats of other systems that libxcrypt and
 * apr-util compute (foreign.h).
 *
 * The shapes, as the tools that make them write them (every salt and hash
 * character from crypt(3)'s alphabet [./0-9A-Za-z] unless said):
 *
 *   bcrypt       $2y$CC$<22 salt><31 hash>          CC: two digits, 04-31
 *   sha512crypt  $6$[rounds=R$]<1-16 salt>$<86 hash> R: 1000-999999999
 *   yescrypt     $y$<params>$<1-86 salt>$<43 hash>
 *   apr1         $apr1$<1-8 salt>$<22 hash>
 *   {SHA}        {SHA}<28 chars of standard base64, one '=' of padding>
 *
 * yescrypt's params are variable-length integers (yes_uint32 below):
 * flavour, log2(N), r, and when more follow, a bit mask saying which of p,
 * t, g and log2(NROM) come next.  Its memory is 128 * N * r bytes, as
 * scrypt's, and t adds passes over it.
 *
 * Nothing here hashes by hand: the libraries do.  What is parsed here is
 * only what bounds the work (costs) and what makes a hash well formed, so
 * that a hash that could never match, or that would pin a worker for
 * hours (a bcrypt cost 31 is 2^31 rounds), is refused before any work.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <apr_md5.h>
#include <apr_sha1.h>

#include "cfg.h"
#include "foreign.h"

/* crypt(3)'s alphabet, in the order of its values (yescrypt's settings). */
static const char	 a64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/* Standard base64 ({SHA}). */
static const char	 b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Write the reason into why and return -1. */
static int __attribute__((format(printf, 3, 4)))
refuse(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	 ap;

	if (why != NULL && whysz > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whysz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Length of the run of crypt(3) alphabet characters at s. */
static size_t
a64_span(const char *s)
{

	return strspn(s, a64);
}

/* The value of crypt(3) alphabet character c, or 64 for any other. */
static uint32_t
a64_val(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(a64, c)) == NULL)
		return 64;
	return (uint32_t)(p - a64);
}

/* n decimal digits at s, no leading zero: their value, or -1. */
static long
dec(const char *s, size_t n)
{
	long	 v = 0;
	size_t	 i;

	if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
foreign_bcrypt_ok(const char *h, char *why, size_t whysz)
{
	long	 cost;

	/* 4 + 2 + 1 + 22 + 31 = 60 */
	if (h == NULL || strnlen(h, 61) != 60 || h[0] != '$' ||
	    h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') ||
	    h[3] != '$' || h[6] != '$' || a64_span(h + 7) != 53)
		return refuse(why, whysz, "bcrypt: malformed");
	/* Two digits, a leading zero included ("05"). */
	if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return refuse(why, whysz, "bcrypt: malformed cost");
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4)
		return refuse(why, whysz, "bcrypt: cost %ld is below 4", cost);
	if (cost > PW_BCRYPT_COST_MAX)
		return refuse(why, whysz, "bcrypt: cost %ld is over the cap "
		    "of %d", cost, PW_BCRYPT_COST_MAX);
	return 0;
}

int
foreign_sha512_ok(const char *h, char *why, size_t whysz)
{
	const char	*p;
	size_t		 n;
	long		 rounds;

	if (h == NULL || strnlen(h, PW_MCF_MAX) >= PW_MCF_MAX ||
	    strncmp(h, "$6$", 3) != 0)
		return refuse(why, whysz, "sha512crypt: malformed");
	p = h + 3;
	if (strncmp(p, "rounds=", 7) == 0) {
		p += 7;
		n = strspn(p, "0123456789");
		if (p[n] != '$' || (rounds = dec(p, n)) == -1)
			return refuse(why, whysz,
			    "sha512crypt: malformed rounds=");
		/* libxcrypt would make rounds=1000 of it: never a match. */
		if (rounds < 1000)
			return refuse(why, whysz, "sha512crypt: rounds=%ld "
			    "is below 1000", rounds);
		if (rounds > PW_SHA512_ROUNDS_MAX)
			return refuse(why, whysz, "sha512crypt: rounds=%ld "
			    "is over the cap of %d", rounds,
			    PW_SHA512_ROUNDS_MAX);
		p += n + 1;
	}
	n = a64_span(p);
	if (n < 1 || n > 16 || p[n] != '$')
		return refuse(why, whysz, "sha512crypt: malformed salt");
	p += n + 1;
	if (a64_span(p) != 86 || p[86] != '\0')
		return refuse(why, whysz, "sha512crypt: malformed hash");
	return 0;
}

/*
 * One variable-length integer of yescrypt's settings at s, plus min, into
 * *v: the decoding libxcrypt's yescrypt_r applies (decode64_uint32 in its
 * alg-yescrypt-common.c).  The first character's value says how many
 * follow: 0-47 none, then ranges for one to five more, six bits each.
 * Returns the position after it, or NULL when a character is outside the
 * alphabet (the NUL included) or the value does not fit 32 bits.
 */
static const char *
yes_uint32(const char *s, uint32_t min, uint32_t *v)
{
	uint32_t	 start = 0, end = 47, chars = 1, bits = 0, c;
	uint64_t	 x;

	if ((c = a64_val(*s++)) > 63)
		return NULL;
	x = min;
	while (c > end) {
		x += (uint64_t)(end + 1 - start) << bits;
		start = end + 1;
		end = start + (62 - end) / 2;
		chars++;
		bits += 6;
	}
	x += (uint64_t)(c - start) << bits;
	while (--chars) {
		if ((c = a64_val(*s++)) > 63)
			return NULL;
		bits -= 6;
		x += (uint64_t)c << bits;
	}
	if (x > UINT32_MAX)
		return NULL;
	*v = (uint32_t)x;
	return s;
}

/* The parameters of a yescrypt setting; p is 1 and the rest 0 unless the
 * setting says otherwise. */
struct yes_params {
	uint32_t	 flavor, nlog2, r, have, p, t, g, nromlog2;
};

/* Parse the params of yescrypt hash h (after "$y$") into *y.  Returns the
 * position of the '$' after them, or NULL when malformed. */
static const char *
yes_params(const char *s, struct yes_params *y)
{

	memset(y, 0, sizeof(*y));
	y->p = 1;
	if ((s = yes_uint32(s, 0, &y->flavor)) == NULL ||
	    (s = yes_uint32(s, 1, &y->nlog2)) == NULL ||
	    (s = yes_uint32(s, 1, &y->r)) == NULL)
		return NULL;
	if (*s == '$')
		return s;
	if ((s = yes_uint32(s, 1, &y->have)) == NULL || y->have > 15)
		return NULL;
	if ((y->have & 1) && (s = yes_uint32(s, 2, &y->p)) == NULL)
		return NULL;
	if ((y->have & 2) && (s = yes_uint32(s, 1, &y->t)) == NULL)
		return NULL;
	if ((y->have & 4) && (s = yes_uint32(s, 1, &y->g)) == NULL)
		return NULL;
	if ((y->have & 8) && (s = yes_uint32(s, 1, &y->nromlog2)) == NULL)
		return NULL;
	return *s == '$' ? s : NULL;
}

int
foreign_yescrypt_ok(const char *h, char *why, size_t whysz)
{
	struct yes_params	 y;
	const char		*p;
	size_t			 n;
	uint64_t		 mem;

	if (h == NULL || strnlen(h, PW_MCF_MAX) >= PW_MCF_MAX ||
	    strncmp(h, "$y$", 3) != 0)
		return refuse(why, whysz, "yescrypt: malformed");
	if ((p = yes_params(h + 3, &y)) == NULL)
		return refuse(why, whysz, "yescrypt: malformed parameters");
	p++;
	n = a64_span(p);
	if (n < 1 || n > 86 || p[n] != '$')
		return refuse(why, whysz, "yescrypt: malformed salt");
	p += n + 1;
	if (a64_span(p) != 43 || p[43] != '\0')
		return refuse(why, whysz, "yescrypt: malformed hash");

	if (y.g != 0 || (y.have & 8))
		return refuse(why, whysz, "yescrypt: upgraded hashes and "
		    "ROMs are not supported");
	if (y.nlog2 < 1 || y.nlog2 > 63)
		return refuse(why, whysz, "yescrypt: malformed N");
	/* 128 * N * r without overflow: N <= 2^40 here, so 128 * N fits. */
	mem = y.nlog2 > 40 ? UINT64_MAX : (uint64_t)128 << y.nlog2;
	if (mem > CFG_SCRYPT_MEM_MAX || y.r > CFG_SCRYPT_MEM_MAX / mem)
		return refuse(why, whysz, "yescrypt: memory 128 * N * r is "
		    "over the cap of %lu MiB",
		    (unsigned long)(CFG_SCRYPT_MEM_MAX >> 20));
	if (y.p > CFG_SCRYPT_P_MAX)
		return refuse(why, whysz, "yescrypt: p=%lu is over the cap "
		    "of %d", (unsigned long)y.p, CFG_SCRYPT_P_MAX);
	if (y.t > PW_YESCRYPT_T_MAX)
		return refuse(why, whysz, "yescrypt: t=%lu is over the cap "
		    "of %d", (unsigned long)y.t, PW_YESCRYPT_T_MAX);
	return 0;
}

int
foreign_apr1_ok(const char *h, char *why, size_t whysz)
{
	const char	*p;
	size_t		 n;

	if (h == NULL || strncmp(h, "$apr1$", 6) != 0)
		return refuse(why, whysz, "apr1: malformed");
	p = h + 6;
	n = a64_span(p);
	if (n < 1 || n > 8 || p[n] != '$')
		return refuse(why, whysz, "apr1: malformed salt");
	p += n + 1;
	if (a64_span(p) != 22 || p[22] != '\0')
		return refuse(why, whysz, "apr1: malformed hash");
	return 0;
}

int
foreign_sha1_ok(const char *h, char *why, size_t whysz)
{

	/* 20 bytes: 27 characters and one '='. */
	if (h == NULL || strncmp(h, APR_SHA1PW_ID, APR_SHA1PW_IDLEN) != 0 ||
	    strspn(h + APR_SHA1PW_IDLEN, b64std) != 27 ||
	    strcmp(h + APR_SHA1PW_IDLEN + 27, "=") != 0)
		return refuse(why, whysz, "SHA-1: malformed");
	return 0;
}

/*
 * crypt_rn with a zeroed struct crypt_data of our own (about 32 KiB, on
 * the heap, wiped and freed here); yescrypt maps its own memory and
 * unmaps it before returning.
 */
int
foreign_crypt(const char *pw, const char *h, char out[PW_MCF_MAX])
{
	struct crypt_data	*d;
	const char		*r;
	size_t			 n;
	int			 rc = -1;

	out[0] = '\0';
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -2;
	errno = 0;
	r = crypt_rn(pw, h, d, (int)sizeof(*d));
	if (r == NULL)
		rc = errno == ENOMEM ? -2 : -1;
	else if ((n = strlen(r)) < PW_MCF_MAX) {
		memcpy(out, r, n + 1);
		rc = 0;
	}
	explicit_bzero(d, sizeof(*d));
	free(d);
	return rc;
}

/* apr_md5_encode reads the salt of h up to its '$' and writes the whole
 * "$apr1$salt$hash" string; it allocates nothing. */
int
foreign_apr1(const char *pw, const char *h, char out[PW_MCF_MAX])
{

	if (apr_md5_encode(pw, h, out, PW_MCF_MAX) != APR_SUCCESS) {
		explicit_bzero(out, PW_MCF_MAX);
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* apr_sha1_base64 writes "{SHA}" and 28 characters (34 bytes with the
 * NUL); it allocates nothing. */
int
foreign_sha1(const char *pw, size_t len, char out[PW_MCF_MAX])
{

	out[0] = '\0';
	if (len > INT_MAX)
		return -1;
	apr_sha1_base64(pw, (int)len, out);
	return 0;
}
