/*
 * passwd.h - stored password hashes: the service's own format, libscrypt's
 * MCF
 *   $s1$NNrrpp$<salt, base64>$<hash, base64>
 * (NN = log2(N), rr = r, pp = p as two hex digits each; 16 salt bytes; 64
 * hash bytes), and the formats of other systems that users arrive with
 * (docs/API.md "Password hashes from elsewhere").  New hashes are always
 * $s1$; a foreign hash is only ever checked, and the first successful
 * check asks for it to be replaced (PW_MATCH_REHASH).
 *
 * One table in passwd.c lists every format with the library that checks
 * it:
 *   $s1$          scrypt        scrypt.c scrypt_kdf (our own, RFC 7914)
 *   $argon2id$    argon2id      libsodium crypto_pwhash_argon2id_str_verify
 *   $2y$ $2b$ $2a$ bcrypt       libxcrypt crypt_rn (foreign.c)
 *   $6$           sha512crypt   libxcrypt crypt_rn (foreign.c)
 *   $y$           yescrypt      libxcrypt crypt_rn (foreign.c)
 *   $apr1$        Apache MD5    apr-util apr_md5_encode (foreign.c)
 *   {SHA}         Apache SHA-1  apr-util apr_sha1_base64 (foreign.c)
 * scrypt is the project's own core (scrypt.h: one working buffer per
 * process, the p chains interleaved; same bytes as libscrypt's and
 * OpenSSL's, faster than either, see make bench); the format stays
 * libscrypt's, so libscrypt_check accepts our hashes and we accept
 * libscrypt_hash's.  This is the only module that includes libscrypt.h.
 *
 * A stored hash chooses the cost of its check, so every format is parsed
 * strictly and its cost capped before any work (the caps below, and
 * cfg.h's CFG_SCRYPT_* for scrypt): a malformed or over-cap hash is a
 * mismatch, never a match, and is refused at import.
 */
#ifndef AUTENTICACAO_PASSWD_H
#define AUTENTICACAO_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#define PW_MCF_MAX	256	/* buffer for one stored hash, NUL included */
#define PW_WHY_MAX	128	/* buffer for the reason a hash is refused */

/*
 * Cost caps of the foreign formats.  Each keeps the most expensive hash it
 * lets through at about a second or two of one core (figures in
 * autenticacao-admin(8)); a hash over its cap is never computed.
 */
#define PW_BCRYPT_COST_MAX	14		/* bcrypt: 2^14 rounds */
#define PW_SHA512_ROUNDS_MAX	2500000		/* sha512crypt rounds= */
#define PW_YESCRYPT_T_MAX	4		/* yescrypt: extra time t */
/* yescrypt: 128 * N * r bytes at most CFG_SCRYPT_MEM_MAX, p at most
 * CFG_SCRYPT_P_MAX, as scrypt's own. */
/* argon2id: m (KiB) at most CFG_SCRYPT_MEM_MAX / 1024, and m * t at most
 * this many KiB passes (256 MiB twice); p at most CFG_SCRYPT_P_MAX. */
#define PW_ARGON2_WORK_MAX	(2UL * 256 * 1024)

struct pw_cost {
	uint64_t	N;
	uint32_t	r;
	uint32_t	p;
};

enum pw_result {
	PW_ERROR = -1,		/* could not compute (out of memory) */
	PW_MISMATCH = 0,	/* wrong password, or malformed/over-cap or
				   unknown hash */
	PW_MATCH = 1,		/* right password */
	PW_MATCH_REHASH = 2	/* right password, but the hash is foreign or
				   its cost is below want: replace it */
};

/*
 * Hash password pw (len bytes) with cost c and a fresh random salt into
 * mcf (NUL-terminated).  Returns 0, or -1 when c is out of range or scrypt
 * fails.
 */
int		 pw_hash(const char *pw, size_t len, const struct pw_cost *c,
		    char mcf[PW_MCF_MAX]);

/*
 * Check pw (len bytes) against the stored hash mcf, in any format of the
 * table above.  The cost comes from mcf and is capped: a malformed,
 * over-cap or unknown hash is PW_MISMATCH, never a match, and costs no
 * work.  mcf is not modified.  want, if not NULL, is the configured cost:
 * a match of a foreign hash, or of a $s1$ with a cheaper cost (any of N,
 * r, p lower), is PW_MATCH_REHASH.  A password holding a NUL byte never
 * matches a foreign hash (their libraries take C strings).  The
 * comparison is constant-time.  PW_ERROR when the library could not run
 * (out of memory).
 */
enum pw_result	 pw_check(const char *mcf, const char *pw, size_t len,
		    const struct pw_cost *want);

/*
 * Whether mcf may be stored as a user's hash: a well-formed hash of a
 * format of the table above, within its cost caps.  Returns 0, or -1 with
 * the reason in why (PW_WHY_MAX bytes, NUL-terminated; "bcrypt: cost 31
 * is over the cap of 14", "not a known hash format (plain text?)").
 * Does no hashing.
 */
int		 pw_stored_ok(const char *mcf, char why[PW_WHY_MAX]);

/* The name of the format of mcf ("bcrypt", "scrypt", ...), judged by its
 * prefix only, or NULL when no format has that prefix.  Static storage. */
const char	*pw_format(const char *mcf);

/*
 * Spend the time of one check at cost c without a stored hash (for unknown
 * users, so timing does not tell which users exist).  Always returns
 * PW_MISMATCH.
 */
enum pw_result	 pw_dummy(const char *pw, size_t len, const struct pw_cost *c);

#endif
