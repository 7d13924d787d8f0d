/*
 * autenticacao-admin - manage the users, sessions and bans that
 * autenticacao keeps in Redis.
 *
 *   autenticacao-admin [-c CONF] COMMAND [ARG]
 *
 * Every command is one row of the command table: its name, how many
 * arguments it takes, what kind of argument that is, its handler, its
 * usage line and the one option it may take before its argument
 * (useradd --hash HASH NAME).  Arguments are checked against the API's
 * own limits before the config is read or Redis is touched, so a name the
 * API would refuse, or a hash the service could not check, never reaches
 * the store.
 *
 * Exit status: 0 done, 1 failed (reason on stderr), 2 usage error (usage
 * on stderr).  Results meant for people or scripts go to stdout.
 *
 * Secrets: a new password lives only in fixed buffers on the stack of
 * pass_new and pass_read, its hash in the caller's buffer, all wiped
 * before they return; it is read with read(2), never through stdio.  The
 * file of import-htpasswd is read with read(2) into one buffer that is
 * wiped before it is freed.  A prompt
 * on a terminal turns echo off and restores it on every path, including
 * the signals that can interrupt it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "htpasswd.h"
#include "log.h"
#include "metrics.h"
#include "passwd.h"
#include "prompt.h"
#include "regulation.h"
#include "store.h"
#include "text.h"
#include "token.h"

#define PROGNAME	"autenticacao-admin"
#define IMPORT_MAX	(16 * 1024 * 1024)	/* bytes of an import file */
#define IMPORT_SHOWN	50	/* refused lines printed, at most */

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
	ARG_SUBJECT,	/* a user name or a client address */
	ARG_FILE	/* a path */
};

/* State shared by every command. */
struct admin {
	const char	*cmd;	/* command name, for messages */
	const char	*opt;	/* the value of the command's option, or NULL */
	const char	*path;	/* the config file (-c, else cfg_path()) */
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
	/* An option with a value that may come before the argument
	 * (--hash: a stored hash, checked with pw_stored_ok), or NULL. */
	const char	*opt;
	unsigned	 flags;	/* CMD_F_* */
};

#define CMD_F_OPTARG	0x01	/* the one argument may be left out */
#define CMD_F_NOSTORE	0x02	/* runs before the config is loaded; no
				 * store (reads a->path itself) */

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
static int	cmd_import(struct admin *, char *[]);
static int	cmd_check_config(struct admin *, char *[]);
static int	cmd_migrate(struct admin *, char *[]);

static const struct cmd cmds[] = {
	{ "useradd", 1, ARG_NEWNAME, cmd_useradd, "useradd [--hash HASH] NAME",
	    "add a user (password: first line of stdin, or prompted; or "
	    "its hash)", "--hash" },
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
	{ "import-htpasswd", 1, ARG_FILE, cmd_import, "import-htpasswd FILE",
	    "add the users of NAME:HASH lines, all of them or none" },
	{ "check-config", 1, ARG_FILE, cmd_check_config, "check-config [FILE]",
	    "check the config (FILE, else -c's) and name every problem",
	    NULL, CMD_F_OPTARG | CMD_F_NOSTORE },
	{ "migrate-keys", 0, ARG_NONE, cmd_migrate, "migrate-keys",
	    "rename the keys of the layout before slot tags to the tagged "
	    "names (once, after upgrading)" },
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
		fprintf(stderr, "  %-26s %s\n", cmds[i].usage, cmds[i].help);
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
 * Check the argument of command c, and the value of its option.  Returns
 * 0, or -1 after printing the reason and the command's usage line on
 * stderr.
 */
static int
arg_check(const struct admin *a, const struct cmd *c, const char *arg)
{
	char		 why[PW_WHY_MAX];
	enum text_fault	 f;

	if (a->opt != NULL && pw_stored_ok(a->opt, why) == -1) {
		fail(a, "invalid hash: %s", why);
		usage_cmd(c);
		return -1;
	}
	switch (c->arg) {
	case ARG_NONE:
		return 0;
	case ARG_FILE:
		if (arg[0] != '\0')
			return 0;
		fail(a, "empty file name");
		break;
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
		    "name" : "name or address", text_name_fault(f));
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

/*
 * useradd NAME: the user must not exist yet, nor one whose name differs
 * only in case (checked before asking for the password, and again by the
 * store when adding).  useradd --hash HASH NAME stores HASH (checked by
 * arg_check) as it is: the first login replaces a foreign one with $s1$.
 */
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
	if (a->opt != NULL)
		(void)snprintf(mcf, sizeof(mcf), "%s", a->opt);
	else if (pass_new(a, mcf) == -1)
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

	if ((e = store_user_revoke(a->st, name, strlen(name), (long)time(NULL),
	    &n)) != ERR_OK) {
		snprintf(ctx, sizeof(ctx), "%s, but revoking the sessions "
		    "failed", done);
		fail_store(a, e, name, ctx);
		return EXIT_FAILED;
	}
	met_revoked(MET_REVOKE_ADMIN, n);
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
		if (store_user_revoke(a->st, name, strlen(name),
		    (long)time(NULL), &n) == ERR_OK && n > 0) {
			met_revoked(MET_REVOKE_ADMIN, n);
			printf("revoked %ld leftover session%s of %s\n",
			    n, plural(n), name);
		}
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

/*
 * migrate-keys: store_migrate, and one summary line.  Fails (exit 1) when
 * a user's old keys were left because their new names existed, so a
 * script notices.
 */
static int
cmd_migrate(struct admin *a, char *argv[])
{
	struct store_migrated	 m;
	enum err		 e;

	(void)argv;
	if ((e = store_migrate(a->st, (long)time(NULL), &m)) != ERR_OK) {
		fail_store(a, e, "", NULL);
		return EXIT_FAILED;
	}
	printf("migrate-keys: %ld user%s and %ld other key%s moved, "
	    "%ld user%s left (a record under both names)\n", m.users,
	    m.users == 1 ? "" : "s", m.keys, m.keys == 1 ? "" : "s",
	    m.conflicts, m.conflicts == 1 ? "" : "s");
	if (m.conflicts > 0) {
		fail(a, "%ld user%s left with records under both names: look "
		    "at P user:NAME and P user:{T}NAME with redis-cli and "
		    "remove the one not wanted", m.conflicts,
		    m.conflicts == 1 ? "" : "s");
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
	met_revoked(MET_REVOKE_ADMIN, 1);
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
	met_revoked(MET_REVOKE_ADMIN, n);
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

/*
 * Read all of file path (a regular file, a pipe or a terminal: read(2)
 * until its end, at most IMPORT_MAX bytes) into *buf, malloc'd with one
 * byte more than *len for htp_parse.  Returns 0, or -1 with the reason on
 * stderr.  The caller wipes and frees *buf (IMPORT_MAX + 1 bytes at most,
 * *cap of them); a buffer outgrown on the way is wiped before it is
 * freed.
 */
static int
file_read(const struct admin *a, const char *path, char **buf, size_t *len,
    size_t *cap)
{
	char	*b = NULL, *nb;
	size_t	 n = 0, c = 0, nc;
	ssize_t	 r;
	int	 fd, rc = -1;

	*buf = NULL;
	*len = *cap = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fail(a, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n + 1 >= c) {
			nc = c == 0 ? 64 * 1024 : c * 2;
			if (nc > IMPORT_MAX + 1)
				nc = IMPORT_MAX + 1;
			if (n + 1 >= nc) {
				fail(a, "%s: larger than %d MiB", path,
				    IMPORT_MAX >> 20);
				goto out;
			}
			if ((nb = malloc(nc)) == NULL) {
				fail(a, "out of memory");
				goto out;
			}
			if (b != NULL) {
				memcpy(nb, b, n);
				tok_wipe(b, c);
				free(b);
			}
			b = nb;
			c = nc;
		}
		r = read(fd, b + n, c - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			fail(a, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	*cap = c;
	b = NULL;
	rc = 0;
out:
	if (b != NULL) {
		tok_wipe(b, c);
		free(b);
	}
	(void)close(fd);
	return rc;
}

/*
 * Print one refused line of import file path, as "CMD: FILE:LINE: why",
 * unless IMPORT_SHOWN of them were printed already; *shown counts them.
 */
static void
import_refuse(const struct admin *a, const char *path, size_t line,
    const char *why, size_t *shown)
{

	if ((*shown)++ < IMPORT_SHOWN)
		fail(a, "%s:%zu: %s", path, line, why);
}

/* One existing user and the case-folded form of its name (import_taken). */
struct taken_one {
	char	*fold;		/* text_fold, malloc'd */
	size_t	 fold_len;
	char	 name[LIM_USER_MAX + 1];
};

/* Every existing user, sorted by folded name. */
struct taken {
	struct taken_one	*v;
	size_t			 n, cap;
	int			 oom;
};

static int
taken_cmp(const void *a, const void *b)
{
	const struct taken_one	*x = a, *y = b;
	size_t			 n;
	int			 c;

	n = x->fold_len < y->fold_len ? x->fold_len : y->fold_len;
	if ((c = memcmp(x->fold, y->fold, n)) != 0)
		return c;
	return x->fold_len < y->fold_len ? -1 : x->fold_len > y->fold_len;
}

/* store_user_list walk of import_taken: fold and keep one name.  A name
 * that cannot be folded (not UTF-8, from before the name profile) can
 * neither be nor look like a new, valid one, and is left out. */
static int
taken_add(const char *name, size_t len, void *arg)
{
	struct taken	*t = arg;
	struct taken_one *o, *nv;
	size_t		 nc;

	if (t->n == t->cap) {
		nc = t->cap > 0 ? t->cap * 2 : 256;
		if ((nv = realloc(t->v, nc * sizeof(*nv))) == NULL) {
			t->oom = 1;
			return 1;
		}
		t->v = nv;
		t->cap = nc;
	}
	o = &t->v[t->n];
	errno = 0;
	if ((o->fold = text_fold(name, len, &o->fold_len)) == NULL) {
		if (errno == ENOMEM) {
			t->oom = 1;
			return 1;
		}
		return 0;
	}
	memcpy(o->name, name, len);
	o->name[len] = '\0';
	t->n++;
	return 0;
}

static void
taken_free(struct taken *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].fold);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/*
 * Why the name of entry e cannot be added, given the existing users t:
 * the user exists, or one whose name differs only in case does (as
 * useradd refuses it).  Returns 0 (it can), or 1 with the reason in why.
 */
static int
import_taken(const struct taken *t, const struct htp_entry *e, char *why,
    size_t whysz)
{
	struct taken_one	 key;
	size_t			 lo = 0, hi = t->n, mid;

	key.fold = e->fold;
	key.fold_len = e->fold_len;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (taken_cmp(&t->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n || taken_cmp(&t->v[lo], &key) != 0)
		return 0;
	for (mid = lo; mid < t->n && taken_cmp(&t->v[mid], &key) == 0; mid++)
		if (strcmp(t->v[mid].name, e->name) == 0) {
			(void)snprintf(why, whysz, "user exists: %s", e->name);
			return 1;
		}
	(void)snprintf(why, whysz, "%s: a user whose name differs only in "
	    "case exists: %s", e->name, t->v[lo].name);
	return 1;
}

/*
 * Take back the first n users of f that this import added: remove each,
 * then revoke any session a login made meanwhile.  Returns how many could
 * not be removed (each is named on stderr).
 */
static size_t
import_undo(struct admin *a, const struct htp_file *f, size_t n)
{
	size_t		 i, left = 0;
	enum err	 e;

	for (i = 0; i < n; i++) {
		e = store_user_del(a->st, f->entries[i].name,
		    f->entries[i].name_len);
		if (e == ERR_OK || e == ERR_NO_USER)
			e = store_user_revoke(a->st, f->entries[i].name,
			    f->entries[i].name_len, (long)time(NULL), NULL);
		if (e != ERR_OK) {
			fail_store(a, e, f->entries[i].name,
			    "cannot remove an imported user");
			fail(a, "still imported: %s", f->entries[i].name);
			left++;
		}
	}
	return left;
}

/*
 * import-htpasswd FILE: every line is judged first (htpasswd.h: shape,
 * name, hash format and caps, names given twice), then every name is
 * compared with the existing users' (one list of them, case-folded: a
 * name taken, or taken in another case, is refused); any refused line is
 * named with its number and nothing is written.  Then the users are added, enabled, with the hashes as they
 * are.  Should an add fail (a name taken since the look-up, Redis gone),
 * the users this run added are removed again, so a file goes in whole or
 * not at all.  Prints "imported N users".
 */
static int
cmd_import(struct admin *a, char *argv[])
{
	const char	*path = argv[0];
	struct htp_file	 f;
	struct taken	 t;
	char		 why[HTP_WHY_MAX + LIM_USER_MAX];
	char		*buf = NULL;
	size_t		 len = 0, cap = 0, i, shown = 0, refused;
	enum err	 e;
	long		 now = (long)time(NULL);
	int		 rc = EXIT_FAILED;

	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	if (file_read(a, path, &buf, &len, &cap) == -1)
		goto out;
	if (htp_parse(buf, len, &f) == -1) {
		fail(a, "out of memory");
		goto out;
	}
	for (i = 0; i < f.nrefused; i++)
		import_refuse(a, path, f.refused[i].line, f.refused[i].why,
		    &shown);
	refused = f.nrefused;
	if ((e = store_user_list(a->st, taken_add, &t)) != ERR_OK) {
		fail_store(a, e, "", NULL);
		goto out;
	}
	if (t.oom) {
		fail(a, "out of memory");
		goto out;
	}
	if (t.n > 1)
		qsort(t.v, t.n, sizeof(t.v[0]), taken_cmp);
	for (i = 0; i < f.n; i++)
		if (import_taken(&t, &f.entries[i], why, sizeof(why))) {
			import_refuse(a, path, f.entries[i].line, why, &shown);
			refused++;
		}
	if (refused > 0) {
		if (shown > IMPORT_SHOWN)
			fail(a, "%s: %zu more line%s refused", path,
			    shown - IMPORT_SHOWN, plural((long)(shown -
			    IMPORT_SHOWN)));
		fail(a, "%s: %zu line%s refused, nothing imported", path,
		    refused, plural((long)refused));
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		e = store_user_add(a->st, f.entries[i].name,
		    f.entries[i].name_len, f.entries[i].hash, now);
		if (e == ERR_OK)
			continue;
		if (e == ERR_EXISTS)
			fail(a, "%s:%zu: user exists: %s (added since the "
			    "check)", path, f.entries[i].line,
			    f.entries[i].name);
		else
			fail_store(a, e, f.entries[i].name, NULL);
		if (import_undo(a, &f, i) == 0)
			fail(a, "%s: nothing imported", path);
		goto out;
	}
	printf("imported %zu users\n", f.n);
	rc = EXIT_DONE;
out:
	taken_free(&t);
	htp_free(&f);
	if (buf != NULL) {
		tok_wipe(buf, cap);
		free(buf);
	}
	return rc;
}

/* One problem of check-config, on stderr as cfg_check_file gives it. */
static void
check_report(void *arg, const char *msg)
{

	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/*
 * check-config [FILE]: read FILE (else the config of -c, AUTENTICACAO_CONF
 * or the compiled-in path) as the programs would, without touching
 * Redis, and print every problem as "file:line: key: reason".  EXIT_DONE
 * for a good file ("FILE: ok" on stdout), else EXIT_FAILED.
 */
static int
cmd_check_config(struct admin *a, char *argv[])
{
	const char	*path;
	size_t		 n;

	path = argv[0] != NULL ? argv[0] : a->path;
	cfg_defaults(&a->cfg);
	if ((n = cfg_check_file(&a->cfg, path, check_report, NULL)) > 0) {
		fail(a, "%s: %zu problem%s", path, n, plural((long)n));
		return EXIT_FAILED;
	}
	printf("%s: ok\n", path);
	return EXIT_DONE;
}

/*
 * The command c with argument arg (NULL: none) ended with exit status rc:
 * an event admin.<command> of the JSON log (log_format = json), on
 * stderr with the rest of the log; nothing in the text format, whose
 * results are the messages of the command.  A session id is logged by
 * its 8-character prefix, as the responder logs one; a user name or
 * address through text_log_field; a password never reaches here.
 */
static void
admin_event(const struct cmd *c, const char *arg, int rc)
{
	char	 ev[64], val[LIM_USER_MAX * 3 + 1];

	if (log_get_format() != LOG_FORMAT_JSON)
		return;
	snprintf(ev, sizeof(ev), "admin.%s", c->name);
	val[0] = '\0';
	if (arg != NULL && c->arg == ARG_SID)
		snprintf(val, sizeof(val), "%.8s", arg);
	else if (arg != NULL)
		text_log_field(val, sizeof(val), arg, strlen(arg));
	{
		const struct log_kv kv[] = {
			LOG_STR(c->arg == ARG_SID ? "sid" : c->arg == ARG_FILE ?
			    "file" : c->arg == ARG_SUBJECT ? "subject" : "user",
			    arg != NULL ? val : NULL),
			LOG_NUM("exit", rc),
		};
		log_event(rc == EXIT_DONE ? LOG_INFO : LOG_WARN, ev, kv, 2,
		    NULL);
	}
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
	argc--;
	argv++;
	/* The option only with its value and the argument after it, so a
	 * user named like the option can still be added. */
	if (c->opt != NULL && argc == c->argc + 2 &&
	    strcmp(argv[0], c->opt) == 0) {
		a.opt = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc != c->argc && !((c->flags & CMD_F_OPTARG) && argc == 0)) {
		usage_cmd(c);
		return EXIT_USAGE;
	}
	if (argc > 0 && arg_check(&a, c, argv[0]) == -1)
		return EXIT_USAGE;

	if (path == NULL)
		path = cfg_path();
	a.path = path;
	if (c->flags & CMD_F_NOSTORE) {
		rc = c->fn(&a, argv);
		goto flush;
	}
	cfg_defaults(&a.cfg);
	if (cfg_load(&a.cfg, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", PROGNAME, err);
		goto out;
	}
	log_set_format(a.cfg.log_json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
	met_init(a.cfg.metrics);
	if ((a.st = store_open(&a.cfg)) == NULL) {
		fail(&a, "out of memory");
		goto out;
	}
	rc = c->fn(&a, argv);
	admin_event(c, argc > 0 ? argv[0] : NULL, rc);
	/* The sessions it revoked, for GET /metrics (reason admin). */
	(void)store_metrics_flush(a.st);
flush:
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
