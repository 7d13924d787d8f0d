/*
 * bench_scrypt.c - scrypt as libscrypt computes it (libscrypt_scrypt)
 * against libsodium's crypto_pwhash_scryptsalsa208sha256_ll, which
 * lib/passwd.c uses for every hash and check.
 *
 *   bench_scrypt [K]
 *
 * Times K password checks (default 20) at N=16384 r=8 p=1, then K/4 (at
 * least 1) at the configured default N=32768 r=8 p=3.  The two libraries
 * alternate on every check, and which one goes first alternates too, so
 * both see the same noise.  Every pair of outputs must be byte-identical,
 * or the program fails.  Prints ms per check and the ratio
 * libscrypt/libsodium (above 1: libsodium is faster); the last line is
 * "ratio N=16384: X.XXx".  Exit status: 0 done, 1 mismatch or failure,
 * 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libscrypt.h>
#include <sodium.h>

#define OUT_LEN		64	/* bytes of one hash, as lib/passwd.c */
#define SALT_LEN	16

struct cost {
	uint64_t	 N;
	uint32_t	 r;
	uint32_t	 p;
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One check with libscrypt into out; returns the ms taken, or -1. */
static double
one_libscrypt(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{
	double	 t0 = now_ms();

	if (libscrypt_scrypt((const uint8_t *)pw, strlen(pw), salt, SALT_LEN,
	    c->N, c->r, c->p, out, OUT_LEN) != 0)
		return -1;
	return now_ms() - t0;
}

/* One check with libsodium into out; returns the ms taken, or -1. */
static double
one_libsodium(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{
	double	 t0 = now_ms();

	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pw,
	    strlen(pw), salt, SALT_LEN, c->N, c->r, c->p, out, OUT_LEN) != 0)
		return -1;
	return now_ms() - t0;
}

/*
 * Run k alternating pairs of checks at cost c after one untimed warm-up
 * pair, print the per-check times, and store libscrypt/libsodium in
 * *ratio.  Returns 0, or -1 when a library fails or the outputs differ.
 */
static int
bench(const struct cost *c, int k, double *ratio)
{
	uint8_t		 salt[SALT_LEN], a[OUT_LEN], b[OUT_LEN];
	char		 pw[64];
	double		 ta, tb, sa = 0, sb = 0, mina = 0, minb = 0;
	int		 i;

	for (i = -1; i < k; i++) {
		randombytes_buf(salt, sizeof(salt));
		snprintf(pw, sizeof(pw), "bench password %d", i);
		if (i % 2 == 0) {
			ta = one_libscrypt(pw, salt, c, a);
			tb = one_libsodium(pw, salt, c, b);
		} else {
			tb = one_libsodium(pw, salt, c, b);
			ta = one_libscrypt(pw, salt, c, a);
		}
		if (ta < 0 || tb < 0) {
			fprintf(stderr, "bench_scrypt: scrypt failed\n");
			return -1;
		}
		if (memcmp(a, b, OUT_LEN) != 0) {
			fprintf(stderr, "bench_scrypt: N=%" PRIu64 " r=%"
			    PRIu32 " p=%" PRIu32 ": outputs differ\n",
			    c->N, c->r, c->p);
			return -1;
		}
		if (i < 0)
			continue;	/* warm-up */
		sa += ta;
		sb += tb;
		if (i == 0 || ta < mina)
			mina = ta;
		if (i == 0 || tb < minb)
			minb = tb;
	}
	*ratio = sa / sb;
	printf("N=%" PRIu64 " r=%" PRIu32 " p=%" PRIu32 ": %d checks each, "
	    "outputs identical\n", c->N, c->r, c->p, k);
	printf("  libscrypt_scrypt   %8.2f ms/op (min %.2f)\n", sa / k, mina);
	printf("  libsodium _ll      %8.2f ms/op (min %.2f)\n", sb / k, minb);
	printf("  ratio libscrypt/libsodium %.2fx\n", *ratio);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct cost	 c16k = { 16384, 8, 1 };
	static const struct cost	 cdef = { 32768, 8, 3 };
	double				 r16k, rdef;
	char				*end;
	long				 k = 20;

	if (argc > 2)
		goto usage;
	if (argc == 2) {
		k = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end != '\0' || k < 1 || k > 100000)
			goto usage;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_scrypt: sodium_init failed\n");
		return 1;
	}
	if (bench(&c16k, (int)k, &r16k) == -1)
		return 1;
	if (bench(&cdef, k / 4 > 0 ? (int)(k / 4) : 1, &rdef) == -1)
		return 1;
	printf("ratio N=32768 r=8 p=3: %.2fx\n", rdef);
	printf("ratio N=16384: %.2fx\n", r16k);
	return 0;
usage:
	fprintf(stderr, "usage: bench_scrypt [K]\n");
	return 2;
}
