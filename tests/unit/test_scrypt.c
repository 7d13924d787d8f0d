/*
 * test_scrypt.c - lib/scrypt.c: RFC 7914's test vectors, libscrypt's
 * $s1$ both ways, a differential test against OpenSSL's EVP_PBE_scrypt
 * over random inputs and costs, on every path this CPU runs forced in
 * turn; the argument checks, the working buffer's reuse, growth, wipe and
 * release.
 *
 * Includes scrypt.c to reach its statics (the Makefile then leaves
 * scrypt.o out of the link).  The random inputs come from a generator
 * seeded by SCRYPT_TEST_SEED, or the time; the seed is printed, so a
 * failure can be run again.
 */
#include <sys/resource.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libscrypt.h>

#include "../../lib/scrypt.c"
#include "../../lib/passwd.h"

/* RFC 7914 section 12. */
static const struct vector {
	const char	*pw, *salt;
	uint64_t	 N;
	uint32_t	 r, p;
	const char	*hex;
} vectors[] = {
	{ "", "", 16, 1, 1,
	  "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
	  "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906" },
	{ "password", "NaCl", 1024, 8, 16,
	  "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
	  "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640" },
	{ "pleaseletmein", "SodiumChloride", 16384, 8, 1,
	  "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
	  "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887" },
	{ "pleaseletmein", "SodiumChloride", 1048576, 8, 1,
	  "2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa47"
	  "8e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4" },
};

static uint64_t	 rng;

static uint32_t
rnd(uint32_t n)
{

	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static void
rnd_bytes(uint8_t *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(256);
}

static void
hex_decode(const char *hex, uint8_t *out, size_t n)
{
	size_t	 i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* Every path but AUTO that this CPU runs, then AUTO: *n of them. */
static void
paths(enum scrypt_path out[SCRYPT_PATH_COUNT], int *n)
{
	int	 i;

	*n = 0;
	for (i = 1; i < SCRYPT_PATH_COUNT; i++)
		if (scrypt_path_supported((enum scrypt_path)i))
			out[(*n)++] = (enum scrypt_path)i;
	out[(*n)++] = SCRYPT_PATH_AUTO;
}

/* Vector v with the path in force; dies on a difference. */
static void
check_vector(const struct vector *v)
{
	uint8_t	 want[64], got[64];

	hex_decode(v->hex, want, sizeof(want));
	memset(got, 0, sizeof(got));
	assert_int_equal(scrypt_kdf((const uint8_t *)v->pw, strlen(v->pw),
	    (const uint8_t *)v->salt, strlen(v->salt), v->N, v->r, v->p, got,
	    sizeof(got)), 0);
	if (memcmp(got, want, sizeof(got)) != 0)
		fail_msg("path %s: N=%llu r=%u p=%u differs from RFC 7914",
		    scrypt_path_name(scrypt_path_used(v->p)),
		    (unsigned long long)v->N, v->r, v->p);
}

/* The first three vectors on every path. */
static void
test_rfc7914_vectors_each_path(void **state)
{
	enum scrypt_path	 ps[SCRYPT_PATH_COUNT];
	int			 n, i, j;

	(void)state;
	paths(ps, &n);
	assert_true(n >= 2);	/* scalar and AUTO at least */
	for (i = 0; i < n; i++) {
		assert_int_equal(scrypt_path_set(ps[i]), 0);
		for (j = 0; j < 3; j++)
			check_vector(&vectors[j]);
	}
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
}

/* The N=2^20 vector (1 GiB of V) on the scalar path and on AUTO's choice
 * for p = 1; the buffer is released after. */
static void
test_rfc7914_vector_1gib(void **state)
{

	(void)state;
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_SCALAR), 0);
	check_vector(&vectors[3]);
	assert_true(scrypt_mapped() >= (size_t)1 << 30);
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
	check_vector(&vectors[3]);
	scrypt_free();
	assert_int_equal(scrypt_mapped(), 0);
}

/*
 * Random password (0-80 bytes), salt (0-40), N 2^1-2^10, r 1-8, p 1-6
 * and output length (1-100) against EVP_PBE_scrypt, rounds times, with
 * the path in force.  OpenSSL's N < 2^(16 r) holds for all of them.
 */
static void
differential(int rounds)
{
	uint8_t		 pw[80], salt[40], a[100], b[100];
	size_t		 pwlen, saltlen, outlen;
	uint64_t	 N;
	uint32_t	 r, p;
	int		 i;

	for (i = 0; i < rounds; i++) {
		pwlen = rnd(sizeof(pw) + 1);
		saltlen = rnd(sizeof(salt) + 1);
		outlen = 1 + rnd(sizeof(a));
		N = (uint64_t)1 << (1 + rnd(10));
		r = 1 + rnd(8);
		p = 1 + rnd(6);
		rnd_bytes(pw, pwlen);
		rnd_bytes(salt, saltlen);
		assert_int_equal(scrypt_kdf(pw, pwlen, salt, saltlen, N, r, p,
		    a, outlen), 0);
		assert_int_equal(EVP_PBE_scrypt((const char *)pw, pwlen, salt,
		    saltlen, N, r, p, (uint64_t)1 << 30, b, outlen), 1);
		if (memcmp(a, b, outlen) != 0)
			fail_msg("path %s: N=%llu r=%u p=%u pwlen=%zu "
			    "saltlen=%zu outlen=%zu differs from OpenSSL",
			    scrypt_path_name(scrypt_path_used(p)),
			    (unsigned long long)N, r, p, pwlen, saltlen,
			    outlen);
	}
}

static void
test_differential_openssl_each_path(void **state)
{
	enum scrypt_path	 ps[SCRYPT_PATH_COUNT];
	int			 n, i;

	(void)state;
	paths(ps, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(scrypt_path_set(ps[i]), 0);
		differential(60);
	}
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
}

/* libscrypt's raw scrypt and ours agree, p 1-5, on every path. */
static void
test_libscrypt_scrypt_agrees_each_path(void **state)
{
	enum scrypt_path	 ps[SCRYPT_PATH_COUNT];
	uint8_t			 pw[32], salt[16], a[64], b[64];
	uint32_t		 p;
	int			 n, i;

	(void)state;
	paths(ps, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(scrypt_path_set(ps[i]), 0);
		for (p = 1; p <= 5; p++) {
			rnd_bytes(pw, sizeof(pw));
			rnd_bytes(salt, sizeof(salt));
			assert_int_equal(scrypt_kdf(pw, sizeof(pw), salt,
			    sizeof(salt), 512, 4, p, a, sizeof(a)), 0);
			assert_int_equal(libscrypt_scrypt(pw, sizeof(pw), salt,
			    sizeof(salt), 512, 4, p, b, sizeof(b)), 0);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
}

/* libscrypt_check() writes into its argument: give it a copy. */
static int
lscheck(const char *mcf, const char *pw)
{
	char	 copy[SCRYPT_MCF_LEN];

	memset(copy, 0, sizeof(copy));
	assert_true(strlen(mcf) < sizeof(copy));
	memcpy(copy, mcf, strlen(mcf));
	return libscrypt_check(copy, pw);
}

/*
 * $s1$ both ways on every path: libscrypt_hash's strings verify with
 * pw_check (our core), pw_hash's pass libscrypt_check; p 1-4.
 */
static void
test_libscrypt_mcf_both_ways_each_path(void **state)
{
	enum scrypt_path	 ps[SCRYPT_PATH_COUNT];
	struct pw_cost		 c;
	char			 mcf[PW_MCF_MAX], pw[24];
	uint32_t		 p;
	int			 n, i;

	(void)state;
	_Static_assert(SCRYPT_MCF_LEN <= PW_MCF_MAX, "mcf buffer");
	paths(ps, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(scrypt_path_set(ps[i]), 0);
		for (p = 1; p <= 4; p++) {
			snprintf(pw, sizeof(pw), "senha %u %u", i, p);
			assert_true(libscrypt_hash(mcf, pw, 1024, 8, p) > 0);
			assert_int_equal(pw_check(mcf, pw, strlen(pw), NULL),
			    PW_MATCH);
			assert_int_equal(pw_check(mcf, "senha", 5, NULL),
			    PW_MISMATCH);
			c.N = 1024;
			c.r = 8;
			c.p = p;
			assert_int_equal(pw_hash(pw, strlen(pw), &c, mcf), 0);
			assert_true(lscheck(mcf, pw) > 0);
			assert_int_equal(lscheck(mcf, "senha"), 0);
		}
	}
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
}

/* Out-of-range arguments fail, wipe out and map nothing. */
static void
test_bad_arguments_allocate_nothing(void **state)
{
	static const struct {
		uint64_t	 N;
		uint32_t	 r, p;
		size_t		 outlen;
	} bad[] = {
		{ 0, 1, 1, 32 }, { 1, 1, 1, 32 }, { 3, 1, 1, 32 },
		{ 1000, 1, 1, 32 }, { (uint64_t)1 << 33, 1, 1, 32 },
		{ 16, 0, 1, 32 }, { 16, 1, 0, 32 }, { 16, 1 << 12, 1 << 12, 32 },
		{ 16, 1, 1, 0 },
		/* V of 2^62 bytes; 2^30 + 2^28 (SCRYPT_MEM_MAX is 2^30);
		 * 2^59 bytes times 15 chains. */
		{ (uint64_t)1 << 32, 1 << 23, 1, 32 },
		{ (uint64_t)1 << 21, 5, 1, 32 },
		{ (uint64_t)1 << 32, 1 << 20, 15, 32 },
	};
	uint8_t	 out[32];
	size_t	 i;

	(void)state;
	scrypt_free();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		assert_int_equal(scrypt_kdf((const uint8_t *)"x", 1,
		    (const uint8_t *)"y", 1, bad[i].N, bad[i].r, bad[i].p, out,
		    bad[i].outlen), -1);
		if (bad[i].outlen > 0)
			assert_true(out[0] == 0 && out[31] == 0);
		assert_int_equal(scrypt_mapped(), 0);
	}
	/* A length without its pointer. */
	assert_int_equal(scrypt_kdf(NULL, 1, NULL, 0, 16, 1, 1, out, 32), -1);
	assert_int_equal(scrypt_kdf((const uint8_t *)"x", 1, NULL, 1, 16, 1,
	    1, out, 32), -1);
	assert_int_equal(scrypt_kdf((const uint8_t *)"x", 1, NULL, 0, 16, 1,
	    1, NULL, 32), -1);
	assert_int_equal(scrypt_mapped(), 0);
	/* NULL with length 0 is the empty string (vector 1). */
	assert_int_equal(scrypt_kdf(NULL, 0, NULL, 0, 16, 1, 1, out, 32), 0);
	assert_memory_equal(out, "\x77\xd6\x57\x62", 4);
}

/* How many chains run at once: the path's lanes, p, and the V cap. */
static void
test_interleave_sizes(void **state)
{
	size_t	 blk, total;
	int	 k;

	(void)state;
	assert_int_equal(scrypt_sizes(1, 1, 32768, 8, 3, 64, 4, &blk, &k,
	    &total), 0);
	assert_int_equal(k, 3);
	assert_int_equal(blk, 1024);
	assert_int_equal(total, 1024 * 3 + 3 * ((size_t)32 << 20) + 3 * 2048);
	assert_int_equal(scrypt_sizes(1, 1, 32768, 8, 16, 64, 4, &blk, &k,
	    &total), 0);
	assert_int_equal(k, 4);
	assert_int_equal(scrypt_sizes(1, 1, 32768, 8, 16, 64, 1, &blk, &k,
	    &total), 0);
	assert_int_equal(k, 1);
	/* 128 MiB per chain: two fit under SCRYPT_INTERLEAVE_MAX. */
	assert_int_equal(scrypt_sizes(1, 1, (uint64_t)1 << 17, 8, 3, 64, 4,
	    &blk, &k, &total), 0);
	assert_int_equal(k, 2);
	assert_int_equal(scrypt_sizes(1, 1, (uint64_t)1 << 18, 8, 3, 64, 4,
	    &blk, &k, &total), 0);
	assert_int_equal(k, 1);
}

static long
minflt(void)
{
	struct rusage	 ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/* The resident set in KiB, from /proc/self/status. */
static long
rss_kib(void)
{
	char	 line[256];
	long	 v = -1;
	FILE	*f;

	assert_non_null(f = fopen("/proc/self/status", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	assert_true(v > 0);
	return v;
}

/* Every byte of the buffer is zero. */
static void
assert_wiped(void)
{
	size_t	 i;

	assert_non_null(scrypt_buf);
	for (i = 0; i < scrypt_len; i++)
		if (scrypt_buf[i] != 0)
			fail_msg("byte %zu of the working buffer is not wiped",
			    i);
}

/*
 * The buffer is mapped once and kept: a second check of the same cost
 * maps nothing and faults (almost) no page; a larger one grows it; a
 * smaller one keeps the larger buffer; every check leaves it all zeros,
 * and gives the right answer throughout.
 */
static void
test_buffer_reuse_and_growth(void **state)
{
	uint8_t	 out[64], want[64];
	uint8_t	*buf;
	size_t	 len;
	long	 f0, f1;

	(void)state;
	scrypt_free();
	assert_int_equal(scrypt_path_set(SCRYPT_PATH_AUTO), 0);
	hex_decode(vectors[2].hex, want, sizeof(want));
	check_vector(&vectors[0]);
	assert_true(scrypt_mapped() > 0);
	assert_wiped();
	len = scrypt_mapped();

	check_vector(&vectors[2]);	/* 16 MiB: grows */
	assert_true(scrypt_mapped() > len);
	assert_true(scrypt_mapped() >= ((size_t)16 << 20));
	assert_wiped();
	buf = scrypt_buf;
	len = scrypt_mapped();

	f0 = minflt();
	check_vector(&vectors[2]);
	f1 = minflt();
	assert_ptr_equal(scrypt_buf, buf);
	assert_int_equal(scrypt_mapped(), len);
	/* 16 MiB is 4096 small pages: a reused buffer faults in none. */
	print_message("# faults in a second check at N=16384 r=8 p=1: %ld\n",
	    f1 - f0);
	assert_true(f1 - f0 < 64);

	check_vector(&vectors[0]);	/* smaller: the buffer stays */
	assert_ptr_equal(scrypt_buf, buf);
	assert_int_equal(scrypt_mapped(), len);
	assert_wiped();
	memset(out, 0, sizeof(out));
	(void)want;
}

/*
 * scrypt_idle gives the pages back (the resident set falls by about the
 * buffer) and keeps the mapping; the next check faults them in again and
 * is right; a second scrypt_idle without a check in between is a no-op.
 */
static void
test_idle_then_check(void **state)
{
	long	 busy, idle, f0, f1;
	size_t	 len;

	(void)state;
	scrypt_free();
	check_vector(&vectors[2]);
	len = scrypt_mapped();
	busy = rss_kib();
	scrypt_idle();
	idle = rss_kib();
	print_message("# RSS after a check %ld KiB, after scrypt_idle %ld "
	    "KiB\n", busy, idle);
	assert_true(busy - idle >= 15 * 1024);
	assert_int_equal(scrypt_mapped(), len);
	assert_int_equal(scrypt_resident, 0);
	scrypt_idle();
	assert_int_equal(scrypt_mapped(), len);

	f0 = minflt();
	check_vector(&vectors[2]);
	f1 = minflt();
	assert_true(f1 > f0);		/* the pages came back */
	assert_int_equal(scrypt_resident, 1);
	assert_wiped();
	assert_true(rss_kib() - idle >= 15 * 1024);
	scrypt_free();
}

/* AUTENTICACAO_SCRYPT_PATH forces a path at the first use; an unknown or
 * unsupported name leaves AUTO; AUTO picks scalar for p = 1. */
static void
test_path_override(void **state)
{
	enum scrypt_path	 ps[SCRYPT_PATH_COUNT];
	int			 n, i;

	(void)state;
	paths(ps, &n);
	for (i = 0; i < n; i++) {
		setenv("AUTENTICACAO_SCRYPT_PATH", scrypt_path_name(ps[i]), 1);
		scrypt_cur = -1;
		assert_int_equal(scrypt_path_get(), ps[i]);
		if (ps[i] != SCRYPT_PATH_AUTO)
			assert_int_equal(scrypt_path_used(1), ps[i]);
	}
	setenv("AUTENTICACAO_SCRYPT_PATH", "no-such-path", 1);
	scrypt_cur = -1;
	assert_int_equal(scrypt_path_get(), SCRYPT_PATH_AUTO);
	unsetenv("AUTENTICACAO_SCRYPT_PATH");
	scrypt_cur = -1;
	assert_int_equal(scrypt_path_get(), SCRYPT_PATH_AUTO);
	assert_int_equal(scrypt_path_used(1), SCRYPT_PATH_SCALAR);
	assert_int_equal(scrypt_path_used(3), scrypt_auto_vector());
	assert_int_equal(scrypt_path_set((enum scrypt_path)SCRYPT_PATH_COUNT),
	    -1);
	assert_null(scrypt_path_name((enum scrypt_path)SCRYPT_PATH_COUNT));
	for (i = 0; i < SCRYPT_PATH_COUNT; i++)
		if (!scrypt_path_supported((enum scrypt_path)i))
			assert_int_equal(scrypt_path_set((enum scrypt_path)i),
			    -1);
	print_message("# paths this CPU runs:");
	for (i = 0; i < n; i++)
		print_message(" %s", scrypt_path_name(ps[i]));
	print_message("; AUTO runs %s for p >= 2\n",
	    scrypt_path_name(scrypt_path_used(3)));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_rfc7914_vectors_each_path),
		cmocka_unit_test(test_rfc7914_vector_1gib),
		cmocka_unit_test(test_differential_openssl_each_path),
		cmocka_unit_test(test_libscrypt_scrypt_agrees_each_path),
		cmocka_unit_test(test_libscrypt_mcf_both_ways_each_path),
		cmocka_unit_test(test_bad_arguments_allocate_nothing),
		cmocka_unit_test(test_interleave_sizes),
		cmocka_unit_test(test_buffer_reuse_and_growth),
		cmocka_unit_test(test_idle_then_check),
		cmocka_unit_test(test_path_override),
	};
	const char	*s;

	s = getenv("SCRYPT_TEST_SEED");
	rng = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
	if (rng == 0)
		rng = 1;
	print_message("# SCRYPT_TEST_SEED=%llu\n", (unsigned long long)rng);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
