/*
 * test_cors.c - unit tests of lib/cors.c: the syntax of an origin as a
 * browser sends it, and which Origin values cors_origins allows (exact
 * entries, "*", unset).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../lib/cors.c"

/* Origins as browsers serialize them (RFC 6454 6.2, the Fetch standard). */
static const char *const good[] = {
	"http://127.0.0.1:3000",
	"http://localhost:5000",
	"https://app.example.com",
	"https://app.example.com:8443",
	"http://app.example.com:443",	/* 443 is not http's default */
	"https://app.example.com:80",
	"http://[::1]:8080",
	"http://[2001:db8::1]",
	"http://[::ffff:192.0.2.1]:3000",
	"https://xn--bcher-kva.example",
	"http://my_host.internal:1",
	"http://a:65535",
	"capacitor://localhost",
	"chrome-extension://abcdefghijklmnop",
	"git+ssh://host",
};

/* What a browser never sends as an origin. */
static const char *const bad[] = {
	"",
	"null",
	"*",
	"http://127.0.0.1:3000/",	/* trailing slash */
	"http://127.0.0.1:3000/app",
	"HTTP://127.0.0.1:3000",	/* upper case */
	"http://LOCALHOST:3000",
	"http://App.example.com",
	"http://[::A]:3000",
	"https://app.example.com:443",	/* the default port */
	"http://app.example.com:80",
	"http://app.example.com:",
	"http://app.example.com:0",
	"http://app.example.com:03000",
	"http://app.example.com:65536",
	"http://app.example.com:123456",
	"http://app.example.com:3000:1",
	"http://app.example.com:+80",
	"http://",
	"http://:3000",
	"http://.example.com",
	"http://app..example.com",
	"http://app.example.com.",
	"http://user@app.example.com",
	"http://user:pw@app.example.com",
	"http://app.example.com?x=1",
	"http://app.example.com#x",
	"http://app.example.com%2f",
	"http://app example.com",
	" http://app.example.com",
	"http://app.example.com ",
	"http://app.example.com\r\nX-Injected: 1",
	"http://app.example.com\t",
	"http://a.example, http://b.example",
	"http://[::1",
	"http://[::1]x",
	"http://[]",
	"http://[localhost]",
	"http://[1.2.3.4]",
	"http://[::1]]",
	"://app.example.com",
	"1http://app.example.com",
	"ht_tp://app.example.com",
	"http:/app.example.com",
	"http:app.example.com",
	"app.example.com",
	"//app.example.com",
	"file://",
	"http://caf\xc3\xa9.example",	/* a browser sends punycode */
};

static void
origins_browsers_send_pass(void **state)
{
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if ((why = cors_origin_check(good[i], strlen(good[i]))) !=
		    NULL)
			fail_msg("'%s' refused: %s", good[i], why);
}

static void
anything_else_fails(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cors_origin_check(bad[i], strlen(bad[i])) == NULL)
			fail_msg("'%s' accepted as an origin", bad[i]);
}

/* The length given is the origin: bytes after it do not count. */
static void
length_bounds_the_origin(void **state)
{
	static const char	 s[] = "http://localhost:3000/path";
	char			 big[CORS_ORIGIN_MAX + 64];
	int			 n;

	(void)state;
	assert_null(cors_origin_check(s, 21));
	assert_non_null(cors_origin_check(s, 22));
	/* A host of 253 bytes fits, 254 do not. */
	n = snprintf(big, sizeof(big), "http://%.*s", 253,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(n, 7 + 253);
	assert_null(cors_origin_check(big, (size_t)n));
	memmove(big + 8, big + 7, (size_t)n - 7 + 1);
	big[7] = 'b';
	assert_string_equal(cors_origin_check(big, (size_t)n + 1),
	    "host longer than 253 bytes");
	memset(big, 'a', sizeof(big));
	assert_string_equal(cors_origin_check(big, CORS_ORIGIN_MAX + 1),
	    "origin longer than 300 bytes");
}

/* A config with the given cors_origins entries (NULL-terminated). */
static void
cfg_with(struct cfg *c, int any, const char *const *list)
{
	size_t	 n;

	memset(c, 0, sizeof(*c));
	c->cors_any = any;
	for (n = 0; list != NULL && list[n] != NULL; n++)
		snprintf(c->cors_origins[n], sizeof(c->cors_origins[n]), "%s",
		    list[n]);
	c->cors_origins_len = n;
}

static void
allowed_only_byte_for_byte(void **state)
{
	static const char *const list[] = {
		"http://127.0.0.1:3000", "https://app.example.com", NULL
	};
	static const char *const others[] = {
		"http://127.0.0.1:3000/", "HTTP://127.0.0.1:3000",
		"http://127.0.0.1:300", "http://127.0.0.1:30000",
		"http://127.0.0.1", "https://127.0.0.1:3000",
		"http://127.0.0.1:3001", "http://localhost:3000",
		"https://App.example.com", "https://APP.EXAMPLE.COM",
		"https://app.example.com/", "https://app.example.com:443",
		"http://app.example.com", "https://app.example.co",
		"https://app.example.com.", "https://x.app.example.com",
		"https://app.example.com.evil.example", "null", "",
		"http://127.0.0.1:3000, https://app.example.com",
	};
	struct cfg	 c;
	char		 out[CORS_ORIGIN_MAX + 1];
	size_t		 i;

	(void)state;
	cfg_with(&c, 0, list);
	assert_true(cors_enabled(&c));
	for (i = 0; list[i] != NULL; i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(cors_allowed(&c, list[i], out), 1);
		assert_string_equal(out, list[i]);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (cors_allowed(&c, others[i], out) != 0)
			fail_msg("'%s' allowed", others[i]);
		assert_string_equal(out, "");
	}
	assert_int_equal(cors_allowed(&c, NULL, out), 0);
	assert_string_equal(out, "");
}

static void
star_allows_every_origin_and_nothing_else(void **state)
{
	struct cfg	 c;
	char		 out[CORS_ORIGIN_MAX + 1];
	size_t		 i;

	(void)state;
	cfg_with(&c, 1, NULL);
	assert_true(cors_enabled(&c));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(cors_allowed(&c, good[i], out), 1);
		assert_string_equal(out, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (cors_allowed(&c, bad[i], out) != 0)
			fail_msg("'%s' allowed by *", bad[i]);
		assert_string_equal(out, "");
	}
	assert_int_equal(cors_allowed(&c, NULL, out), 0);
}

static void
unset_allows_nothing(void **state)
{
	struct cfg	 c;
	char		 out[CORS_ORIGIN_MAX + 1];
	size_t		 i;

	(void)state;
	cfg_with(&c, 0, NULL);
	assert_false(cors_enabled(&c));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(cors_allowed(&c, good[i], out), 0);
		assert_string_equal(out, "");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(origins_browsers_send_pass),
		cmocka_unit_test(anything_else_fails),
		cmocka_unit_test(length_bounds_the_origin),
		cmocka_unit_test(allowed_only_byte_for_byte),
		cmocka_unit_test(star_allows_every_origin_and_nothing_else),
		cmocka_unit_test(unset_allows_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
