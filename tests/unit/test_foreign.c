/*
 * test_foreign.c - lib/foreign.c and the foreign rows of passwd.c's
 * table: every format checked through pw_check with hashes that the real
 * tools make while the test runs (Debian apache2-utils htpasswd -B/-m/-s,
 * whois's mkpasswd -m sha-512/yescrypt/bcrypt/bcrypt-a, the argon2 tool);
 * strict shapes, cost caps that refuse before any work, and yescrypt's
 * integer encoding.
 *
 * Includes foreign.c to reach its statics (the Makefile then leaves
 * foreign.o out of the link).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../lib/foreign.c"

#define PW	"senha-antiga"
#define PWLEN	(sizeof(PW) - 1)

static const struct pw_cost	 want = { 1024, 8, 1 };

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The first line the shell command cmd prints, without its newline and,
 * when strip, without everything up to its first ':' (htpasswd -n prints
 * "user:hash"), into out.  Fails the test when the tool prints nothing
 * or fails.
 */
static void
tool(char out[PW_MCF_MAX], int strip, const char *cmd)
{
	char	 line[PW_MCF_MAX + 64];
	FILE	*f;
	char	*p;
	int	 st;

	out[0] = '\0';
	if ((f = popen(cmd, "r")) == NULL)
		fail_msg("popen: %s", cmd);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	st = pclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	p = line;
	if (strip && (p = strchr(line, ':')) != NULL)
		p++;
	if (st != 0 || p == NULL || *p == '\0' || strlen(p) >= PW_MCF_MAX)
		fail_msg("the tool made no hash (exit %d): %s", st, cmd);
	snprintf(out, PW_MCF_MAX, "%s", p);
}

/* One tool and the format it makes. */
static const struct fixture {
	const char	*name;		/* pw_format() */
	const char	*prefix;
	int		 strip;
	const char	*cmd;
} fixtures[] = {
	{ "bcrypt", "$2y$05$", 1, "htpasswd -nbB u '" PW "'" },
	{ "bcrypt", "$2y$10$", 1, "htpasswd -nbB -C 10 u '" PW "'" },
	{ "bcrypt", "$2b$05$", 0, "mkpasswd -m bcrypt -R 5 '" PW "'" },
	{ "bcrypt", "$2a$05$", 0, "mkpasswd -m bcrypt-a -R 5 '" PW "'" },
	{ "apr1", "$apr1$", 1, "htpasswd -nbm u '" PW "'" },
	{ "SHA-1", "{SHA}", 1, "htpasswd -nbs u '" PW "'" },
	{ "sha512crypt", "$6$", 0, "mkpasswd -m sha-512 '" PW "'" },
	{ "sha512crypt", "$6$rounds=20000$", 0,
	    "mkpasswd -m sha-512 -R 20000 '" PW "'" },
	{ "yescrypt", "$y$j9T$", 0, "mkpasswd -m yescrypt '" PW "'" },
	{ "yescrypt", "$y$j7T$", 0, "mkpasswd -m yescrypt -R 3 '" PW "'" },
	{ "argon2id", "$argon2id$v=19$m=4096,t=3,p=1$", 0,
	    "printf %s '" PW "' | argon2 saltsaltsalt -id -e" },
	{ "argon2id", "$argon2id$v=19$m=65536,t=3,p=4$", 0,
	    "printf %s '" PW "' | argon2 outrosalzinho -id -t 3 -k 65536 "
	    "-p 4 -e" },
	{ "argon2id", "$argon2id$v=19$m=8192,t=2,p=1$", 0,
	    "printf %s '" PW "' | argon2 saltsaltsalt -id -t 2 -k 8192 "
	    "-l 48 -e" },
};
#define NFIXTURES	(sizeof(fixtures) / sizeof(fixtures[0]))

/*
 * Each tool's hash: the right password matches (PW_MATCH_REHASH when a
 * configured cost is given: a foreign hash is always replaced), and the
 * wrong one, a prefix, an extension, a NUL inside and the empty password
 * do not.  Its format is recognised and it may be stored.
 */
static void
test_tool_hashes_check(void **state)
{
	char	 h[PW_MCF_MAX], why[PW_WHY_MAX];
	size_t	 i;

	(void)state;
	for (i = 0; i < NFIXTURES; i++) {
		tool(h, fixtures[i].strip, fixtures[i].cmd);
		if (strncmp(h, fixtures[i].prefix,
		    strlen(fixtures[i].prefix)) != 0)
			fail_msg("%s made %s", fixtures[i].cmd, h);
		assert_string_equal(pw_format(h), fixtures[i].name);
		if (pw_stored_ok(h, why) != 0)
			fail_msg("refused %s: %s", h, why);
		if (pw_check(h, PW, PWLEN, NULL) != PW_MATCH ||
		    pw_check(h, PW, PWLEN, &want) != PW_MATCH_REHASH)
			fail_msg("right password refused: %s", h);
		if (pw_check(h, "senha-antigA", PWLEN, &want) != PW_MISMATCH ||
		    pw_check(h, PW, PWLEN - 1, &want) != PW_MISMATCH ||
		    pw_check(h, PW "x", PWLEN + 1, &want) != PW_MISMATCH ||
		    pw_check(h, PW "\0x", PWLEN + 2, &want) != PW_MISMATCH ||
		    pw_check(h, "", 0, &want) != PW_MISMATCH ||
		    pw_check(h, NULL, 0, &want) != PW_MISMATCH)
			fail_msg("wrong password accepted: %s", h);
		assert_int_equal(pw_check(h, NULL, 3, NULL), PW_ERROR);
	}
}

/*
 * libxcrypt takes passwords shorter than CRYPT_MAX_PASSPHRASE_SIZE (512
 * bytes): the longest checks, one byte more is a mismatch (crypt_rn
 * refuses it), as is anything over the API's 1024 bytes for every format.
 */
static void
test_long_password(void **state)
{
	char	 pw[1026], cmd[1200], h[PW_MCF_MAX];

	(void)state;
	memset(pw, 'p', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	snprintf(cmd, sizeof(cmd), "mkpasswd -m sha-512 '%.511s'", pw);
	tool(h, 0, cmd);
	assert_int_equal(pw_check(h, pw, 511, NULL), PW_MATCH);
	assert_int_equal(pw_check(h, pw, 510, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(h, pw, 512, NULL), PW_MISMATCH);
	/* apr-util has no such limit (htpasswd stops at 256 bytes: the
	 * {SHA} of 1024 is made with openssl). */
	snprintf(cmd, sizeof(cmd), "printf '{SHA}%%s\\n' \"$(printf %%s "
	    "'%.1024s' | openssl dgst -sha1 -binary | base64)\"", pw);
	tool(h, 0, cmd);
	assert_int_equal(pw_check(h, pw, 1024, NULL), PW_MATCH);
	assert_int_equal(pw_check(h, pw, 1025, NULL), PW_MISMATCH);
}

/* printf into out (PW_MCF_MAX bytes); the test fails when it does not
 * fit. */
static void __attribute__((format(printf, 2, 3)))
put(char out[PW_MCF_MAX], const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(out, PW_MCF_MAX, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && n < PW_MCF_MAX);
}

/* h with the len bytes at off replaced by s (the result into out). */
static void
patch(char out[PW_MCF_MAX], const char *h, size_t off, const char *s)
{

	put(out, "%s", h);
	assert_true(off + strlen(s) <= strlen(out));
	memcpy(out + off, s, strlen(s));
}

/*
 * Costs over the caps are refused with a reason and never computed: a
 * bcrypt cost 31 (2^31 rounds, hours of one core), sha512crypt
 * rounds=999999999, a yescrypt of 1 GiB or t=5, an argon2id of 4 GiB or
 * too many passes.  Each check returns at once.  A cost at the cap is
 * accepted (not computed here).
 */
static void
test_over_cap_refused_before_work(void **state)
{
	char	 b[PW_MCF_MAX], s[PW_MCF_MAX], y[PW_MCF_MAX];
	char	 h[PW_MCF_MAX], why[PW_WHY_MAX];
	double	 t0;
	size_t	 i;
	struct {
		const char	*hash;
		const char	*reason;
	} over[6];

	(void)state;
	tool(b, 1, "htpasswd -nbB u '" PW "'");
	tool(s, 0, "mkpasswd -m sha-512 -S saltsaltsalt12 '" PW "'");
	tool(y, 0, "mkpasswd -m yescrypt '" PW "'");

	patch(h, b, 4, "31");
	assert_int_equal(pw_stored_ok(h, why), -1);
	assert_string_equal(why, "bcrypt: cost 31 is over the cap of 14");
	t0 = now_ms();
	assert_int_equal(pw_check(h, PW, PWLEN, &want), PW_MISMATCH);
	assert_true(now_ms() - t0 < 50);
	patch(h, b, 4, "15");
	assert_int_equal(pw_stored_ok(h, why), -1);
	patch(h, b, 4, "14");
	assert_int_equal(pw_stored_ok(h, why), 0);
	patch(h, b, 4, "03");
	assert_int_equal(pw_stored_ok(h, why), -1);

	/* "$6$salt$hash" with a rounds= field put in. */
	assert_non_null(strchr(s + 3, '$'));
	put(h, "$6$rounds=999999999$%s", s + 3);
	over[0].hash = strdup(h);
	over[0].reason = "sha512crypt: rounds=999999999 is over the cap of "
	    "2500000";
	put(h, "$6$rounds=2500000$%s", s + 3);
	assert_int_equal(pw_stored_ok(h, why), 0);
	put(h, "$6$rounds=999$%s", s + 3);
	assert_int_equal(pw_stored_ok(h, why), -1);

	/* yescrypt j9T = 16 MiB; jFT = N 2^18, r 32: 1 GiB. */
	patch(h, y, 4, "F");
	over[1].hash = strdup(h);
	over[1].reason = "yescrypt: memory 128 * N * r is over the cap of "
	    "256 MiB";
	patch(h, y, 4, "D");				/* 256 MiB */
	assert_int_equal(pw_stored_ok(h, why), 0);
	/* "$y$j9T" + have=2 ('/': t follows) + t=5 ('2') */
	put(h, "$y$j9T/2%s", y + 6);
	over[2].hash = strdup(h);
	over[2].reason = "yescrypt: t=5 is over the cap of 4";
	put(h, "$y$j9T/1%s", y + 6);	/* t=4 */
	assert_int_equal(pw_stored_ok(h, why), 0);

	over[3].hash = "$argon2id$v=19$m=4194304,t=1,p=4$c2FsdHNhbHRzYWx0"
	    "$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE";
	over[3].reason = "argon2id: m=4194304,t=1,p=4 is over the caps (m at "
	    "most 262144, m * t at most 524288, p at most 16)";
	over[4].hash = "$argon2id$v=19$m=65536,t=4294967295,p=1$"
	    "c2FsdHNhbHRzYWx0$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE";
	over[4].reason = "argon2id: m=65536,t=4294967295,p=1 is over the caps "
	    "(m at most 262144, m * t at most 524288, p at most 16)";
	over[5].hash = "$argon2id$v=19$m=262144,t=3,p=1$c2FsdHNhbHRzYWx0"
	    "$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE";
	over[5].reason = "argon2id: m=262144,t=3,p=1 is over the caps (m at "
	    "most 262144, m * t at most 524288, p at most 16)";

	for (i = 0; i < 6; i++) {
		if (pw_stored_ok(over[i].hash, why) != -1)
			fail_msg("accepted %s", over[i].hash);
		assert_string_equal(why, over[i].reason);
		t0 = now_ms();
		assert_int_equal(pw_check(over[i].hash, PW, PWLEN, &want),
		    PW_MISMATCH);
		if (now_ms() - t0 > 50)
			fail_msg("computed %s", over[i].hash);
	}
	assert_int_equal(pw_stored_ok("$argon2id$v=19$m=262144,t=2,p=16$"
	    "c2FsdHNhbHRzYWx0$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
	    why), 0);
	for (i = 0; i < 3; i++)
		free((void *)over[i].hash);
}

enum mut { SET, CUT, ADD, INS };

/* A malformed variant of the hash a fixture makes. */
static const struct malformed {
	size_t		 fixture;	/* index into fixtures[] */
	const char	*what;
	enum mut	 how;
	int		 off;		/* from the end when negative */
	const char	*s;
} malformed[] = {
	{ 0, "bcrypt cut by 1", CUT, -1, NULL },
	{ 0, "bcrypt one more", ADD, 0, "A" },
	{ 0, "bcrypt trailing newline", ADD, 0, "\n" },
	{ 0, "bcrypt bad char in hash", SET, -3, "!" },
	{ 0, "bcrypt bad char in salt", SET, 9, "-" },
	{ 0, "bcrypt no $ after cost", SET, 6, "." },
	{ 0, "bcrypt cost one digit", SET, 4, "x" },
	{ 0, "bcrypt $2x$", SET, 2, "x" },
	{ 4, "apr1 cut by 1", CUT, -1, NULL },
	{ 4, "apr1 one more", ADD, 0, "A" },
	{ 4, "apr1 salt of 9", INS, 6, "A" },
	{ 4, "apr1 no salt", CUT, 6, NULL },
	{ 5, "SHA cut by 1", CUT, -1, NULL },
	{ 5, "SHA padding gone", SET, -1, "A" },
	{ 5, "SHA one more", ADD, 0, "=" },
	{ 5, "SHA bad char", SET, 7, "." },
	{ 6, "sha512crypt cut by 1", CUT, -1, NULL },
	{ 6, "sha512crypt one more", ADD, 0, "a" },
	{ 6, "sha512crypt salt of 17", INS, 3, "s" },
	{ 6, "sha512crypt no salt", CUT, 3, NULL },
	{ 6, "sha512crypt bad char", SET, -5, "*" },
	{ 7, "sha512crypt rounds leading zero", INS, 10, "0" },
	{ 7, "sha512crypt rounds sign", SET, 10, "+" },
	{ 8, "yescrypt cut by 1", CUT, -1, NULL },
	{ 8, "yescrypt one more", ADD, 0, "a" },
	{ 8, "yescrypt bad param char", SET, 4, "!" },
	{ 8, "yescrypt no params", CUT, 3, NULL },
	{ 8, "yescrypt bad salt char", SET, 10, "=" },
	{ 10, "argon2id cut by 1", CUT, -1, NULL },
	{ 10, "argon2id trailing $", ADD, 0, "$" },
	{ 10, "argon2id trailing newline", ADD, 0, "\n" },
	{ 10, "argon2id v=16", SET, 13, "6" },
	{ 10, "argon2id m leading zero", INS, 17, "0" },
	{ 10, "argon2id t=0", SET, 24, "0" },
	{ 10, "argon2id padding", ADD, 0, "=" },
	{ 10, "argon2id space", INS, 0, " " },
};

/* Build variant m of hash h into out. */
static void
mutate(const struct malformed *m, const char *h, char out[PW_MCF_MAX])
{
	size_t	 n = strlen(h), off;

	put(out, "%s", h);
	off = m->off < 0 ? n - (size_t)-m->off : (size_t)m->off;
	switch (m->how) {
	case SET:
		memcpy(out + off, m->s, strlen(m->s));
		break;
	case CUT:
		out[off] = '\0';
		break;
	case ADD:
		snprintf(out + n, PW_MCF_MAX - n, "%s", m->s);
		break;
	case INS:
		memmove(out + off + strlen(m->s), out + off, n - off + 1);
		memcpy(out + off, m->s, strlen(m->s));
		break;
	}
}

/*
 * Every malformed variant of a tool's hash of PW is refused for storing
 * and is PW_MISMATCH with the right password.  Several keep the right
 * salt and hash (one character more, padding, a salt the library would
 * truncate), so a lenient check would answer PW_MATCH.
 */
static void
test_malformed_never_match(void **state)
{
	char	 h[NFIXTURES][PW_MCF_MAX], m[PW_MCF_MAX], why[PW_WHY_MAX];
	size_t	 i;

	(void)state;
	for (i = 0; i < NFIXTURES; i++)
		h[i][0] = '\0';
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		if (h[malformed[i].fixture][0] == '\0')
			tool(h[malformed[i].fixture],
			    fixtures[malformed[i].fixture].strip,
			    fixtures[malformed[i].fixture].cmd);
		mutate(&malformed[i], h[malformed[i].fixture], m);
		if (pw_stored_ok(m, why) != -1)
			fail_msg("stored: %s: %s", malformed[i].what, m);
		if (pw_check(m, PW, PWLEN, &want) != PW_MISMATCH ||
		    pw_check(m, PW, PWLEN, NULL) != PW_MISMATCH)
			fail_msg("matched: %s: %s", malformed[i].what, m);
	}
}

/*
 * Formats not in the table, and values that are no hash at all, are
 * refused; a value that may be a password in the clear is not quoted in
 * the reason, an unsupported $id$ is named.
 */
static void
test_unknown_formats_refused(void **state)
{
	static const struct {
		const char	*hash;
		const char	*reason;
	} unknown[] = {
		{ "", "empty hash" },
		{ "correct horse battery staple", "not a hash of a supported "
		    "format (a password in plain text?)" },
		{ "$1$saltsalt$hash", "unsupported hash format $1$" },
		{ "$5$saltsalt$hash", "unsupported hash format $5$" },
		{ "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA",
		    "unsupported hash format $argon2i$" },
		{ "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9Y"
		    "DtcDdKvEqHJLV8D", "unsupported hash format $7$" },
		{ "{SSHA}abc", "not a hash of a supported format (a password "
		    "in plain text?)" },
		{ "$apr1", "not a hash of a supported format (a password in "
		    "plain text?)" },
	};
	char	 why[PW_WHY_MAX], long_[PW_MCF_MAX + 10], h[PW_MCF_MAX];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(pw_stored_ok(unknown[i].hash, why), -1);
		assert_string_equal(why, unknown[i].reason);
		assert_null(pw_format(unknown[i].hash));
		assert_int_equal(pw_check(unknown[i].hash, unknown[i].hash,
		    strlen(unknown[i].hash), NULL), PW_MISMATCH);
	}
	memset(long_, 'a', sizeof(long_) - 1);
	long_[sizeof(long_) - 1] = '\0';
	memcpy(long_, "$6$", 3);
	assert_int_equal(pw_stored_ok(long_, why), -1);
	assert_string_equal(why, "longer than 255 characters");
	/* libsodium's string functions take 127 characters: a 64-byte
	 * argon2id output is longer. */
	tool(h, 0, "printf %s '" PW "' | argon2 saltsaltsalt -id -l 64 -e");
	assert_int_equal(pw_stored_ok(h, why), -1);
	assert_string_equal(why, "argon2id: longer than 127 characters");
	assert_int_equal(pw_check(h, PW, PWLEN, NULL), PW_MISMATCH);
	assert_int_equal(pw_check(long_, PW, PWLEN, NULL), PW_MISMATCH);
}

/* yescrypt's integers: one character below 48, longer ones above, as
 * libxcrypt encodes them (mkpasswd's "j9T" is flavour 47, log2 N 12, r 32). */
static void
test_yes_uint32(void **state)
{
	struct yes_params	 y;
	const char		*e;
	uint32_t		 v;

	(void)state;
	assert_non_null(yes_uint32("j", 0, &v));
	assert_int_equal(v, 47);
	assert_non_null(yes_uint32("9", 1, &v));
	assert_int_equal(v, 12);
	assert_non_null(yes_uint32("T", 1, &v));
	assert_int_equal(v, 32);
	/* 'k' (48) starts a two-character value: 48 + the next char. */
	e = yes_uint32("k.", 0, &v);
	assert_non_null(e);
	assert_int_equal(v, 48);
	assert_int_equal(*e, '\0');
	assert_non_null(yes_uint32("kz", 0, &v));
	assert_int_equal(v, 48 + 63);
	assert_null(yes_uint32("k", 0, &v));
	assert_null(yes_uint32("!", 0, &v));
	assert_null(yes_uint32("", 0, &v));
	/* 'z' starts a six-character value: five more must follow. */
	assert_null(yes_uint32("zzzzz", 0, &v));
	assert_non_null(yes_uint32("zzzzzz", 0, &v));

	e = yes_params("j9T$", &y);
	assert_non_null(e);
	assert_int_equal(*e, '$');
	assert_int_equal(y.flavor, 47);
	assert_int_equal(y.nlog2, 12);
	assert_int_equal(y.r, 32);
	assert_int_equal(y.p, 1);
	assert_int_equal(y.t, 0);
	/* have = 3 ('0'): p = 16 ('C', min 2) and t = 4 ('1', min 1). */
	assert_non_null(yes_params("j9T0C1$", &y));
	assert_int_equal(y.p, 16);
	assert_int_equal(y.t, 4);
	assert_null(yes_params("j9T0C$", &y));
	assert_null(yes_params("j9", &y));
}

/* The libraries' own refusals are mismatches: crypt_rn refuses a setting
 * it cannot use, apr-util writes what it writes. */
static void
test_library_refusal(void **state)
{
	char	 out[PW_MCF_MAX];

	(void)state;
	assert_int_equal(foreign_crypt(PW, "$2y$05$!!", out), -1);
	assert_string_equal(out, "");
	assert_int_equal(foreign_crypt(PW, "*0", out), -1);
	assert_int_equal(foreign_sha1(PW, PWLEN, out), 0);
	assert_int_equal(strlen(out), 33);
	assert_int_equal(foreign_apr1(PW, "$apr1$abcdefgh$", out), 0);
	assert_int_equal(strncmp(out, "$apr1$abcdefgh$", 15), 0);
	assert_int_equal(strlen(out), 37);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tool_hashes_check),
		cmocka_unit_test(test_long_password),
		cmocka_unit_test(test_over_cap_refused_before_work),
		cmocka_unit_test(test_malformed_never_match),
		cmocka_unit_test(test_unknown_formats_refused),
		cmocka_unit_test(test_yes_uint32),
		cmocka_unit_test(test_library_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
