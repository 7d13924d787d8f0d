/*
 * token.c - session ids, tokens, their hashes, constant-time comparison.
 *
 * Everything here is libsodium: randombytes_buf for randomness (getrandom(2)
 * on Linux), unpadded base64url for the text form, SHA-256 for the stored
 * hash, sodium_memcmp for comparison and sodium_memzero for wiping.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "token.h"

#define TOK_SID_BYTES		16	/* 128 bits: 22 base64url chars */
#define TOK_SECRET_BYTES	32	/* 256 bits: 43 base64url chars */

/* The text lengths in token.h must be what the byte counts encode to. */
_Static_assert(sodium_base64_ENCODED_LEN(TOK_SID_BYTES,
    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == TOK_SID_RAND_LEN + 1,
    "TOK_SID_RAND_LEN does not match TOK_SID_BYTES");
_Static_assert(sodium_base64_ENCODED_LEN(TOK_SECRET_BYTES,
    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == TOK_SECRET_LEN + 1,
    "TOK_SECRET_LEN does not match TOK_SECRET_BYTES");
_Static_assert(TOK_HASH_LEN == crypto_hash_sha256_BYTES * 2,
    "TOK_HASH_LEN is not hex SHA-256");

/*
 * Make sure libsodium is initialised; sodium_init() is idempotent and
 * thread-safe, so this runs before every use.  Without it there is no
 * CSPRNG and no token can be minted safely: abort (the spawner restarts the
 * worker, and it will fail again loudly rather than mint weak tokens).
 */
static void
tok_init(void)
{

	if (sodium_init() < 0) {
		log_err("libsodium: sodium_init failed");
		abort();
	}
}

/*
 * Write n random bytes as unpadded base64url into out (outsz bytes, which
 * must hold the encoding and its NUL).  The raw bytes are wiped.
 */
static void
tok_random_b64(size_t n, char *out, size_t outsz)
{
	unsigned char	 buf[TOK_SECRET_BYTES];

	if (n > sizeof(buf) || outsz < sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		abort();
	tok_init();
	randombytes_buf(buf, n);
	sodium_bin2base64(out, outsz, buf, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(buf, sizeof(buf));
}

void
tok_sid_new(char sid[TOK_SID_LEN + 1], const char tag[TOK_SID_TAG_LEN])
{

	tok_random_b64(TOK_SID_BYTES, sid, TOK_SID_RAND_LEN + 1);
	memcpy(sid + TOK_SID_RAND_LEN, tag, TOK_SID_TAG_LEN);
	sid[TOK_SID_LEN] = '\0';
}

/*
 * Mint n tokens "<sid>.<secret>" into out[].  Beyond token.h's contract,
 * also refuses (-1) an empty sid, a sid outside tok_charset_ok()'s set, a
 * sid so long that a token would exceed LIM_TOKEN_MAX (a token the service
 * itself would then refuse), and buffers too small; out[] is untouched then.
 * The secrets come from one randombytes_buf() call, wiped after encoding.
 */
int
tok_new_set(const char *sid, size_t sidlen, char *const out[], size_t n,
    size_t outsz)
{
	unsigned char	 buf[TOK_SET_MAX * TOK_SECRET_BYTES];
	size_t		 i;

	if (sid == NULL || out == NULL || n == 0 || n > TOK_SET_MAX ||
	    sidlen > LIM_TOKEN_MAX - 1 - TOK_SECRET_LEN ||
	    !tok_charset_ok(sid, sidlen) ||
	    outsz < sidlen + 1 + TOK_SECRET_LEN + 1)
		return -1;
	for (i = 0; i < n; i++)
		if (out[i] == NULL)
			return -1;
	tok_init();
	randombytes_buf(buf, n * TOK_SECRET_BYTES);
	for (i = 0; i < n; i++) {
		memcpy(out[i], sid, sidlen);
		out[i][sidlen] = '.';
		sodium_bin2base64(out[i] + sidlen + 1, outsz - sidlen - 1,
		    buf + i * TOK_SECRET_BYTES, TOK_SECRET_BYTES,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int
tok_new(const char *sid, size_t sidlen, char *out, size_t outsz)
{
	char *const	 one[1] = { out };

	return tok_new_set(sid, sidlen, one, 1, outsz);
}

void
tok_hash(const char *t, size_t len, char out[TOK_HASH_LEN + 1])
{
	unsigned char	 md[crypto_hash_sha256_BYTES];

	tok_init();
	crypto_hash_sha256(md, (const unsigned char *)t, len);
	sodium_bin2hex(out, TOK_HASH_LEN + 1, md, sizeof(md));
	sodium_memzero(md, sizeof(md));
}

int
tok_hash_eq(const char *a, const char *b)
{

	return sodium_memcmp(a, b, TOK_HASH_LEN) == 0;
}

/*
 * 1 if c is in RFC 3986's unreserved set (A-Z a-z 0-9 - _ . ~).  Explicit
 * ranges, not <ctype.h>, so the locale cannot widen the set.
 */
static int
tok_char_ok(unsigned char c)
{

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    c == '-' || c == '_' || c == '.' || c == '~';
}

int
tok_charset_ok(const char *s, size_t len)
{
	size_t	 i;

	if (s == NULL || len == 0 || len > LIM_TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!tok_char_ok((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Split t at its last '.' (the secret never holds one, a sid may).  On
 * success the sid part goes into sid, NUL-terminated.  Returns -1, leaving
 * sid untouched, when t is not 1..LIM_TOKEN_MAX bytes of the URL-safe set, has no
 * '.', either part is empty, or sid (sidsz bytes) cannot hold the part.
 */
int
tok_session(const char *t, size_t len, char *sid, size_t sidsz)
{
	size_t	 dot;

	if (sid == NULL || !tok_charset_ok(t, len))
		return -1;
	for (dot = len; dot > 0; dot--)
		if (t[dot - 1] == '.')
			break;
	if (dot == 0)
		return -1;		/* no '.' */
	dot--;				/* index of the last '.' */
	if (dot == 0 || dot == len - 1)
		return -1;		/* empty sid or empty secret */
	if (sidsz < dot + 1)
		return -1;
	memcpy(sid, t, dot);
	sid[dot] = '\0';
	return 0;
}

void
tok_wipe(void *p, size_t n)
{

	sodium_memzero(p, n);
}
