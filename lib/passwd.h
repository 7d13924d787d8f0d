/*
 * passwd.h - password hashes in libscrypt's MCF format:
 *   $s1$NNrrpp$<salt, base64>$<hash, base64>
 * NN = log2(N), rr = r, pp = p as two hex digits each; 16 salt bytes; 64
 * hash bytes.  New hashes and checks compute scrypt with libsodium's
 * crypto_pwhash_scryptsalsa208sha256_ll (same bytes as libscrypt_scrypt;
 * about 1.4-1.6x faster at p = 1, on par at p = 3, see make bench); the
 * format stays libscrypt's, so libscrypt_check accepts our
 * hashes and we accept libscrypt_hash's.  This is the only module that
 * includes libscrypt.h.
 */
#ifndef AUTENTICACAO_PASSWD_H
#define AUTENTICACAO_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#define PW_MCF_MAX	128	/* buffer for one MCF string, NUL included */

struct pw_cost {
	uint64_t	N;
	uint32_t	r;
	uint32_t	p;
};

enum pw_result {
	PW_ERROR = -1,		/* could not compute (out of memory) */
	PW_MISMATCH = 0,	/* wrong password, or malformed/over-cap hash */
	PW_MATCH = 1,		/* right password */
	PW_MATCH_REHASH = 2	/* right password, stored cost below want */
};

/*
 * Hash password pw (len bytes) with cost c and a fresh random salt into
 * mcf (NUL-terminated).  Returns 0, or -1 when c is out of range or scrypt
 * fails.
 */
int		 pw_hash(const char *pw, size_t len, const struct pw_cost *c,
		    char mcf[PW_MCF_MAX]);

/*
 * Check pw (len bytes) against the MCF string mcf.  The cost comes from
 * mcf and is capped (cfg.h's CFG_SCRYPT_*): a malformed or over-cap hash is
 * PW_MISMATCH, never a match.  mcf is not modified.  want, if not NULL, is
 * the configured cost: a match with a cheaper stored cost (any of N, r, p
 * lower) is PW_MATCH_REHASH.  The comparison is constant-time.
 */
enum pw_result	 pw_check(const char *mcf, const char *pw, size_t len,
		    const struct pw_cost *want);

/*
 * Spend the time of one check at cost c without a stored hash (for unknown
 * users, so timing does not tell which users exist).  Always returns
 * PW_MISMATCH.
 */
enum pw_result	 pw_dummy(const char *pw, size_t len, const struct pw_cost *c);

#endif
