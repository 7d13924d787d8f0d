/*
 * autenticacao-admin - manage the users, sessions and bans that
 * autenticacao keeps in Redis.
 *
 *   autenticacao-admin [-c CONF] COMMAND [ARG]
 *
 * Every command is one row of the command table: its name, how many
 * arguments it takes, what kind of argument that is, its handler and its
 * usage line.  Arguments are checked against the API's own limits before
 * the config is read or Redis is touched, so a name the API would refuse
 * never reaches the store.
 *
 * Exit status: 0 done, 1 failed (reason on stderr), 2 usage error (usage
 * on stderr).  Results meant for people or scripts go to stdout.
 *
 * Secrets: a new password lives only in fixed buffers on the stack of
 * pass_new and pass_read, its hash in the caller's buffer, all wiped
 * before they return; it is read with read(2), never through stdio.  A prompt
 * on a terminal turns echo off and restores it on every path, including
 * the signals that can interrupt it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "log.h"
#include "passwd.h"
#include "prompt.h"
#include "regulation.h"
#include "store.h"
#include "text.h"
#include "token.h"

#define PROGNAME	"autenticacao-admin"

enum exitcode {
	EXIT_DONE = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2
};

/* What the one argument of a command must look like. */
enum argkind {
	ARG_NONE,	/* no argument */
	ARG_NAME,	/* the name of a user */
	ARG_NEWNAME,	/* the name of a new user (text_check TEXT_F_NAME) */
	ARG_SID,	/* a session id */
	ARG_SUBJECT	/* a user name or a client address */
};

/* State shared by every command. */
struct admin {
	const char	*cmd;	/* command name, for messages */
	struct cfg	 cfg;
	struct store	*st;	/* NULL until the config is loaded */
};

struct cmd {
	const char	*name;
	int		 argc;
	enum argkind	 arg;
	int		(*fn)(struct admin *, char *[]);
	const char	*usage;
	const char	*help;
};

static int	cmd_useradd(struct admin *, char *[]);
static int	cmd_passwd(struct admin *, char *[]);
static int	cmd_userdel(struct admin *, char *[]);
static int	cmd_disable(struct admin *, char *[]);
static int	cmd_enable(struct admin *, char *[]);
static int	cmd_list(struct admin *, char *[]);
static int	cmd_sessions(struct admin *, char *[]);
static int	cmd_revoke(struct admin *, char *[]);
static int	cmd_revoke_user(struct admin *, char *[]);
static int	cmd_unban(struct admin *, char *[]);

static const struct cmd cmds[] = {
	{ "useradd", 1, ARG_NEWNAME, cmd_useradd, "useradd NAME",
	    "add a user (password: first line of stdin, or prompted)" },
	{ "passwd", 1, ARG_NAME, cmd_passwd, "passwd NAME",
	    "set a new password and revoke the user's sessions" },
	{ "userdel", 1, ARG_NAME, cmd_userdel, "userdel NAME",
	    "remove a user and revoke their sessions" },
	{ "disable", 1, ARG_NAME, cmd_disable, "disable NAME",
	    "refuse the user's logins and revoke their sessions" },
	{ "enable", 1, ARG_NAME, cmd_enable, "enable NAME",
	    "accept the user's logins again" },
	{ "list", 0, ARG_NONE, cmd_list, "list",
	    "print every user, one a line" },
	{ "sessions", 1, ARG_NAME, cmd_sessions, "sessions NAME",
	    "print the user's live sessions: id, created, expires, last use, "
	    "address, User-Agent" },
	{ "revoke", 1, ARG_SID, cmd_revoke, "revoke SESSIONID",
	    "end one session" },
	{ "revoke-user", 1, ARG_NAME, cmd_revoke_user, "revoke-user NAME",
	    "end every session of the user" },
	{ "unban", 1, ARG_SUBJECT, cmd_unban, "unban NAME|ADDRESS",
	    "lift a brute-force ban early" },
};
#define CMDS_LEN	(sizeof(cmds) / sizeof(cmds[0]))

/*
 * How a store result reads on stderr.  subject is 1 when the message names
 * the user or session it is about ("no such user: alice").  Results that
 * are not listed read as "unexpected error".
 */
static const struct {
	const char	*reason;
	int		 subject;
} store_reasons[ERR__MAX] = {
	[ERR_UNAVAILABLE] = { "redis unavailable", 0 },
	[ERR_INTERNAL] = { "unexpected reply from redis", 0 },
	[ERR_EXISTS] = { "user exists", 1 },
	[ERR_NO_USER] = { "no such user", 1 },
	[ERR_SESSION_NOT_FOUND] = { "no such session", 1 },
};

/* What is wrong with a piece of text, see text_check. */
static const char *const name_faults[TEXT__MAX] = {
	[TEXT_EMPTY] = "empty",
	[TEXT_LONG] = "longer than 64 bytes",
	[TEXT_NUL] = "contains a NUL byte",
	[TEXT_CTRL] = "contains a control character",
	[TEXT_UTF8] = "not valid UTF-8",
	[TEXT_SPACE] = "contains a space or other white space",
	[TEXT_INVISIBLE] = "contains an invisible or direction-changing "
	    "character (format, private use or unassigned)",
	[TEXT_COMPAT] = "contains a compatibility character (fullwidth, "
	    "ligature, ...): use its plain form",
	[TEXT_NOT_NFC] = "not in Unicode normalization form C",
};

static const char *const pass_faults[TEXT__MAX] = {
	[TEXT_EMPTY] = "empty password",
	[TEXT_LONG] = "password longer than 1024 bytes",
	[TEXT_NUL] = "password contains a NUL byte",
	[TEXT_CTRL] = "password contains a control character",
	[TEXT_UTF8] = "password is not valid UTF-8",
};

static void
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: %s [-c CONF] COMMAND [ARG]\n", PROGNAME);
	for (i = 0; i < CMDS_LEN; i++)
		fprintf(stderr, "  %-20s %s\n", cmds[i].usage, cmds[i].help);
}

static void
usage_cmd(const struct cmd *c)
{

	fprintf(stderr, "usage: %s [-c CONF] %s\n", PROGNAME, c->usage);
}

/* Print "autenticacao-admin: CMD: <message>" on stderr. */
static void __attribute__((format(printf, 2, 3)))
fail(const struct admin *a, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: %s: ", PROGNAME, a->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Report store result e about subj (NUL-terminated) on stderr, after the
 * context ctx when not NULL ("ctx: reason: subj"). */
static void
fail_store(const struct admin *a, enum err e, const char *subj,
    const char *ctx)
{
	const char	*reason = NULL;
	int		 named = 0;

	if ((unsigned)e < ERR__MAX && store_reasons[e].reason != NULL) {
		reason = store_reasons[e].reason;
		named = store_reasons[e].subject;
	}
	if (reason == NULL)
		reason = "unexpected error";
	fail(a, "%s%s%s%s%s", ctx != NULL ? ctx : "",
	    ctx != NULL ? ": " : "", reason,
	    named ? ": " : "", named ? subj : "");
}

/*
 * Check the argument of command c.  Returns 0, or -1 after printing the
 * reason and the command's usage line on stderr.
 */
static int
arg_check(const struct admin *a, const struct cmd *c, const char *arg)
{
	enum text_fault	 f;

	switch (c->arg) {
	case ARG_NONE:
		return 0;
	case ARG_SID:
		if (tok_charset_ok(arg, strlen(arg)))
			return 0;
		fail(a, "invalid session id: 1-%d characters of "
		    "A-Z a-z 0-9 - _ . ~", LIM_TOKEN_MAX);
		break;
	case ARG_NAME:
	case ARG_NEWNAME:
	case ARG_SUBJECT:
		/* A new name travels in log lines and in the authorizer's
		 * Variable-AUTH_USER header, and must not look like another:
		 * the name profile.  An existing user is named as stored. */
		f = text_check(arg, strlen(arg), LIM_USER_MAX,
		    c->arg == ARG_NEWNAME ? TEXT_F_NAME : 0);
		if (f == TEXT_OK)
			return 0;
		fail(a, "invalid %s: %s", c->arg != ARG_SUBJECT ?
		    "name" : "name or address", name_faults[f]);
		break;
	}
	usage_cmd(c);
	return -1;
}

/* Write s (len bytes) to stdout, control bytes as '?' so data from Redis
 * cannot drive the terminal. */
static void
out_text(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
		    '?' : s[i]);
}

/* "s" unless n is 1, for counts in messages. */
static const char *
plural(long n)
{

	return n == 1 ? "" : "s";
}

/* Format unix time t as RFC 3339 UTC ("2024-05-01T12:00:00Z") into buf. */
static void
rfc3339(long t, char *buf, size_t bufsz)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "%ld", t);
}

/* Prompt with echo off (prompt_noecho).  Returns 0, or -1 with the reason
 * on stderr (nothing is said for a signal: prompt_signal() tells main). */
static int
tty_prompt(const struct admin *a, const char *prompt, char *buf,
    size_t bufsz, size_t *len, int *over)
{
	char	 why[160];

	switch (prompt_noecho(prompt, buf, bufsz, len, over, why,
	    sizeof(why))) {
	case PROMPT_OK:
		return 0;
	case PROMPT_FAILED:
		fail(a, "%s", why);
		return -1;
	default:
		return -1;
	}
}

/*
 * Get a new password into pw (LIM_PASSWORD_MAX + 1 bytes), its length into *len.
 * On a terminal it is prompted twice with echo off and both entries must
 * match; otherwise it is the first line of stdin.  Either way it must be
 * what the API accepts as a password: 1..LIM_PASSWORD_MAX bytes of UTF-8 without
 * NUL or control characters (anything else could never log in).  Returns 0,
 * or -1 with pw wiped and the reason on stderr (nothing is said when a
 * signal interrupted the prompt: prompt_signal() tells main).
 */
static int
pass_read(const struct admin *a, char *pw, size_t *len)
{
	char		 again[LIM_PASSWORD_MAX + 1];
	size_t		 len2 = 0;
	enum text_fault	 f;
	int		 rc = -1, over = 0, over2 = 0, tty;

	tty = isatty(STDIN_FILENO);
	if (tty) {
		if (tty_prompt(a, "Password: ", pw, LIM_PASSWORD_MAX + 1, len,
		    &over) == -1)
			goto out;
	} else if (prompt_line(STDIN_FILENO, pw, LIM_PASSWORD_MAX + 1, len,
	    &over, 0) == -1) {
		fail(a, "cannot read password: %s", strerror(errno));
		goto out;
	}

	f = over ? TEXT_LONG : text_check(pw, *len, LIM_PASSWORD_MAX, 0);
	if (f != TEXT_OK) {
		fail(a, "%s", pass_faults[f]);
		goto out;
	}

	if (tty) {
		if (tty_prompt(a, "Retype password: ", again, sizeof(again),
		    &len2, &over2) == -1)
			goto out;
		if (over2 || len2 != *len || memcmp(pw, again, len2) != 0) {
			fail(a, "passwords do not match");
			goto out;
		}
	}
	rc = 0;
out:
	tok_wipe(again, sizeof(again));
	if (rc == -1) {
		tok_wipe(pw, LIM_PASSWORD_MAX + 1);
		*len = 0;
	}
	return rc;
}

/*
 * Read a new password and hash it at the configured cost into mcf.
 * Returns 0, or -1 with the reason on stderr.  The password is wiped
 * before returning; the caller wipes mcf.
 */
static int
pass_new(const struct admin *a, char mcf[PW_MCF_MAX])
{
	char		 pw[LIM_PASSWORD_MAX + 1];
	size_t		 len = 0;
	struct pw_cost	 cost;
	int		 rc = -1;

	if (pass_read(a, pw, &len) == -1)
		goto out;
	cost.N = a->cfg.scrypt_n;
	cost.r = a->cfg.scrypt_r;
	cost.p = a->cfg.scrypt_p;
	if (pw_hash(pw, len, &cost, mcf) == -1) {
		fail(a, "cannot hash the password");
		goto out;
	}
	rc = 0;
out:
	tok_wipe(pw, sizeof(pw));
	return rc;
}

/*
 * Whether user name exists.  Returns ERR_OK, ERR_NO_USER or a Redis
 * error; the user record read on the way is wiped.
 */
static enum err
user_exists(struct admin *a, const char *name)
{
	struct store_user	 u;
	enum err		 e;

	e = store_user_get(a->st, name, strlen(name), &u);
	tok_wipe(&u, sizeof(u));
	return e;
}

/*
 * useradd NAME: the user must not exist yet (checked before asking for the
 * password, and again by the store when adding).
 */
/* One store_user_list walk of case_twin. */
struct twin {
	const char	*name;
	char		 found[LIM_USER_MAX + 1];
	int		 oom;
};

static int
twin_one(const char *name, size_t len, void *arg)
{
	struct twin	*t = arg;
	int		 eq;

	eq = text_fold_eq(t->name, strlen(t->name), name, len);
	if (eq == -1) {
		t->oom = 1;
		return 1;
	}
	if (eq == 1) {
		memcpy(t->found, name, len);
		t->found[len] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Names keep their case, but two names that differ only in case would
 * look alike: refuse a new name that folds to an existing one.  Returns
 * 0, or -1 with the reason on stderr.
 */
static int
case_twin(struct admin *a, const char *name)
{
	struct twin	 t;
	char		 shown[LIM_USER_MAX * 3 + 1];
	enum err	 e;

	memset(&t, 0, sizeof(t));
	t.name = name;
	if ((e = store_user_list(a->st, twin_one, &t)) != ERR_OK) {
		fail_store(a, e, name, NULL);
		return -1;
	}
	if (t.oom) {
		fail(a, "out of memory");
		return -1;
	}
	if (t.found[0] != '\0') {
		text_log_copy(shown, sizeof(shown), t.found);
		fail(a, "a user whose name differs only in case exists: %s",
		    shown);
		return -1;
	}
	return 0;
}

static int
cmd_useradd(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	char		 mcf[PW_MCF_MAX];
	enum err	 e;
	int		 rc = EXIT_FAILED;

	memset(mcf, 0, sizeof(mcf));
	if ((e = user_exists(a, name)) == ERR_OK)
		e = ERR_EXISTS;
	if (e != ERR_NO_USER) {
		fail_store(a, e, name, NULL);
		goto out;
	}
	if (case_twin(a, name) != 0)
		goto out;
	if (pass_new(a, mcf) == -1)
		goto out;
	e = store_user_add(a->st, name, strlen(name), mcf, (long)time(NULL));
	if (e != ERR_OK) {
		fail_store(a, e, name, NULL);
		goto out;
	}
	printf("added %s\n", name);
	rc = EXIT_DONE;
out:
	tok_wipe(mcf, sizeof(mcf));
	return rc;
}

/*
 * Revoke every session of name after the change described by done, and
 * say on stdout how many went.  Returns an exit status.
 */
static int
revoke_after(struct admin *a, const char *name, const char *done)
{
	char		 ctx[256];
	enum err	 e;
	long		 n = 0;

	if ((e = store_user_revoke(a->st, name, strlen(name), (long)time(NULL), &n)) !=
	    ERR_OK) {
		snprintf(ctx, sizeof(ctx), "%s, but revoking the sessions "
		    "failed", done);
		fail_store(a, e, name, ctx);
		return EXIT_FAILED;
	}
	printf("%s; revoked %ld session%s\n", done, n, plural(n));
	return EXIT_DONE;
}

/*
 * passwd NAME: the new hash is written first and the sessions revoked
 * after, so no session outlives the change that should have ended it.
 */
static int
cmd_passwd(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	char		 mcf[PW_MCF_MAX], done[128];
	enum err	 e;
	int		 rc = EXIT_FAILED;

	memset(mcf, 0, sizeof(mcf));
	if ((e = user_exists(a, name)) != ERR_OK) {
		fail_store(a, e, name, NULL);
		goto out;
	}
	if (pass_new(a, mcf) == -1)
		goto out;
	if ((e = store_user_set_hash(a->st, name, strlen(name), mcf)) !=
	    ERR_OK) {
		fail_store(a, e, name, NULL);
		goto out;
	}
	snprintf(done, sizeof(done), "changed the password of %s", name);
	rc = revoke_after(a, name, done);
out:
	tok_wipe(mcf, sizeof(mcf));
	return rc;
}

/*
 * userdel NAME: remove the user, then their sessions.  When the user is
 * already gone the sessions are still revoked (a previous userdel may have
 * stopped halfway), but the command fails.
 */
static int
cmd_userdel(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	char		 done[128];
	enum err	 e;
	long		 n = 0;

	e = store_user_del(a->st, name, strlen(name));
	if (e == ERR_NO_USER) {
		if (store_user_revoke(a->st, name, strlen(name), (long)time(NULL), &n) ==
		    ERR_OK && n > 0)
			printf("revoked %ld leftover session%s of %s\n",
			    n, plural(n), name);
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	if (e != ERR_OK) {
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	snprintf(done, sizeof(done), "deleted %s", name);
	return revoke_after(a, name, done);
}

/*
 * disable NAME: refuse logins, then end the sessions.  Bearer checks read
 * only the session, so revoking is what takes access away at once.
 */
static int
cmd_disable(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	char		 done[128];
	enum err	 e;

	if ((e = store_user_set_disabled(a->st, name, strlen(name), 1)) !=
	    ERR_OK) {
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	snprintf(done, sizeof(done), "disabled %s", name);
	return revoke_after(a, name, done);
}

/* enable NAME: sessions are not touched (a disabled user has none). */
static int
cmd_enable(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	enum err	 e;

	if ((e = store_user_set_disabled(a->st, name, strlen(name), 0)) !=
	    ERR_OK) {
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	printf("enabled %s\n", name);
	return EXIT_DONE;
}

static int
list_one(const char *name, size_t len, void *arg)
{

	(void)arg;
	out_text(name, len);
	putchar('\n');
	return ferror(stdout) ? 1 : 0;
}

/* list: every user name, one a line, sorted. */
static int
cmd_list(struct admin *a, char *argv[])
{
	enum err	 e;

	(void)argv;
	if ((e = store_user_list(a->st, list_one, NULL)) != ERR_OK) {
		fail_store(a, e, "", NULL);
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

static int
sessions_one(const char *sid, const struct store_session *ss, void *arg)
{
	long	*count = arg;
	char	 created[64], expires[64], used[64];

	rfc3339(ss->created, created, sizeof(created));
	rfc3339(ss->expires, expires, sizeof(expires));
	rfc3339(ss->used, used, sizeof(used));
	out_text(sid, strlen(sid));
	printf(" %s %s %s ", created, expires, used);
	if (ss->addr[0] != '\0')
		out_text(ss->addr, strlen(ss->addr));
	else
		putchar('-');
	putchar(' ');
	if (ss->ua[0] != '\0')
		out_text(ss->ua, strlen(ss->ua));
	else
		putchar('-');
	putchar('\n');
	(*count)++;
	return ferror(stdout) ? 1 : 0;
}

/*
 * sessions NAME: "<sid> <created> <expires> <last use> <address>
 * <User-Agent>" per live session, times in RFC 3339 UTC, expires being
 * the end of the session (not of its access tokens), "-" for an unknown
 * address or User-Agent; the User-Agent is last as it may hold spaces.  No sessions and no such user fails; sessions left behind by a
 * deleted user are still shown.
 */
static int
cmd_sessions(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	enum err	 e;
	long		 count = 0;

	e = store_user_sessions(a->st, name, strlen(name), (long)time(NULL),
	    sessions_one,
	    &count);
	if (e == ERR_OK && count == 0 &&
	    (e = user_exists(a, name)) == ERR_OK)
		return EXIT_DONE;
	if (e != ERR_OK) {
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

/* revoke SESSIONID: fails when there is no such session. */
static int
cmd_revoke(struct admin *a, char *argv[])
{
	const char	*sid = argv[0];
	enum err	 e;

	if ((e = store_session_del(a->st, sid, strlen(sid))) != ERR_OK) {
		fail_store(a, e, sid, NULL);
		return EXIT_FAILED;
	}
	printf("revoked %s\n", sid);
	return EXIT_DONE;
}

/* revoke-user NAME: end every session of NAME (its tokens die at once).
 * No sessions is not a failure; an unknown user without sessions is. */
static int
cmd_revoke_user(struct admin *a, char *argv[])
{
	const char	*name = argv[0];
	enum err	 e;
	long		 n = 0;

	if ((e = store_user_revoke(a->st, name, strlen(name), (long)time(NULL),
	    &n)) != ERR_OK || (n == 0 && (e = user_exists(a, name)) != ERR_OK)) {
		fail_store(a, e, name, NULL);
		return EXIT_FAILED;
	}
	printf("revoked %ld session%s of %s\n", n, plural(n), name);
	return EXIT_DONE;
}

/* unban NAME|ADDRESS: lift the ban and forget the failures counted for the
 * subject as a user name and as a client address.  Nothing to lift is not
 * a failure. */
static int
cmd_unban(struct admin *a, char *argv[])
{
	const char	*subj = argv[0];
	enum err	 e;
	int		 found = 0;

	if ((e = reg_unban(a->st, subj, strlen(subj), &found)) != ERR_OK) {
		fail_store(a, e, subj, NULL);
		return EXIT_FAILED;
	}
	if (found)
		printf("lifted the ban and failure count of %s\n", subj);
	else
		printf("no ban or failure count for %s\n", subj);
	return EXIT_DONE;
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CMDS_LEN; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct admin		 a;
	const struct cmd	*c;
	const char		*path = NULL;
	char			 err[512];
	int			 ch, rc = EXIT_FAILED, signo;

	log_init(PROGNAME);
	memset(&a, 0, sizeof(a));
	a.cmd = PROGNAME;

	/* '+': stop at the command, whose arguments may start with '-'. */
	opterr = 0;
	while ((ch = getopt(argc, argv, "+:c:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case ':':
			fprintf(stderr, "%s: option -%c needs an argument\n",
			    PROGNAME, optopt);
			usage();
			return EXIT_USAGE;
		default:
			fprintf(stderr, "%s: unknown option -%c\n",
			    PROGNAME, optopt);
			usage();
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc < 1) {
		usage();
		return EXIT_USAGE;
	}
	if ((c = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "%s: unknown command: %s\n", PROGNAME,
		    argv[0]);
		usage();
		return EXIT_USAGE;
	}
	a.cmd = c->name;
	if (argc - 1 != c->argc) {
		usage_cmd(c);
		return EXIT_USAGE;
	}
	if (arg_check(&a, c, argv[1]) == -1)
		return EXIT_USAGE;

	if (path == NULL)
		path = cfg_path();
	cfg_defaults(&a.cfg);
	if (cfg_load(&a.cfg, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", PROGNAME, err);
		goto out;
	}
	if ((a.st = store_open(&a.cfg)) == NULL) {
		fail(&a, "out of memory");
		goto out;
	}
	rc = c->fn(&a, argv + 1);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fail(&a, "stdout: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
out:
	if (a.st != NULL)
		store_close(a.st);
	cfg_clear(&a.cfg);

	/* A prompt was interrupted: die of the same signal, now that the
	 * terminal is restored and the secrets are wiped. */
	if ((signo = prompt_signal()) != 0) {
		raise(signo);
		fail(&a, "interrupted");
		rc = EXIT_FAILED;
	}
	return rc;
}
