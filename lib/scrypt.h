/*
 * scrypt.h - the scrypt key derivation function of RFC 7914 (Salsa20/8,
 * BlockMix, ROMix; PBKDF2-HMAC-SHA256 from OpenSSL), with one working
 * buffer per process.
 *
 * The working buffer (ROMix's V and X/Y for the chains computed at once,
 * and the PBKDF2 block B) is mapped once, kept for the life of the process
 * and reused by every call; it grows when a call needs more.  It is
 * excluded from core dumps, wiped (explicit_bzero) before every call
 * returns, and given back to the kernel by scrypt_idle().  The module is
 * not thread-safe: one thread of a process calls it at a time (the
 * responder and autenticacao-admin are single-threaded).
 *
 * The p independent ROMix chains are computed together, interleaved, by
 * one of the paths below, picked once at run time from the CPU
 * (__builtin_cpu_supports) or forced by scrypt_path_set() or the
 * environment variable AUTENTICACAO_SCRYPT_PATH (scalar, sse2, avx2,
 * avx512) read at the first call.  Every path gives the same bytes.
 */
#ifndef AUTENTICACAO_SCRYPT_H
#define AUTENTICACAO_SCRYPT_H

#include <stddef.h>
#include <stdint.h>

/* Limits of scrypt_kdf's arguments (RFC 7914 section 2 gives N > 1 a
 * power of two, r * p < 2^30; the rest keep every size in range). */
#define SCRYPT_N_MAX		((uint64_t)1 << 32)
#define SCRYPT_RP_MAX		((1UL << 24) - 1)	/* r * p */
#define SCRYPT_LEN_MAX		((size_t)1 << 30)	/* pw, salt, out */
/* The most bytes of ROMix's V for one chain (128 * r * N; RFC 7914's
 * largest vector, N=2^20 r=8, needs all of it).  The working buffer holds
 * the V of the chains it runs at once, their X and Y (256 * r bytes each)
 * and B (128 * r * p bytes). */
#define SCRYPT_MEM_MAX		((size_t)1 << 30)
/* Chains are interleaved only while their V together stay within this
 * many bytes (at the default cost N=32768 r=8 p=3: 3 * 32 MiB); a call
 * whose chains do not fit runs fewer at a time, down to one. */
#define SCRYPT_INTERLEAVE_MAX	((size_t)256 << 20)

enum scrypt_path {
	SCRYPT_PATH_AUTO = 0,	/* the fastest this CPU runs */
	SCRYPT_PATH_SCALAR,	/* portable C, one chain at a time */
	SCRYPT_PATH_SSE2,	/* one chain per 128-bit register set, up to 3
				   interleaved */
	SCRYPT_PATH_AVX2,	/* two chains per 256-bit register set, up to 4
				   interleaved */
	SCRYPT_PATH_AVX512,	/* the same with AVX-512VL's rotate */
	SCRYPT_PATH_COUNT
};

/*
 * scrypt(pw, salt, N, r, p) into the outlen bytes at out (RFC 7914
 * section 6).  pw may be NULL when pwlen is 0, salt when saltlen is 0.
 * Returns 0; or -1 with out wiped when an argument is out of range (N not
 * a power of two > 1 or above SCRYPT_N_MAX, r or p 0, r * p above
 * SCRYPT_RP_MAX, a length above SCRYPT_LEN_MAX or outlen 0, a V over
 * SCRYPT_MEM_MAX) or the buffer cannot be mapped or PBKDF2 fails.  Nothing
 * is allocated before the arguments are checked.
 */
int		 scrypt_kdf(const uint8_t *pw, size_t pwlen,
		    const uint8_t *salt, size_t saltlen, uint64_t N,
		    uint32_t r, uint32_t p, uint8_t *out, size_t outlen);

/*
 * Give the working buffer's pages back to the kernel (MADV_DONTNEED); the
 * mapping stays and the next call faults them in again.  Cheap when
 * nothing is held.
 */
void		 scrypt_idle(void);

/* Unmap the working buffer (the next call maps it again). */
void		 scrypt_free(void);

/* Bytes mapped for the working buffer (0 before the first call). */
size_t		 scrypt_mapped(void);

/*
 * Force a path (SCRYPT_PATH_AUTO: back to the CPU's choice).  Returns 0,
 * or -1 when this CPU cannot run it (nothing changes).
 */
int		 scrypt_path_set(enum scrypt_path);

/* The path setting: AUTO, or the path forced by scrypt_path_set() or
 * AUTENTICACAO_SCRYPT_PATH. */
enum scrypt_path scrypt_path_get(void);

/* The path a call with this p runs: the forced one, or AUTO's choice
 * (scalar for p = 1, the fastest vector path this CPU runs for more). */
enum scrypt_path scrypt_path_used(uint32_t p);

/* Whether this CPU can run path: 1 or 0. */
int		 scrypt_path_supported(enum scrypt_path);

/* "auto", "scalar", "sse2", "avx2", "avx512"; static storage; NULL if unknown. */
const char	*scrypt_path_name(enum scrypt_path);

#endif
