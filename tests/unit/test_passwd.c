/*
 * test_passwd.c - lib/passwd.c: libscrypt interoperability both ways,
 * strict parsing of stored hashes, cost caps, rehash detection.
 *
 * Includes passwd.c to reach its statics (the Makefile then leaves
 * passwd.o out of the link).  Costs are N=1024 except where a test says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../lib/passwd.c"

/* The cost of mcf as pw_check reads it: 0, or -1 when malformed or over
 * the caps. */
static int
pw_cost_parse(const char *mcf, struct pw_cost *c)
{
	struct pw_mcf	 m;

	if (pw_parse(mcf, &m) == -1)
		return -1;
	*c = m.cost;
	sodium_memzero(&m, sizeof(m));
	return 0;
}

#define PW	"senha"
#define PWLEN	(sizeof(PW) - 1)

/* libscrypt_hash(d, "senha", 16384, 8, 3) */
static const char	 ref16k[] = "$s1$0e0803$Hrui269O+Ad3Z0uQDO+MTA==$"
    "jGvTMx4bxGHLw6ixNNYM3yGcM6DlnLcgxoHUohaNvX9ZW6+PKbW3e9CH4aIosnymY8Cu"
    "uch/bFt2UGaHpoBeQw==";
/* libscrypt_hash(d, "senha", 1024, 8, 1) */
static const char	 ref1k[] = "$s1$0a0801$0XpuNNOaLXsCaqTnZzr15A==$"
    "Fn1T9lxSMO76eZncupSY8Q+cAqJuCXKKwSRijgcNaJys4nTT8NkQ21Bn7gtfVo1h5PaQ"
    "NvI2oQGMCEcn0JJfFA==";

static const struct pw_cost	 c1k = { 1024, 8, 1 };

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

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A hash libscrypt made at N=16384 verifies here; the vector is fixed. */
static void
test_libscrypt_vector_verifies(void **state)
{
	(void)state;
	assert_int_equal(pw_check(ref16k, PW, PWLEN, NULL), PW_MATCH);
	assert_int_equal(pw_check(ref16k, "senhA", PWLEN, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(ref1k, PW, PWLEN, NULL), PW_MATCH);
}

/* A hash libscrypt_hash makes now verifies with pw_check. */
static void
test_libscrypt_hash_to_pw_check(void **state)
{
	char	 mcf[SCRYPT_MCF_LEN];

	(void)state;
	assert_true(libscrypt_hash(mcf, "correct horse", 1024, 8, 2) > 0);
	assert_int_equal(pw_check(mcf, "correct horse", 13, NULL), PW_MATCH);
	assert_int_equal(pw_check(mcf, "correct hors", 12, NULL),
	    PW_MISMATCH);
}

/* A hash pw_hash makes verifies with libscrypt_check, at both costs. */
static void
test_pw_hash_to_libscrypt_check(void **state)
{
	static const struct pw_cost	 c16k = { 16384, 8, 1 };
	char				 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c1k, mcf), 0);
	assert_true(lscheck(mcf, PW) > 0);
	assert_int_equal(lscheck(mcf, "senhb"), 0);

	assert_int_equal(pw_hash(PW, PWLEN, &c16k, mcf), 0);
	assert_true(lscheck(mcf, PW) > 0);
	assert_int_equal(lscheck(mcf, "Senha"), 0);
}

/* pw_hash's string has libscrypt's exact layout and a fresh salt. */
static void
test_pw_hash_format(void **state)
{
	static const struct pw_cost	 c = { 2048, 3, 2 };
	char				 a[PW_MCF_MAX], b[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c, a), 0);
	assert_int_equal(pw_hash(PW, PWLEN, &c, b), 0);
	assert_int_equal(strlen(a), 124);
	assert_memory_equal(a, "$s1$0b0302$", 11);
	assert_int_equal(a[35], '$');
	assert_memory_equal(a + 33, "==", 2);
	assert_memory_equal(a + 122, "==", 2);
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a + 11, b + 11, 24);	/* salts */
}

static void
test_pw_hash_roundtrip(void **state)
{
	char	 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c1k, mcf), 0);
	assert_int_equal(pw_check(mcf, PW, PWLEN, NULL), PW_MATCH);
	assert_int_equal(pw_check(mcf, PW, PWLEN, &c1k), PW_MATCH);
}

/* Wrong passwords, including prefixes and embedded NULs, do not match. */
static void
test_wrong_password(void **state)
{
	char	 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c1k, mcf), 0);
	assert_int_equal(pw_check(mcf, "senhb", 5, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(mcf, PW, PWLEN - 1, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(mcf, "senha\0x", 7, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(mcf, "", 0, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(mcf, NULL, 0, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(mcf, NULL, 5, NULL), PW_ERROR);
	/* A wrong password is never a rehash, even with a higher want. */
	assert_int_equal(pw_check(mcf, "x", 1,
	    &(struct pw_cost){ 4096, 8, 1 }), PW_MISMATCH);
}

/* The empty password hashes and verifies, here and in libscrypt. */
static void
test_empty_password(void **state)
{
	char	 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(NULL, 0, &c1k, mcf), 0);
	assert_int_equal(pw_check(mcf, "", 0, NULL), PW_MATCH);
	assert_true(lscheck(mcf, "") > 0);
	assert_int_equal(pw_hash("", 0, &c1k, mcf), 0);
	assert_int_equal(pw_check(mcf, NULL, 0, NULL), PW_MATCH);
	assert_int_equal(pw_hash(NULL, 3, &c1k, mcf), -1);
}

enum mut { SET, CUT, ADD, INS, LIT };

/* One malformed variant of ref1k. */
struct malformed {
	const char	*what;
	enum mut	 how;	/* overwrite at off, cut to off, append, insert
				   at off, or the literal s */
	size_t		 off;
	const char	*s;
};

static const struct malformed	 malformed[] = {
	{ "empty", LIT, 0, "" },
	{ "id only", LIT, 0, "$s1$" },
	{ "garbage", LIT, 0, "not a hash at all" },
	{ "other scheme", LIT, 0, "$7$C6..../....SodiumChloride$"
	    "kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D" },
	{ "wrong id", SET, 0, "$s2$" },
	{ "no leading $", SET, 0, "s" },
	{ "leading space", INS, 0, " " },
	{ "trailing garbage", ADD, 0, "x" },
	{ "trailing $", ADD, 0, "$" },
	{ "trailing newline", ADD, 0, "\n" },
	{ "truncated by 1", CUT, 123, NULL },
	{ "hash padding cut", CUT, 122, NULL },
	{ "truncated in salt", CUT, 20, NULL },
	{ "truncated in params", CUT, 7, NULL },
	{ "salt sep missing", SET, 10, "#" },
	{ "hash sep missing", SET, 35, "#" },
	{ "params 5 digits", LIT, 0, "$s1$a0801$0XpuNNOaLXsCaqTnZzr15A==$"
	    "Fn1T9lxSMO76eZncupSY8Q+cAqJuCXKKwSRijgcNaJys4nTT8NkQ21Bn7gtfVo1h5P"
	    "aQNvI2oQGMCEcn0JJfFA==" },
	{ "uppercase hex", SET, 4, "0A" },
	{ "bad hex", SET, 4, "0g" },
	{ "sign in hex", SET, 4, "+a" },
	{ "space in hex", SET, 4, " a" },
	{ "log2N 0", SET, 4, "00" },
	{ "log2N 21", SET, 4, "15" },
	{ "log2N 0x3f", SET, 4, "3f" },
	{ "log2N 0xff", SET, 4, "ff" },
	{ "r 0", SET, 6, "00" },
	{ "r 33", SET, 6, "21" },
	{ "r 0xff", SET, 6, "ff" },
	{ "p 0", SET, 8, "00" },
	{ "p 17", SET, 8, "11" },
	{ "p 0xff", SET, 8, "ff" },
	{ "memory over cap", SET, 4, "140801" },	/* 128*2^20*8 = 1 GiB */
	{ "bad salt char", SET, 14, "*" },
	{ "urlsafe salt char", SET, 14, "-" },
	{ "salt unpadded", SET, 33, "AA" },
	{ "salt noncanonical", SET, 32, "B" },
	{ "salt space", SET, 14, " " },
	{ "salt too long", INS, 11, "AAAA" },
	{ "salt too short", LIT, 0, "$s1$0a0801$0XpuNNOaLXsCaqTnZzr1$"
	    "Fn1T9lxSMO76eZncupSY8Q+cAqJuCXKKwSRijgcNaJys4nTT8NkQ21Bn7gtfVo1h5P"
	    "aQNvI2oQGMCEcn0JJfFA==" },
	{ "bad hash char", SET, 50, "!" },
	{ "hash unpadded", SET, 122, "AA" },
	{ "hash noncanonical", SET, 121, "B" },
	{ "hash too long", INS, 36, "AAAA" },
	{ "hash NUL inside", SET, 60, "\0" },
};

/* Build variant m of ref1k into out. */
static void
mutate(const struct malformed *m, char *out, size_t outsz)
{
	size_t	 n;

	memset(out, 0, outsz);
	if (m->how == LIT) {
		snprintf(out, outsz, "%s", m->s);
		return;
	}
	snprintf(out, outsz, "%s", ref1k);
	n = strlen(out);
	switch (m->how) {
	case SET:
		/* strlen(s) bytes, or one NUL for "\0". */
		memcpy(out + m->off, m->s, m->s[0] ? strlen(m->s) : 1);
		break;
	case CUT:
		out[m->off] = '\0';
		break;
	case ADD:
		snprintf(out + n, outsz - n, "%s", m->s);
		break;
	case INS:
		memmove(out + m->off + strlen(m->s), out + m->off,
		    n - m->off + 1);
		memcpy(out + m->off, m->s, strlen(m->s));
		break;
	case LIT:
		break;
	}
}

/*
 * Every malformed or over-cap variant of a hash of PW is PW_MISMATCH with
 * the right password and has no cost.  Several variants (noncanonical
 * base64, uppercase hex, trailing bytes) still carry the right salt and
 * hash, so a lenient parser would answer PW_MATCH here.
 */
static void
test_malformed_never_match(void **state)
{
	char		 mcf[256];
	struct pw_cost	 c = { 0, 0, 0 };
	size_t		 i;

	(void)state;
	assert_int_equal(pw_check(ref1k, PW, PWLEN, NULL), PW_MATCH);
	assert_int_equal(pw_check(NULL, PW, PWLEN, NULL), PW_MISMATCH);
	assert_int_equal(pw_cost_parse(NULL, &c), -1);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		mutate(&malformed[i], mcf, sizeof(mcf));
		c.N = 7;
		if (pw_check(mcf, PW, PWLEN, NULL) != PW_MISMATCH ||
		    pw_check(mcf, PW, PWLEN, &c1k) != PW_MISMATCH ||
		    pw_cost_parse(mcf, &c) != -1 || c.N != 7)
			fail_msg("accepted: %s: %s", malformed[i].what, mcf);
	}
}

/*
 * A well-formed hash that differs from the right one in any single
 * position of the salt or the hash (canonical base64 still) does not
 * match: all 64 hash bytes and all 16 salt bytes count.
 */
static void
test_tampered_hash_mismatch(void **state)
{
	static const size_t	 pos[] = {
		11, 20, 31, 32,			/* salt: first, mid, last */
		36, 60, 100, 120, 121,		/* hash: first .. last */
	};
	char			 mcf[PW_MCF_MAX];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		snprintf(mcf, sizeof(mcf), "%s", ref1k);
		/* 'A' <-> 'Q' flips one bit that survives canonical decoding
		 * in every position, the 2-bit last ones included. */
		mcf[pos[i]] = mcf[pos[i]] == 'Q' ? 'A' : 'Q';
		assert_int_equal(pw_cost_parse(mcf, &(struct pw_cost){ 0, 0,
		    0 }), 0);
		if (pw_check(mcf, PW, PWLEN, NULL) != PW_MISMATCH)
			fail_msg("matched with position %zu changed: %s",
			    pos[i], mcf);
	}
}

/* The largest allowed cost parses; one step over any cap does not. */
static void
test_cost_caps_at_the_edge(void **state)
{
	char		 mcf[PW_MCF_MAX];
	struct pw_cost	 c = { 0, 0, 0 };

	(void)state;
	snprintf(mcf, sizeof(mcf), "%s", ref1k);
	memcpy(mcf + 4, "140201", 6);	/* 2^20, r=2: exactly 256 MiB */
	assert_int_equal(pw_cost_parse(mcf, &c), 0);
	assert_true(c.N == 1 << 20 && c.r == 2 && c.p == 1);
	memcpy(mcf + 4, "140301", 6);
	assert_int_equal(pw_cost_parse(mcf, &c), -1);
	memcpy(mcf + 4, "0b2010", 6);	/* 2^11, r=32, p=16 */
	assert_int_equal(pw_cost_parse(mcf, &c), 0);
	assert_true(c.N == 2048 && c.r == 32 && c.p == 16);
	memcpy(mcf + 4, "010101", 6);	/* N=2, r=1, p=1 */
	assert_int_equal(pw_cost_parse(mcf, &c), 0);
	assert_true(c.N == 2 && c.r == 1 && c.p == 1);
}

static void
test_rehash_detection(void **state)
{
	char	 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c1k, mcf), 0);
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 1024, 8, 1 }), PW_MATCH);
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 512, 4, 1 }), PW_MATCH);
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 2048, 8, 1 }), PW_MATCH_REHASH);
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 1024, 9, 1 }), PW_MATCH_REHASH);
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 1024, 8, 2 }), PW_MATCH_REHASH);
	/* Higher N but lower r is still a rehash: any field lower. */
	assert_int_equal(pw_check(mcf, PW, PWLEN,
	    &(struct pw_cost){ 512, 8, 3 }), PW_MATCH_REHASH);
	/* The docs/API.md default against libscrypt's 16384/8/3 vector. */
	assert_int_equal(pw_check(ref16k, PW, PWLEN,
	    &(struct pw_cost){ 32768, 8, 3 }), PW_MATCH_REHASH);
}

static void
test_cost_parse(void **state)
{
	struct pw_cost	 c = { 0, 0, 0 };
	char		 mcf[PW_MCF_MAX];

	(void)state;
	assert_int_equal(pw_cost_parse(ref16k, &c), 0);
	assert_true(c.N == 16384 && c.r == 8 && c.p == 3);
	assert_int_equal(pw_cost_parse(ref1k, &c), 0);
	assert_true(c.N == 1024 && c.r == 8 && c.p == 1);
	assert_int_equal(pw_hash(PW, PWLEN,
	    &(struct pw_cost){ 4096, 5, 7 }, mcf), 0);
	assert_int_equal(pw_cost_parse(mcf, &c), 0);
	assert_true(c.N == 4096 && c.r == 5 && c.p == 7);
}

static void
test_cost_ok(void **state)
{
	static const struct {
		struct pw_cost	 c;
		int		 ok;
	} t[] = {
		{ { 2, 1, 1 }, 0 },
		{ { 1024, 8, 1 }, 0 },
		{ { 32768, 8, 3 }, 0 },
		{ { 1 << 20, 2, 16 }, 0 },
		{ { 2048, 32, 16 }, 0 },
		{ { 0, 8, 1 }, -1 },
		{ { 1, 8, 1 }, -1 },
		{ { 3, 8, 1 }, -1 },
		{ { 1000, 8, 1 }, -1 },
		{ { 1 << 21, 1, 1 }, -1 },
		{ { (uint64_t)1 << 63, 1, 1 }, -1 },
		{ { 1024, 0, 1 }, -1 },
		{ { 1024, 33, 1 }, -1 },
		{ { 1024, 8, 0 }, -1 },
		{ { 1024, 8, 17 }, -1 },
		{ { 1 << 20, 8, 1 }, -1 },	/* 1 GiB */
		{ { 1 << 17, 32, 1 }, -1 },	/* 512 MiB */
	};
	size_t	 i;

	(void)state;
	assert_int_equal(pw_cost_ok(NULL), -1);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (pw_cost_ok(&t[i].c) != t[i].ok)
			fail_msg("N=%llu r=%u p=%u: want %d",
			    (unsigned long long)t[i].c.N, t[i].c.r, t[i].c.p,
			    t[i].ok);
	}
}

/* pw_hash refuses every cost pw_cost_ok refuses, leaving "". */
static void
test_pw_hash_refuses_bad_cost(void **state)
{
	static const struct pw_cost	 bad[] = {
		{ 0, 8, 1 }, { 1, 8, 1 }, { 1000, 8, 1 }, { 1 << 21, 1, 1 },
		{ 1024, 0, 1 }, { 1024, 33, 1 }, { 1024, 8, 0 },
		{ 1024, 8, 17 }, { 1 << 20, 8, 1 },
	};
	char				 mcf[PW_MCF_MAX];
	size_t				 i;

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, NULL, mcf), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mcf, 'x', sizeof(mcf));
		assert_int_equal(pw_hash(PW, PWLEN, &bad[i], mcf), -1);
		assert_int_equal(mcf[0], '\0');
	}
}

/*
 * pw_dummy never matches, and it does the work: at the same cost it takes
 * at least a third of a real check's time.
 */
static void
test_dummy(void **state)
{
	static const struct pw_cost	 c = { 8192, 8, 1 };
	char				 mcf[PW_MCF_MAX];
	double				 t0, tcheck, tdummy;

	(void)state;
	assert_int_equal(pw_hash(PW, PWLEN, &c, mcf), 0);
	t0 = now_ms();
	assert_int_equal(pw_check(mcf, PW, PWLEN, NULL), PW_MATCH);
	tcheck = now_ms() - t0;
	t0 = now_ms();
	assert_int_equal(pw_dummy(PW, PWLEN, &c), PW_MISMATCH);
	tdummy = now_ms() - t0;
	print_message("check %.2f ms, dummy %.2f ms\n", tcheck, tdummy);
	assert_true(tdummy > tcheck / 3);

	assert_int_equal(pw_dummy("", 0, &c1k), PW_MISMATCH);
	assert_int_equal(pw_dummy(NULL, 0, &c1k), PW_MISMATCH);
	assert_int_equal(pw_dummy(PW, PWLEN, NULL), PW_MISMATCH);
	assert_int_equal(pw_dummy(PW, PWLEN,
	    &(struct pw_cost){ 1 << 30, 8, 1 }), PW_MISMATCH);
}

/* Statics: the hex and base64 field decoders are strict. */
static void
test_field_decoders(void **state)
{
	uint8_t		 bin[16];
	unsigned	 v;

	(void)state;
	assert_int_equal(pw_hex2("0e", &v), 0);
	assert_int_equal(v, 14);
	assert_int_equal(pw_hex2("ff", &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(pw_hex2("0E", &v), -1);
	assert_int_equal(pw_hex2("x1", &v), -1);
	assert_int_equal(pw_hex2("1", &v), -1);

	assert_int_equal(pw_b64_decode("Hrui269O+Ad3Z0uQDO+MTA==", 24,
	    bin, 16), 0);
	assert_memory_equal(bin, "\x1e\xbb\xa2\xdb\xaf\x4e\xf8\x07"
	    "\x77\x67\x4b\x90\x0c\xef\x8c\x4c", 16);
	assert_int_equal(pw_b64_decode("Hrui269O+Ad3Z0uQDO+MTB==", 24,
	    bin, 16), -1);
	assert_int_equal(pw_b64_decode("Hrui269O-Ad3Z0uQDO+MTA==", 24,
	    bin, 16), -1);
	assert_int_equal(pw_b64_decode("Hrui269O+Ad3Z0uQDO+MTA=", 23,
	    bin, 16), -1);
	assert_int_equal(pw_b64_decode("Hrui269O+Ad3Z0uQDO+M", 20,
	    bin, 15), 0);
	assert_int_equal(pw_b64_decode("Hrui269O+Ad3Z0uQDO+M", 20,
	    bin, 16), -1);
}

/* A failed parse leaves nothing of the stored hash behind. */
static void
test_parse_failure_wipes(void **state)
{
	static const uint8_t	 zero[sizeof(struct pw_mcf)];
	struct pw_mcf		 m;
	char			 mcf[PW_MCF_MAX];

	(void)state;
	snprintf(mcf, sizeof(mcf), "%s", ref1k);
	mcf[121] = 'B';		/* noncanonical end of the hash */
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(pw_parse(mcf, &m), -1);
	assert_memory_equal(&m, zero, sizeof(m));
	assert_int_equal(pw_parse(ref1k, &m), 0);
	assert_int_equal(m.hash[0], 0x16);	/* "Fn1T" */
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_libscrypt_vector_verifies),
		cmocka_unit_test(test_libscrypt_hash_to_pw_check),
		cmocka_unit_test(test_pw_hash_to_libscrypt_check),
		cmocka_unit_test(test_pw_hash_format),
		cmocka_unit_test(test_pw_hash_roundtrip),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_empty_password),
		cmocka_unit_test(test_malformed_never_match),
		cmocka_unit_test(test_tampered_hash_mismatch),
		cmocka_unit_test(test_cost_caps_at_the_edge),
		cmocka_unit_test(test_rehash_detection),
		cmocka_unit_test(test_cost_parse),
		cmocka_unit_test(test_cost_ok),
		cmocka_unit_test(test_pw_hash_refuses_bad_cost),
		cmocka_unit_test(test_dummy),
		cmocka_unit_test(test_field_decoders),
		cmocka_unit_test(test_parse_failure_wipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
