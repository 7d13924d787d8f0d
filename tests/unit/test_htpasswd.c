/*
 * test_htpasswd.c - lib/htpasswd.c: the NAME:HASH lines of
 * import-htpasswd.  Skipped lines, CRLF, every reason a line is refused
 * (with its line number, in line order), names given twice, and the
 * entries pointing into the buffer.  The hashes are made by htpasswd
 * while the test runs.
 *
 * Includes htpasswd.c to reach its statics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/htpasswd.c"

static char	 bc[PW_MCF_MAX], md[PW_MCF_MAX];	/* bcrypt, apr1 */

/* The hash htpasswd makes with flag (-B, -m) into out. */
static void
htpasswd(const char *flag, char out[PW_MCF_MAX])
{
	char	 cmd[128], line[PW_MCF_MAX + 16];
	FILE	*f;

	snprintf(cmd, sizeof(cmd), "htpasswd -nb %s u senha", flag);
	assert_non_null(f = popen(cmd, "r"));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	assert_int_equal(pclose(f), 0);
	line[strcspn(line, "\r\n")] = '\0';
	assert_int_equal(strncmp(line, "u:$", 3), 0);
	assert_true(strlen(line + 2) < PW_MCF_MAX);
	memcpy(out, line + 2, strlen(line + 2) + 1);
}

static int
setup(void **state)
{

	(void)state;
	htpasswd("-B", bc);
	htpasswd("-m", md);
	return 0;
}

/* Parse text (copied into a buffer of its own, one byte more) into f;
 * the buffer is returned for the entries to point into. */
static char *
parse(const char *text, struct htp_file *f)
{
	size_t	 n = strlen(text);
	char	*buf;

	assert_non_null(buf = malloc(n + 1));
	memcpy(buf, text, n);
	buf[n] = 'X';		/* htp_parse may write here */
	assert_int_equal(htp_parse(buf, n, f), 0);
	return buf;
}

static void
test_good_file(void **state)
{
	struct htp_file	 f;
	char		 text[2048], *buf;

	(void)state;
	snprintf(text, sizeof(text),
	    "# made by htpasswd\n"
	    "\n"
	    "   \t\n"
	    "  # indented comment\n"
	    "alice:%s\n"
	    "bob:%s\r\n"
	    "carol-ç:%s",
	    bc, md, bc);
	buf = parse(text, &f);
	assert_int_equal(f.nrefused, 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.entries[0].line, 5);
	assert_string_equal(f.entries[0].name, "alice");
	assert_int_equal(f.entries[0].name_len, 5);
	assert_string_equal(f.entries[0].hash, bc);
	assert_int_equal(f.entries[1].line, 6);
	assert_string_equal(f.entries[1].name, "bob");
	assert_string_equal(f.entries[1].hash, md);	/* no \r */
	assert_int_equal(f.entries[2].line, 7);
	assert_string_equal(f.entries[2].name, "carol-ç");
	/* The last line has no newline: its end is the byte after it. */
	assert_string_equal(f.entries[2].hash, bc);
	assert_true(f.entries[0].name >= buf &&
	    f.entries[2].hash < buf + strlen(text) + 1);
	htp_free(&f);
	assert_null(f.entries);
	free(buf);

	buf = parse("", &f);
	assert_int_equal(f.n + f.nrefused, 0);
	htp_free(&f);
	free(buf);
}

/*
 * Each bad line is refused with its number and a reason, the good lines
 * around it are still judged (and accepted), and no reason quotes a value
 * that may be a password.
 */
static void
test_every_bad_line_named(void **state)
{
	static const char *const why[] = {
		"2: gil: not a hash of a supported format (a password in "
		    "plain text?)",
		"3: not NAME:HASH (no ':')",
		"4: invalid name: contains a space or other white space",
		"5: invalid name: empty",
		"6: hal: bcrypt: cost 31 is over the cap of 14",
		"7: ivy: unsupported hash format $1$",
		"8: joe: more than NAME:HASH (from /etc/shadow? keep the first "
		    "two fields)",
		"9: invalid name: longer than 64 bytes",
		"10: contains a NUL byte",
		"12: alice: also on line 1",
		"13: kim: sha512crypt: malformed salt",
		"14: invalid name: contains a control character",
		"15: invalid name: not in Unicode normalization form C",
	};
	struct htp_file	 f;
	char		 text[4096], b31[PW_MCF_MAX], got[HTP_WHY_MAX + 16];
	char		*buf;
	size_t		 i, n;

	(void)state;
	snprintf(b31, sizeof(b31), "%s", bc);
	memcpy(b31 + 4, "31", 2);
	n = (size_t)snprintf(text, sizeof(text),
	    "alice:%s\n"
	    "gil:correct-horse-battery\n"
	    "nocolon\n"
	    " lead:%s\n"
	    ":%s\n"
	    "hal:%s\n"
	    "ivy:$1$saltsalt$hashhashhashhashhash\n"
	    "joe:%s:19000:0:99999:7:::\n"
	    "%065d:%s\n"
	    "nul\1:%s\n"
	    "bob:%s\n"
	    "alice:%s\n"
	    "kim:$6$\n"
	    "t\tab:%s\n"
	    "jose\xcc\x81:%s\n",		/* e + combining acute */
	    bc, bc, bc, b31, bc, 0, bc, bc, md, md, bc, bc);
	text[strchr(text, '\1') - text] = '\0';	/* a NUL on line 10 */

	assert_non_null(buf = malloc(n + 1));
	memcpy(buf, text, n);
	assert_int_equal(htp_parse(buf, n, &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.entries[0].name, "alice");
	assert_int_equal(f.entries[0].line, 1);
	assert_string_equal(f.entries[1].name, "bob");
	assert_int_equal(f.entries[1].line, 11);
	assert_int_equal(f.nrefused, sizeof(why) / sizeof(why[0]));
	for (i = 0; i < f.nrefused; i++) {
		snprintf(got, sizeof(got), "%zu: %s", f.refused[i].line,
		    f.refused[i].why);
		assert_string_equal(got, why[i]);
		assert_null(strstr(f.refused[i].why, "correct-horse"));
	}
	htp_free(&f);
	free(buf);
}

/*
 * A name given three times, and in another case twice: the later lines
 * are refused, each naming the first; the first stays.  Case folding is
 * Unicode's ("ÉLIO" and "élio", "STRASSE" and "straße").
 */
static void
test_names_given_twice(void **state)
{
	struct htp_file	 f;
	char		 text[4096], *buf;

	(void)state;
	snprintf(text, sizeof(text), "zoe:%s\nann:%s\nzoe:%s\nzo:%s\n"
	    "Zoe:%s\nzoe:%s\nélio:%s\nÉLIO:%s\nstraße:%s\nSTRASSE:%s\n",
	    bc, md, md, bc, bc, bc, bc, bc, bc, bc);
	buf = parse(text, &f);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.entries[0].name, "zoe");
	assert_string_equal(f.entries[0].hash, bc);
	assert_string_equal(f.entries[1].name, "ann");
	assert_string_equal(f.entries[2].name, "zo");
	assert_string_equal(f.entries[3].name, "élio");
	assert_string_equal(f.entries[4].name, "straße");
	assert_int_equal(f.nrefused, 5);
	assert_int_equal(f.refused[0].line, 3);
	assert_string_equal(f.refused[0].why, "zoe: also on line 1");
	assert_int_equal(f.refused[1].line, 5);
	assert_string_equal(f.refused[1].why,
	    "Zoe: differs only in case from zoe on line 1");
	assert_int_equal(f.refused[2].line, 6);
	assert_string_equal(f.refused[2].why, "zoe: also on line 1");
	assert_string_equal(f.refused[3].why,
	    "ÉLIO: differs only in case from élio on line 7");
	assert_string_equal(f.refused[4].why,
	    "STRASSE: differs only in case from straße on line 9");
	htp_free(&f);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_every_bad_line_named),
		cmocka_unit_test(test_names_given_twice),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
