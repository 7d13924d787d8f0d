/*
 * passwd.c - stored password hashes (passwd.h): the table of formats, the
 * service's own $s1$ (scrypt, computed by scrypt.c) and argon2id (by
 * libsodium); the formats libxcrypt and apr-util compute are in foreign.c.
 *
 * A $s1$ hash is exactly PW_MCF_LEN characters:
 *
 *   $s1$NNrrpp$<24 chars: base64 of 16 salt bytes>$<88 chars: base64 of 64
 *   hash bytes>
 *
 * NN, rr, pp are two lowercase hex digits each: log2(N), r, p.  Base64 is
 * the standard alphabet with '=' padding, and scrypt's salt input is the
 * decoded salt bytes, as libscrypt_hash() and libscrypt_check() do.
 *
 * scrypt itself is the project's own (scrypt.c, RFC 7914, over one working
 * buffer the process keeps): the same bytes as libscrypt_scrypt
 * (tests/unit/test_passwd.c checks both ways, tests/unit/test_scrypt.c
 * compares with OpenSSL, bench/bench_scrypt.c compares speed with
 * libsodium and OpenSSL).
 *
 * An argon2id hash is the PHC string libsodium and the argon2 tool write,
 *
 *   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
 *
 * (unpadded base64), at most crypto_pwhash_argon2id_STRBYTES - 1
 * characters, the longest libsodium's string functions take.
 *
 * The stored string chooses the cost of a check, so it is parsed strictly
 * and its cost capped (cfg.h's CFG_SCRYPT_*, passwd.h's PW_*_MAX) before
 * any work: anything else is PW_MISMATCH.  Every comparison of a computed
 * hash with a stored one is sodium_memcmp, in constant time.  Every buffer
 * holding bytes derived from a password is wiped with sodium_memzero
 * before it goes out of scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libscrypt.h>
#include <sodium.h>

#include "cfg.h"
#include "contract.h"
#include "foreign.h"
#include "log.h"
#include "passwd.h"
#include "scrypt.h"

static int	pw_cost_ok(const struct pw_cost *);
static int	pw_s1_ok(const char *, char *, size_t);
static int	pw_argon2id_ok(const char *, char *, size_t);
static enum pw_result pw_s1_check(const char *, const char *, size_t,
		    const struct pw_cost *);
static enum pw_result pw_argon2id_check(const char *, const char *, size_t,
		    const struct pw_cost *);
static enum pw_result pw_crypt_check(const char *, const char *, size_t,
		    const struct pw_cost *);
static enum pw_result pw_apr1_check(const char *, const char *, size_t,
		    const struct pw_cost *);
static enum pw_result pw_sha1_check(const char *, const char *, size_t,
		    const struct pw_cost *);

/*
 * Every format a stored hash may have: how its hashes start, its name for
 * messages, its shape and caps check (0, or -1 with the reason; no
 * hashing), and its check, which runs only on a hash that passed it.
 */
static const struct pw_format {
	const char	*prefix;
	const char	*name;
	int		(*ok)(const char *, char *, size_t);
	enum pw_result	(*check)(const char *, const char *, size_t,
			    const struct pw_cost *);
} pw_formats[] = {
	{ "$s1$",	"scrypt",	pw_s1_ok,		pw_s1_check },
	{ "$argon2id$",	"argon2id",	pw_argon2id_ok,		pw_argon2id_check },
	{ "$2y$",	"bcrypt",	foreign_bcrypt_ok,	pw_crypt_check },
	{ "$2b$",	"bcrypt",	foreign_bcrypt_ok,	pw_crypt_check },
	{ "$2a$",	"bcrypt",	foreign_bcrypt_ok,	pw_crypt_check },
	{ "$6$",	"sha512crypt",	foreign_sha512_ok,	pw_crypt_check },
	{ "$y$",	"yescrypt",	foreign_yescrypt_ok,	pw_crypt_check },
	{ "$apr1$",	"apr1",		foreign_apr1_ok,	pw_apr1_check },
	{ "{SHA}",	"SHA-1",	foreign_sha1_ok,	pw_sha1_check },
};
#define PW_FORMATS_LEN	(sizeof(pw_formats) / sizeof(pw_formats[0]))

#define PW_ID		"$s1$"
#define PW_ID_LEN	4
#define PW_PARAMS_LEN	6		/* NNrrpp */
#define PW_SALT_BYTES	SCRYPT_SALT_LEN	/* 16 */
#define PW_HASH_BYTES	SCRYPT_HASH_LEN	/* 64 */
#define PW_B64		sodium_base64_VARIANT_ORIGINAL
#define PW_SALT_B64	(sodium_base64_ENCODED_LEN(PW_SALT_BYTES, PW_B64) - 1)
#define PW_HASH_B64	(sodium_base64_ENCODED_LEN(PW_HASH_BYTES, PW_B64) - 1)

/* Offsets of the fields and the total length, NUL excluded. */
#define PW_OFF_PARAMS	PW_ID_LEN
#define PW_OFF_SALT	(PW_OFF_PARAMS + PW_PARAMS_LEN + 1)
#define PW_OFF_HASH	(PW_OFF_SALT + PW_SALT_B64 + 1)
#define PW_MCF_LEN	(PW_OFF_HASH + PW_HASH_B64)

_Static_assert(PW_SALT_B64 == 24 && PW_HASH_B64 == 88,
    "libscrypt's MCF has 24 salt and 88 hash base64 characters");
_Static_assert(PW_MCF_LEN + 1 <= PW_MCF_MAX, "PW_MCF_MAX is too small");
_Static_assert(PW_MCF_LEN + 1 <= SCRYPT_MCF_LEN,
    "libscrypt_check could not take our hashes");
_Static_assert(crypto_pwhash_argon2id_STRBYTES <= PW_MCF_MAX,
    "PW_MCF_MAX cannot hold an argon2id hash");

/* One parsed MCF string. */
struct pw_mcf {
	struct pw_cost	 cost;
	uint8_t		 salt[PW_SALT_BYTES];
	uint8_t		 hash[PW_HASH_BYTES];
};

/* The salt of pw_dummy(); any fixed value does. */
static const uint8_t	pw_dummy_salt[PW_SALT_BYTES] = {
	0x61, 0x75, 0x74, 0x65, 0x6e, 0x74, 0x69, 0x63,
	0x61, 0x63, 0x61, 0x6f, 0x2d, 0x64, 0x75, 0x6d
};

/*
 * Make sure libsodium is initialised: sodium_init() picks argon2id's core
 * and seeds the CSPRNG.  It is idempotent.  Failure means no CSPRNG
 * for salts: abort (the spawner restarts the worker).
 */
static void
pw_init(void)
{

	if (sodium_init() < 0) {
		log_err("libsodium: sodium_init failed");
		abort();
	}
}

/*
 * Value of the two lowercase hex digits at s into *v.  Returns 0, or -1
 * when either is not [0-9a-f] (libscrypt writes "%02x").
 */
static int
pw_hex2(const char *s, unsigned *v)
{
	unsigned	 i, d;

	*v = 0;
	for (i = 0; i < 2; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/*
 * Decode exactly b64len characters of padded standard base64 at b64 into
 * exactly binlen bytes at bin.  libsodium refuses non-canonical trailing
 * bits and wrong padding.  Returns 0 or -1.
 */
static int
pw_b64_decode(const char *b64, size_t b64len, uint8_t *bin, size_t binlen)
{
	const char	*end = NULL;
	size_t		 got = 0;

	if (sodium_base642bin(bin, binlen, b64, b64len, NULL, &got, &end,
	    PW_B64) != 0)
		return -1;
	if (got != binlen || end != b64 + b64len)
		return -1;
	return 0;
}

/*
 * Parse the NUL-terminated string mcf into m.  Returns 0, or -1 (m wiped)
 * when mcf is not exactly one $s1$ hash of the shape above or its cost is
 * out of pw_cost_ok()'s range.  Reads at most PW_MCF_LEN + 1 bytes of mcf.
 */
static int
pw_parse(const char *mcf, struct pw_mcf *m)
{
	unsigned	 logn, r, p;

	memset(m, 0, sizeof(*m));
	if (mcf == NULL || strnlen(mcf, PW_MCF_LEN + 1) != PW_MCF_LEN)
		goto err;
	if (memcmp(mcf, PW_ID, PW_ID_LEN) != 0 ||
	    mcf[PW_OFF_SALT - 1] != '$' || mcf[PW_OFF_HASH - 1] != '$')
		goto err;
	if (pw_hex2(mcf + PW_OFF_PARAMS, &logn) == -1 ||
	    pw_hex2(mcf + PW_OFF_PARAMS + 2, &r) == -1 ||
	    pw_hex2(mcf + PW_OFF_PARAMS + 4, &p) == -1)
		goto err;
	/* Checked before the shift: log2(N) may be up to 0xff here. */
	if (logn < 1 || logn > CFG_SCRYPT_LOGN_MAX)
		goto err;
	m->cost.N = (uint64_t)1 << logn;
	m->cost.r = r;
	m->cost.p = p;
	if (pw_cost_ok(&m->cost) == -1)
		goto err;
	if (pw_b64_decode(mcf + PW_OFF_SALT, PW_SALT_B64, m->salt,
	    sizeof(m->salt)) == -1 ||
	    pw_b64_decode(mcf + PW_OFF_HASH, PW_HASH_B64, m->hash,
	    sizeof(m->hash)) == -1)
		goto err;
	return 0;
err:
	sodium_memzero(m, sizeof(*m));
	return -1;
}

/*
 * scrypt(pw, salt, c) into the PW_HASH_BYTES at out.  c must have passed
 * pw_cost_ok().  A NULL pw is taken as the empty password when len is 0.
 * Returns 0, or -1 when scrypt fails (its buffer cannot be mapped) or pw
 * is NULL with a length; out is wiped then.
 */
static int
pw_scrypt(const char *pw, size_t len, const uint8_t salt[PW_SALT_BYTES],
    const struct pw_cost *c, uint8_t out[PW_HASH_BYTES])
{

	if (pw == NULL && len > 0)
		goto err;
	if (scrypt_kdf((const uint8_t *)pw, len, salt, PW_SALT_BYTES, c->N,
	    c->r, c->p, out, PW_HASH_BYTES) != 0)
		goto err;
	return 0;
err:
	sodium_memzero(out, PW_HASH_BYTES);
	return -1;
}

/*
 * Compute scrypt(pw, salt, c) and compare it with want in constant time.
 * Returns PW_MATCH, PW_MISMATCH, or PW_ERROR when scrypt fails.
 */
static enum pw_result
pw_verify(const char *pw, size_t len, const uint8_t salt[PW_SALT_BYTES],
    const struct pw_cost *c, const uint8_t want[PW_HASH_BYTES])
{
	uint8_t		 got[PW_HASH_BYTES];
	enum pw_result	 rc;

	if (pw_scrypt(pw, len, salt, c, got) == -1)
		rc = PW_ERROR;
	else if (sodium_memcmp(got, want, sizeof(got)) == 0)
		rc = PW_MATCH;
	else
		rc = PW_MISMATCH;
	sodium_memzero(got, sizeof(got));
	return rc;
}

/* 0 when c is within the caps and N is a power of two >= 2; else -1. */
static int
pw_cost_ok(const struct pw_cost *c)
{

	if (c == NULL)
		return -1;
	if (c->N < 2 || (c->N & (c->N - 1)) != 0 ||
	    c->N > (uint64_t)1 << CFG_SCRYPT_LOGN_MAX)
		return -1;
	if (c->r < 1 || c->r > CFG_SCRYPT_R_MAX ||
	    c->p < 1 || c->p > CFG_SCRYPT_P_MAX)
		return -1;
	/* No overflow: N <= 2^20 and r <= 32 above. */
	if (128 * c->N * c->r > CFG_SCRYPT_MEM_MAX)
		return -1;
	return 0;
}

/*
 * Hash pw with cost c and 16 fresh random salt bytes into mcf, in exactly
 * the layout libscrypt_mcf() writes.  Returns 0, or -1 (mcf set to "") when
 * c fails pw_cost_ok() or scrypt fails.
 */
int
pw_hash(const char *pw, size_t len, const struct pw_cost *c,
    char mcf[PW_MCF_MAX])
{
	uint8_t		 salt[PW_SALT_BYTES], hash[PW_HASH_BYTES];
	unsigned	 logn;
	int		 rc = -1;

	mcf[0] = '\0';
	if (pw_cost_ok(c) == -1)
		goto out;
	pw_init();
	randombytes_buf(salt, sizeof(salt));
	if (pw_scrypt(pw, len, salt, c, hash) == -1)
		goto out;

	for (logn = 0; ((uint64_t)1 << logn) < c->N; logn++)
		continue;
	memcpy(mcf, PW_ID, PW_ID_LEN);
	/* Writes NNrrpp and the '$' before the salt. */
	(void)snprintf(mcf + PW_OFF_PARAMS, PW_MCF_MAX - PW_OFF_PARAMS,
	    "%02x%02x%02x$", logn, (unsigned)c->r, (unsigned)c->p);
	sodium_bin2base64(mcf + PW_OFF_SALT, PW_MCF_MAX - PW_OFF_SALT,
	    salt, sizeof(salt), PW_B64);
	mcf[PW_OFF_HASH - 1] = '$';
	sodium_bin2base64(mcf + PW_OFF_HASH, PW_MCF_MAX - PW_OFF_HASH,
	    hash, sizeof(hash), PW_B64);
	rc = 0;
out:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(salt, sizeof(salt));
	return rc;
}

/*
 * $s1$: parse (PW_MISMATCH when malformed or over cap), recompute with the
 * stored salt and cost, compare in constant time.  A match whose stored N,
 * r or p is below want's is PW_MATCH_REHASH.
 */
static enum pw_result
pw_s1_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{
	struct pw_mcf	 m;
	enum pw_result	 rc;

	if (pw_parse(mcf, &m) == -1)
		return PW_MISMATCH;
	rc = pw_verify(pw, len, m.salt, &m.cost, m.hash);
	if (rc == PW_MATCH && want != NULL &&
	    (m.cost.N < want->N || m.cost.r < want->r || m.cost.p < want->p))
		rc = PW_MATCH_REHASH;
	sodium_memzero(&m, sizeof(m));
	return rc;
}

static int
pw_s1_ok(const char *mcf, char *why, size_t whysz)
{
	struct pw_mcf	 m;

	if (pw_parse(mcf, &m) == -1) {
		(void)snprintf(why, whysz, "scrypt: malformed, or its cost "
		    "is over the caps");
		return -1;
	}
	sodium_memzero(&m, sizeof(m));
	return 0;
}

/*
 * The decimal number at *s, 1-10 digits without a leading zero, into *v;
 * *s moves past it.  Returns 0 or -1.
 */
static int
pw_dec(const char **s, uint64_t *v)
{
	const char	*p = *s;
	size_t		 n;

	*v = 0;
	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++)
		*v = *v * 10 + (uint64_t)(p[n] - '0');
	if (n == 0 || n > 10 || (p[0] == '0' && n > 1))
		return -1;
	*s = p + n;
	return 0;
}

/*
 * argon2id: its cost fields are read here and capped; libsodium's own
 * parser (crypto_pwhash_argon2id_str_needs_rehash decodes the whole string
 * and checks every field, without hashing) judges the rest.
 */
static int
pw_argon2id_ok(const char *mcf, char *why, size_t whysz)
{
	static const char	 head[] = "$argon2id$v=19$m=";
	const char		*s;
	uint64_t		 m, t, p;

	if (mcf == NULL || strnlen(mcf, crypto_pwhash_argon2id_STRBYTES) >=
	    crypto_pwhash_argon2id_STRBYTES) {
		(void)snprintf(why, whysz, "argon2id: longer than %d "
		    "characters", crypto_pwhash_argon2id_STRBYTES - 1);
		return -1;
	}
	if (strncmp(mcf, head, sizeof(head) - 1) != 0) {
		(void)snprintf(why, whysz, "argon2id: malformed (version 19, "
		    "v=19, is the only one)");
		return -1;
	}
	s = mcf + sizeof(head) - 1;
	if (pw_dec(&s, &m) == -1 || strncmp(s, ",t=", 3) != 0 ||
	    (s += 3, pw_dec(&s, &t)) == -1 || strncmp(s, ",p=", 3) != 0 ||
	    (s += 3, pw_dec(&s, &p)) == -1 || *s != '$' || t < 1 || p < 1 ||
	    crypto_pwhash_argon2id_str_needs_rehash(mcf, t, m * 1024) == -1) {
		(void)snprintf(why, whysz, "argon2id: malformed");
		return -1;
	}
	/* No overflow: m * t is computed only with both under the caps. */
	if (m > CFG_SCRYPT_MEM_MAX / 1024 || t > PW_ARGON2_WORK_MAX ||
	    m * t > PW_ARGON2_WORK_MAX || p > CFG_SCRYPT_P_MAX) {
		(void)snprintf(why, whysz, "argon2id: m=%llu,t=%llu,p=%llu is "
		    "over the caps (m at most %lu, m * t at most %lu, p at "
		    "most %d)", (unsigned long long)m, (unsigned long long)t,
		    (unsigned long long)p, CFG_SCRYPT_MEM_MAX / 1024,
		    PW_ARGON2_WORK_MAX, CFG_SCRYPT_P_MAX);
		return -1;
	}
	return 0;
}

/*
 * The result of a foreign check: the library's outcome got (foreign.h's
 * 0, -1 or -2) with the string it made, compared with the stored one in
 * constant time.  Any match asks for a $s1$ hash when want is given.
 */
static enum pw_result
pw_made(int got, const char *mcf, const char made[PW_MCF_MAX],
    const struct pw_cost *want)
{
	size_t	 n;

	if (got == -2)
		return PW_ERROR;
	n = strlen(mcf);
	if (got != 0 || strnlen(made, PW_MCF_MAX) != n ||
	    sodium_memcmp(made, mcf, n) != 0)
		return PW_MISMATCH;
	return want != NULL ? PW_MATCH_REHASH : PW_MATCH;
}

/*
 * pw (len bytes) as a C string in z, for the libraries that take one.
 * Returns 0; -1 when it holds a NUL or is longer than the API allows
 * (no match possible); -2 when pw is NULL with a length.
 */
static int
pw_cstr(const char *pw, size_t len, char z[LIM_PASSWORD_MAX + 1])
{

	z[0] = '\0';
	if (pw == NULL)
		return len == 0 ? 0 : -2;
	if (len > LIM_PASSWORD_MAX || memchr(pw, '\0', len) != NULL)
		return -1;
	memcpy(z, pw, len);
	z[len] = '\0';
	return 0;
}

/* libsodium checks argon2id in constant time itself; any failure of it,
 * out of memory included, reads as a mismatch (it says no more). */
static enum pw_result
pw_argon2id_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{
	char		 z[LIM_PASSWORD_MAX + 1];
	enum pw_result	 rc = PW_MISMATCH;
	int		 c;

	if ((c = pw_cstr(pw, len, z)) == -2)
		return PW_ERROR;
	pw_init();
	if (c == 0 && crypto_pwhash_argon2id_str_verify(mcf, z, len) == 0)
		rc = want != NULL ? PW_MATCH_REHASH : PW_MATCH;
	sodium_memzero(z, sizeof(z));
	return rc;
}

/* The library that remakes a foreign hash from a password (foreign.h). */
enum pw_remaker { PW_BY_CRYPT, PW_BY_APR1, PW_BY_SHA1 };

/*
 * Check pw (len bytes) against the foreign hash mcf by having its library
 * make the hash again from pw and comparing the two (pw_made).
 */
static enum pw_result
pw_remake_check(enum pw_remaker by, const char *mcf, const char *pw,
    size_t len, const struct pw_cost *want)
{
	char		 z[LIM_PASSWORD_MAX + 1], made[PW_MCF_MAX];
	enum pw_result	 rc = PW_MISMATCH;
	int		 c, got;

	made[0] = '\0';
	if ((c = pw_cstr(pw, len, z)) == -2)
		rc = PW_ERROR;
	else if (c == 0) {
		if (by == PW_BY_CRYPT)
			got = foreign_crypt(z, mcf, made);
		else if (by == PW_BY_APR1)
			got = foreign_apr1(z, mcf, made);
		else
			got = foreign_sha1(z, len, made);
		rc = pw_made(got, mcf, made, want);
	}
	sodium_memzero(z, sizeof(z));
	sodium_memzero(made, sizeof(made));
	return rc;
}

/* bcrypt, sha512crypt, yescrypt: libxcrypt. */
static enum pw_result
pw_crypt_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{

	return pw_remake_check(PW_BY_CRYPT, mcf, pw, len, want);
}

/* $apr1$: apr-util. */
static enum pw_result
pw_apr1_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{

	return pw_remake_check(PW_BY_APR1, mcf, pw, len, want);
}

/* {SHA}: apr-util (unsalted SHA-1, as htpasswd -s writes it). */
static enum pw_result
pw_sha1_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{

	return pw_remake_check(PW_BY_SHA1, mcf, pw, len, want);
}

/* The row of pw_formats whose prefix mcf starts with, or NULL. */
static const struct pw_format *
pw_format_find(const char *mcf)
{
	size_t	 i;

	if (mcf == NULL)
		return NULL;
	for (i = 0; i < PW_FORMATS_LEN; i++)
		if (strncmp(mcf, pw_formats[i].prefix,
		    strlen(pw_formats[i].prefix)) == 0)
			return &pw_formats[i];
	return NULL;
}

/*
 * Find the format by prefix, check its shape and caps (PW_MISMATCH, no
 * work, when it fails), then run the format's check.
 */
enum pw_result
pw_check(const char *mcf, const char *pw, size_t len,
    const struct pw_cost *want)
{
	const struct pw_format	*f;
	char			 why[PW_WHY_MAX];

	if ((f = pw_format_find(mcf)) == NULL ||
	    strnlen(mcf, PW_MCF_MAX) >= PW_MCF_MAX ||
	    f->ok(mcf, why, sizeof(why)) == -1)
		return PW_MISMATCH;
	return f->check(mcf, pw, len, want);
}

/*
 * Empty, too long and unknown hashes are refused here; a known prefix
 * hands over to the format's own check.  A value that does not look like
 * a hash at all may be a password in the clear: it is not quoted back.
 */
int
pw_stored_ok(const char *mcf, char why[PW_WHY_MAX])
{
	const struct pw_format	*f;
	size_t			 n;

	why[0] = '\0';
	if (mcf == NULL || mcf[0] == '\0') {
		(void)snprintf(why, PW_WHY_MAX, "empty hash");
		return -1;
	}
	if (strnlen(mcf, PW_MCF_MAX) >= PW_MCF_MAX) {
		(void)snprintf(why, PW_WHY_MAX, "longer than %d characters",
		    PW_MCF_MAX - 1);
		return -1;
	}
	if ((f = pw_format_find(mcf)) == NULL) {
		/* "$1$", "$5$", "$argon2i$": the id between two '$'. */
		n = mcf[0] == '$' ? strcspn(mcf + 1, "$") : 0;
		if (n > 0 && n <= 16 && mcf[n + 1] == '$')
			(void)snprintf(why, PW_WHY_MAX, "unsupported hash "
			    "format $%.*s$", (int)n, mcf + 1);
		else
			(void)snprintf(why, PW_WHY_MAX, "not a hash of a "
			    "supported format (a password in plain text?)");
		return -1;
	}
	return f->ok(mcf, why, PW_WHY_MAX);
}

const char *
pw_format(const char *mcf)
{
	const struct pw_format	*f;

	return (f = pw_format_find(mcf)) != NULL ? f->name : NULL;
}

/*
 * One scrypt at cost c on a fixed salt, compared like pw_check() does, so
 * an unknown user costs what a known one does.  A cost outside
 * pw_cost_ok() does no work.  Always PW_MISMATCH.
 */
enum pw_result
pw_dummy(const char *pw, size_t len, const struct pw_cost *c)
{
	static const uint8_t	 nohash[PW_HASH_BYTES];

	if (pw_cost_ok(c) == 0)
		(void)pw_verify(pw, len, pw_dummy_salt, c, nohash);
	return PW_MISMATCH;
}
