/*
 * bench_scrypt.c - scrypt as libscrypt computes it (libscrypt_scrypt)
 * against libsodium's crypto_pwhash_scryptsalsa208sha256_ll, which
 * lib/passwd.c uses for every hash and check, and OpenSSL's
 * EVP_PBE_scrypt beside them.
 *
 *   bench_scrypt [K]
 *   bench_scrypt -t N r p K
 *   bench_scrypt -P PROCS N r p K
 *
 * Times K password checks (default 20) at N=16384 r=8 p=1, then K/4 (at
 * least 1) at the configured default N=32768 r=8 p=3.  The two libraries
 * alternate on every check, and which one goes first alternates too, so
 * both see the same noise.  Every pair of outputs must be byte-identical,
 * or the program fails.  Prints ms per check and the ratio
 * libscrypt/libsodium (above 1: libsodium is faster); the last line is
 * "ratio N=16384: X.XXx".
 *
 * With -t (the timer of bench/run.sh): K rounds at cost N, r, p, each
 * round one check by each of the three libraries in a rotating order,
 * outputs compared.  Prints one line per library and then the fastest:
 *
 *	scrypt libsodium N=32768 r=8 p=3 median_ms=301.20 min_ms=298.10
 *	...
 *	scrypt fastest libsodium median_ms=301.20
 *
 * With -P: PROCS processes at once, each making K checks with libsodium
 * (as PROCS responder workers do under load); prints the checks per
 * second all of them made together:
 *
 *	scrypt parallel libsodium procs=2 checks=10 wall_ms=1700.00 per_s=5.88
 *
 * Exit status: 0 done, 1 mismatch or failure, 2 usage.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libscrypt.h>
#include <openssl/evp.h>
#include <sodium.h>

#define OUT_LEN		64	/* bytes of one hash, as lib/passwd.c */
#define SALT_LEN	16
#define ROUNDS_MAX	1000	/* K of -t */

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

/* One check with OpenSSL into out; returns the ms taken, or -1. */
static double
one_openssl(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{
	double	 t0 = now_ms();

	/* maxmem: room for 128 * N * r * (p + 2) bytes and more */
	if (EVP_PBE_scrypt(pw, strlen(pw), salt, SALT_LEN, c->N, c->r, c->p,
	    (uint64_t)1 << 32, out, OUT_LEN) != 1)
		return -1;
	return now_ms() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The -t timer: k rounds of one check by each library (the order rotates
 * every round), outputs compared; prints median and minimum ms of each
 * and which is fastest by median.  Returns 0 or -1.
 */
static int
timer(const struct cost *c, int k)
{
	static const char *const name[3] = { "libsodium", "libscrypt",
	    "openssl" };
	double		(*const fn[3])(const char *, const uint8_t *,
			    const struct cost *, uint8_t *) = { one_libsodium,
			    one_libscrypt, one_openssl };
	static double	 t[3][ROUNDS_MAX];
	uint8_t		 salt[SALT_LEN], out[3][OUT_LEN];
	char		 pw[64];
	double		 med[3], ms;
	int		 i, j, m, best = 0;

	for (i = -1; i < k; i++) {
		randombytes_buf(salt, sizeof(salt));
		snprintf(pw, sizeof(pw), "bench password %d", i);
		for (j = 0; j < 3; j++) {
			m = (j + (i < 0 ? 0 : i)) % 3;
			ms = fn[m](pw, salt, c, out[m]);
			if (ms < 0) {
				fprintf(stderr, "bench_scrypt: %s failed\n",
				    name[m]);
				return -1;
			}
			if (i >= 0)
				t[m][i] = ms;
		}
		if (memcmp(out[0], out[1], OUT_LEN) != 0 ||
		    memcmp(out[0], out[2], OUT_LEN) != 0) {
			fprintf(stderr, "bench_scrypt: outputs differ\n");
			return -1;
		}
	}
	for (m = 0; m < 3; m++) {
		qsort(t[m], (size_t)k, sizeof(t[m][0]), cmp_double);
		med[m] = k % 2 ? t[m][k / 2] :
		    (t[m][k / 2 - 1] + t[m][k / 2]) / 2;
		printf("scrypt %s N=%" PRIu64 " r=%" PRIu32 " p=%" PRIu32
		    " median_ms=%.2f min_ms=%.2f\n", name[m], c->N, c->r,
		    c->p, med[m], t[m][0]);
		if (med[m] < med[best])
			best = m;
	}
	printf("scrypt fastest %s median_ms=%.2f\n", name[best], med[best]);
	return 0;
}

/*
 * The -P measure: procs processes each make k libsodium checks at cost c,
 * all started together; prints the checks per second of the whole.
 * Returns 0 or -1.
 */
static int
parallel(const struct cost *c, int procs, int k)
{
	uint8_t		 salt[SALT_LEN], out[OUT_LEN];
	double		 t0, wall;
	pid_t		 pid;
	int		 i, j, st, bad = 0;

	t0 = now_ms();
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1) {
			perror("bench_scrypt: fork");
			bad = 1;
			break;
		}
		if (pid == 0) {
			for (j = 0; j < k; j++) {
				randombytes_buf(salt, sizeof(salt));
				if (one_libsodium("bench password", salt, c,
				    out) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	wall = now_ms() - t0;
	if (bad) {
		fprintf(stderr, "bench_scrypt: a parallel check failed\n");
		return -1;
	}
	printf("scrypt parallel libsodium procs=%d checks=%d wall_ms=%.2f "
	    "per_s=%.2f\n", procs, procs * k, wall, procs * k / (wall / 1e3));
	return 0;
}

/* A decimal argument in [lo, hi] into *v; -1 if it is not one. */
static int
arg_num(const char *s, long lo, long hi, long *v)
{
	char	*end;

	*v = strtol(s, &end, 10);
	return end == s || *end != '\0' || *v < lo || *v > hi ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	static const struct cost	 c16k = { 16384, 8, 1 };
	static const struct cost	 cdef = { 32768, 8, 3 };
	struct cost			 c;
	double				 r16k, rdef;
	long				 k = 20, n, r, p, procs;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_scrypt: sodium_init failed\n");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "-P") == 0) {
		if (argc != 7 || arg_num(argv[2], 1, 256, &procs) == -1 ||
		    arg_num(argv[3], 2, 1L << 24, &n) == -1 ||
		    (n & (n - 1)) != 0 || arg_num(argv[4], 1, 64, &r) == -1 ||
		    arg_num(argv[5], 1, 64, &p) == -1 ||
		    arg_num(argv[6], 1, ROUNDS_MAX, &k) == -1)
			goto usage;
		c.N = (uint64_t)n;
		c.r = (uint32_t)r;
		c.p = (uint32_t)p;
		return parallel(&c, (int)procs, (int)k) == 0 ? 0 : 1;
	}
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		if (argc != 6 || arg_num(argv[2], 2, 1L << 24, &n) == -1 ||
		    (n & (n - 1)) != 0 || arg_num(argv[3], 1, 64, &r) == -1 ||
		    arg_num(argv[4], 1, 64, &p) == -1 ||
		    arg_num(argv[5], 1, ROUNDS_MAX, &k) == -1)
			goto usage;
		c.N = (uint64_t)n;
		c.r = (uint32_t)r;
		c.p = (uint32_t)p;
		return timer(&c, (int)k) == 0 ? 0 : 1;
	}
	if (argc > 2 || (argc == 2 && arg_num(argv[1], 1, 100000, &k) == -1))
		goto usage;
	if (bench(&c16k, (int)k, &r16k) == -1)
		return 1;
	if (bench(&cdef, k / 4 > 0 ? (int)(k / 4) : 1, &rdef) == -1)
		return 1;
	printf("ratio N=32768 r=8 p=3: %.2fx\n", rdef);
	printf("ratio N=16384: %.2fx\n", r16k);
	return 0;
usage:
	fprintf(stderr, "usage: bench_scrypt [K]\n"
	    "       bench_scrypt -t N r p K\n"
	    "       bench_scrypt -P PROCS N r p K\n");
	return 2;
}
