/*
 * test_token.c - lib/token.c: ids and tokens (length, alphabet,
 * uniqueness), splitting a token, SHA-256 hashes, constant-time equality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"
#define NSAMPLE	2000

/* 1 if s is exactly len characters of unpadded base64url. */
static int
is_b64url(const char *s, size_t len)
{

	return strlen(s) == len && strspn(s, B64URL) == len;
}

static int
cmp_str(const void *a, const void *b)
{

	return strcmp(a, b);
}

static void
test_sid_length_and_alphabet(void **state)
{
	char	 sid[TOK_SID_LEN + 1];

	(void)state;
	memset(sid, 'x', sizeof(sid));
	tok_sid_new(sid, "a0f9");
	assert_int_equal(sid[TOK_SID_LEN], '\0');
	assert_true(is_b64url(sid, TOK_SID_LEN));
	assert_true(tok_charset_ok(sid, TOK_SID_LEN));
	/* the random part, then the tag as given */
	assert_memory_equal(sid + TOK_SID_RAND_LEN, "a0f9", TOK_SID_TAG_LEN);
	assert_int_equal(TOK_SID_LEN, TOK_SID_RAND_LEN + TOK_SID_TAG_LEN);
}

/*
 * NSAMPLE ids are pairwise distinct, and together use every letter of the
 * alphabet (a constant, hex-only or padded encoding would not).
 */
static void
test_sid_unique_and_spread(void **state)
{
	char	(*sids)[TOK_SID_LEN + 1];
	size_t	 i, j;
	int	 seen[256];

	(void)state;
	sids = calloc(NSAMPLE, sizeof(*sids));
	assert_non_null(sids);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NSAMPLE; i++) {
		tok_sid_new(sids[i], "0000");
		assert_true(is_b64url(sids[i], TOK_SID_LEN));
		for (j = 0; j < TOK_SID_RAND_LEN; j++)
			seen[(unsigned char)sids[i][j]] = 1;
	}
	qsort(sids, NSAMPLE, sizeof(*sids), cmp_str);
	for (i = 1; i < NSAMPLE; i++)
		assert_string_not_equal(sids[i - 1], sids[i]);
	for (i = 0; B64URL[i] != '\0'; i++)
		if (!seen[(unsigned char)B64URL[i]])
			fail_msg("'%c' never appeared", B64URL[i]);
	free(sids);
}

/* A token is "<sid>.<43 base64url chars>" and splits back to sid. */
static void
test_new_token_shape(void **state)
{
	char	 sid[TOK_SID_LEN + 1], tok[TOK_LEN + 1], back[TOK_LEN + 1];

	(void)state;
	tok_sid_new(sid, "0000");
	memset(tok, 'x', sizeof(tok));
	assert_int_equal(tok_new(sid, TOK_SID_LEN, tok, sizeof(tok)), 0);
	assert_int_equal(strlen(tok), TOK_LEN);
	assert_memory_equal(tok, sid, TOK_SID_LEN);
	assert_int_equal(tok[TOK_SID_LEN], '.');
	assert_true(is_b64url(tok + TOK_SID_LEN + 1, TOK_SECRET_LEN));
	assert_true(tok_charset_ok(tok, TOK_LEN));
	assert_int_equal(tok_session(tok, TOK_LEN, back, sizeof(back)), 0);
	assert_string_equal(back, sid);
}

/* Tokens of one session differ in their secrets. */
static void
test_new_token_unique(void **state)
{
	char	(*toks)[TOK_LEN + 1];
	size_t	 i;

	(void)state;
	toks = calloc(NSAMPLE, sizeof(*toks));
	assert_non_null(toks);
	for (i = 0; i < NSAMPLE; i++)
		assert_int_equal(tok_new("s", 1, toks[i], sizeof(toks[i])), 0);
	qsort(toks, NSAMPLE, sizeof(*toks), cmp_str);
	for (i = 1; i < NSAMPLE; i++)
		assert_string_not_equal(toks[i - 1], toks[i]);
	free(toks);
}

/* tok_new_set: n tokens of one session from one draw, all distinct, each
 * well formed; a bad n or a NULL slot touches nothing. */
static void
test_new_token_set(void **state)
{
	char	 a[TOK_LEN + 1], b[TOK_LEN + 1], c[TOK_LEN + 1];
	char	 sid[TOK_SID_LEN + 1], named[TOK_LEN + 1];
	char *const out[] = { a, b, c };
	char *const holed[] = { a, NULL, c };
	char *const *p;
	size_t	 i;

	(void)state;
	tok_sid_new(sid, "0000");
	assert_int_equal(tok_new_set(sid, TOK_SID_LEN, out, 3, sizeof(a)), 0);
	for (i = 0; i < 3; i++) {
		p = &out[i];
		assert_int_equal(strlen(*p), TOK_LEN);
		assert_true(tok_charset_ok(*p, TOK_LEN));
		assert_int_equal(tok_session(*p, TOK_LEN, named,
		    sizeof(named)), 0);
		assert_string_equal(named, sid);
	}
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a, c);
	memset(a, 'x', sizeof(a));
	assert_int_equal(tok_new_set(sid, TOK_SID_LEN, out, 0, sizeof(a)), -1);
	assert_int_equal(tok_new_set(sid, TOK_SID_LEN, out, TOK_SET_MAX + 1,
	    sizeof(a)), -1);
	assert_int_equal(tok_new_set(sid, TOK_SID_LEN, holed, 3, sizeof(a)),
	    -1);
	assert_int_equal(tok_new_set(sid, TOK_SID_LEN, out, 3,
	    TOK_LEN), -1);
	assert_int_equal(a[0], 'x');
}

/* tok_new needs sidlen + 1 + TOK_SECRET_LEN + 1 bytes, no more. */
static void
test_new_token_buffer_size(void **state)
{
	char	 tok[16 + 1 + TOK_SECRET_LEN + 1 + 8];

	(void)state;
	memset(tok, 'x', sizeof(tok));
	assert_int_equal(tok_new("abcdefghijklmnop", 16, tok,
	    16 + 1 + TOK_SECRET_LEN), -1);
	assert_int_equal(tok[0], 'x');
	assert_int_equal(tok_new("abcdefghijklmnop", 16, tok,
	    16 + 1 + TOK_SECRET_LEN + 1), 0);
	assert_int_equal(strlen(tok), 16 + 1 + TOK_SECRET_LEN);
	assert_int_equal(tok[16 + 1 + TOK_SECRET_LEN + 1], 'x');
}

/*
 * The longest sid accepted is the one whose token is LIM_TOKEN_MAX bytes: the
 * service refuses longer tokens, so minting one would be useless.  Empty
 * sids and sids outside the URL-safe set are refused too.
 */
static void
test_new_token_bad_sid(void **state)
{
	char	 sid[LIM_TOKEN_MAX + 2], tok[LIM_TOKEN_MAX * 2];
	size_t	 maxsid = LIM_TOKEN_MAX - 1 - TOK_SECRET_LEN;

	(void)state;
	memset(sid, 'a', sizeof(sid));
	assert_int_equal(tok_new(sid, maxsid, tok, sizeof(tok)), 0);
	assert_int_equal(strlen(tok), LIM_TOKEN_MAX);
	assert_true(tok_charset_ok(tok, LIM_TOKEN_MAX));
	assert_int_equal(tok_new(sid, maxsid + 1, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new(sid, LIM_TOKEN_MAX, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new(sid, LIM_TOKEN_MAX + 1, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new("", 0, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new("a b", 3, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new("a\nb", 3, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new("a\0b", 3, tok, sizeof(tok)), -1);
	assert_int_equal(tok_new(NULL, 0, tok, sizeof(tok)), -1);
}

static void
test_session_split(void **state)
{
	char	 sid[LIM_TOKEN_MAX + 1];

	(void)state;
	assert_int_equal(tok_session("abc.def", 7, sid, sizeof(sid)), 0);
	assert_string_equal(sid, "abc");
	assert_int_equal(tok_session("a.b", 3, sid, sizeof(sid)), 0);
	assert_string_equal(sid, "a");
	/* The last '.' splits: a sid may hold one, a secret never does. */
	assert_int_equal(tok_session("a.b.c", 5, sid, sizeof(sid)), 0);
	assert_string_equal(sid, "a.b");
	assert_int_equal(tok_session("~_-.x", 5, sid, sizeof(sid)), 0);
	assert_string_equal(sid, "~_-");
	/* len counts, not the NUL. */
	assert_int_equal(tok_session("abc.defXYZ", 7, sid, sizeof(sid)), 0);
	assert_string_equal(sid, "abc");
	/* sidsz of len is enough. */
	assert_int_equal(tok_session("abc.def", 7, sid, 7), 0);
	assert_string_equal(sid, "abc");
}

static void
test_session_refuses(void **state)
{
	static const struct {
		const char	*t;
		size_t		 len;
	} bad[] = {
		{ "abcdef", 6 },	/* no dot */
		{ "", 0 },		/* empty */
		{ ".", 1 },		/* both parts empty */
		{ ".abc", 4 },		/* empty sid */
		{ "abc.", 4 },		/* empty secret */
		{ "a.b.", 4 },		/* empty secret after last dot */
		{ "ab c.def", 8 },	/* space */
		{ "abc.d/ef", 8 },	/* '/' */
		{ "abc.d+ef", 8 },	/* '+' */
		{ "abc.de=", 7 },	/* '=' */
		{ "abc.de\nf", 8 },	/* newline */
		{ "abc.de\0f", 8 },	/* NUL inside */
		{ "ab\xc3\xa9.def", 9 },	/* UTF-8 */
		{ "abc.def\x7f", 8 },	/* DEL */
	};
	char	 sid[LIM_TOKEN_MAX + 1], long_tok[LIM_TOKEN_MAX + 2];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(sid, "untouched");
		if (tok_session(bad[i].t, bad[i].len, sid, sizeof(sid)) != -1)
			fail_msg("accepted bad[%zu]", i);
		assert_string_equal(sid, "untouched");
	}

	/* Too long: LIM_TOKEN_MAX is accepted, LIM_TOKEN_MAX + 1 is not. */
	memset(long_tok, 'a', sizeof(long_tok));
	long_tok[10] = '.';
	assert_int_equal(tok_session(long_tok, LIM_TOKEN_MAX, sid, sizeof(sid)), 0);
	assert_int_equal(strlen(sid), 10);
	assert_int_equal(tok_session(long_tok, LIM_TOKEN_MAX + 1, sid,
	    sizeof(sid)), -1);

	/* sid buffer too small for the sid part and its NUL. */
	assert_int_equal(tok_session("abc.def", 7, sid, 3), -1);
	assert_int_equal(tok_session("abc.def", 7, sid, 4), 0);
	assert_int_equal(tok_session("abc.def", 7, NULL, 8), -1);
	assert_int_equal(tok_session(NULL, 7, sid, 8), -1);
}

/* Exactly the 66 characters A-Z a-z 0-9 - _ . ~ pass. */
static void
test_charset(void **state)
{
	char	 c, s[LIM_TOKEN_MAX + 1];
	int	 i, n = 0;

	(void)state;
	for (i = 0; i < 256; i++) {
		c = (char)i;
		if (tok_charset_ok(&c, 1)) {
			n++;
			if (strchr(B64URL ".~", i) == NULL || i == 0)
				fail_msg("accepted byte 0x%02x", i);
		}
	}
	assert_int_equal(n, 66);
	memset(s, 'Z', sizeof(s));
	assert_true(tok_charset_ok(s, LIM_TOKEN_MAX));
	assert_false(tok_charset_ok(s, LIM_TOKEN_MAX + 1));
	assert_false(tok_charset_ok(s, 0));
	assert_false(tok_charset_ok(NULL, 1));
}

/* SHA-256 test vectors (FIPS 180-2), as lowercase hex. */
static void
test_hash_vectors(void **state)
{
	char	 h[TOK_HASH_LEN + 1];

	(void)state;
	memset(h, 'x', sizeof(h));
	tok_hash("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	tok_hash("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	tok_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	/* Only len bytes are hashed. */
	tok_hash("abcdef", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

/* The hash of a minted token is 64 lowercase hex digits, one per token. */
static void
test_hash_of_token(void **state)
{
	char	 t1[TOK_LEN + 1], t2[TOK_LEN + 1];
	char	 h1[TOK_HASH_LEN + 1], h2[TOK_HASH_LEN + 1];

	(void)state;
	assert_int_equal(tok_new("sid", 3, t1, sizeof(t1)), 0);
	assert_int_equal(tok_new("sid", 3, t2, sizeof(t2)), 0);
	tok_hash(t1, strlen(t1), h1);
	tok_hash(t2, strlen(t2), h2);
	assert_int_equal(strlen(h1), TOK_HASH_LEN);
	assert_int_equal(strspn(h1, "0123456789abcdef"), TOK_HASH_LEN);
	assert_string_not_equal(h1, h2);
}

static void
test_hash_eq(void **state)
{
	char	 a[TOK_HASH_LEN + 1], b[TOK_HASH_LEN + 1];

	(void)state;
	tok_hash("token", 5, a);
	memcpy(b, a, sizeof(b));
	assert_int_equal(tok_hash_eq(a, b), 1);
	b[0] = b[0] == '0' ? '1' : '0';
	assert_int_equal(tok_hash_eq(a, b), 0);
	memcpy(b, a, sizeof(b));
	b[TOK_HASH_LEN - 1] = b[TOK_HASH_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(tok_hash_eq(a, b), 0);
	/* Only the TOK_HASH_LEN characters count. */
	memcpy(b, a, sizeof(b));
	b[TOK_HASH_LEN] = 'x';
	assert_int_equal(tok_hash_eq(a, b), 1);
}

static void
test_wipe(void **state)
{
	static const char	 zero[32];
	char			 buf[40];

	(void)state;
	memset(buf, 'k', sizeof(buf));
	tok_wipe(buf, 32);
	assert_memory_equal(buf, zero, 32);
	assert_int_equal(buf[32], 'k');
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_sid_length_and_alphabet),
		cmocka_unit_test(test_sid_unique_and_spread),
		cmocka_unit_test(test_new_token_shape),
		cmocka_unit_test(test_new_token_unique),
		cmocka_unit_test(test_new_token_set),
		cmocka_unit_test(test_new_token_buffer_size),
		cmocka_unit_test(test_new_token_bad_sid),
		cmocka_unit_test(test_session_split),
		cmocka_unit_test(test_session_refuses),
		cmocka_unit_test(test_charset),
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_hash_of_token),
		cmocka_unit_test(test_hash_eq),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
