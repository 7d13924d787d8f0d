/*
 * test_store.c - lib/store_*.c against a real redis-server.
 *
 * The suite runner starts a throwaway redis-server on a free loopback port
 * and exports the port as AUT_TEST_REDIS_PORT.  Without it this test
 * fails: it never skips.  Every key lives under a per-run prefix
 * "t-store-<pid>:" and is deleted at the end.  redis-cli is used to look
 * at the server from outside (TTLs, field counts), to disturb it (CLIENT
 * KILL, SCRIPT FLUSH) and for an ACL user; one test starts and stops a
 * second redis-server of its own to check recovery after a restart.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "token.h"

#define RACERS	20	/* concurrent rotations in test_rotate_race */

static struct cfg	 cfg;
static struct store	*st;
static int		 port;
static char		 prefix[64];
static int		 private_port;	/* a private redis-server, 0: none */
static char		 private_sock[64]; /* its unix socket, "": none */

/* ---- helpers ---- */

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The three hashes of generation i of tag. */
static void
mkhashes(struct store_hashes *h, const char *tag, int i)
{
	char	 t[128];
	int	 n;

	n = snprintf(t, sizeof(t), "%s-%d-a", tag, i);
	tok_hash(t, (size_t)n, h->authorization_hash);
	n = snprintf(t, sizeof(t), "%s-%d-c", tag, i);
	tok_hash(t, (size_t)n, h->corban_hash);
	n = snprintf(t, sizeof(t), "%s-%d-r", tag, i);
	tok_hash(t, (size_t)n, h->refresh_hash);
}

/*
 * Run "redis-cli -p PORT <args>" (args built from fmt, passed to sh) and
 * put the first line of its output into out.  Returns the exit status.
 */
static int
cli(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cli(char *out, size_t outsz, const char *fmt, ...)
{
	char	 cmd[1024], line[512];
	va_list	 ap;
	FILE	*f;
	int	 n;

	n = snprintf(cmd, sizeof(cmd), "redis-cli -p %d ", port);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	line[0] = '\0';
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	while (fgets(cmd, sizeof(cmd), f) != NULL)
		continue;
	if (out != NULL)
		snprintf(out, outsz, "%s", line);
	return pclose(f);
}

/* An integer answer of redis-cli, as cli(). */
static long
cli_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long
cli_int(const char *fmt, ...)
{
	char	 args[768], out[128];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	assert_int_equal(cli(out, sizeof(out), "%s", args), 0);
	return strtol(out, NULL, 10);
}

/*
 * The key of user name in family fam (user, user-sessions, fail, ban,
 * known) under prefix, as lib/store.h lays it out: P fam:{T}name, T the
 * name's slot tag.  Made here from its parts, with the tag from
 * store_slot_tag(), which test_slot_tag checks on its own.  The answer
 * is one of four static buffers, so a call may hold four at once.
 */
static const char *
ukey(const char *fam, const char *name)
{
	static char	 buf[4][512];
	static int	 next;
	char		 tag[STORE_TAG_LEN + 1];
	char		*b = buf[next++ % 4];

	store_slot_tag(name, strlen(name), tag);
	snprintf(b, sizeof(buf[0]), "%s%s:{%s}%s", prefix, fam, tag, name);
	return b;
}

/* The key of session sid under prefix (lib/store.h), as ukey(). */
static const char *
skey(const char *sid)
{
	static char	 buf[4][512];
	static int	 next;
	char		*b = buf[next++ % 4];
	size_t		 n = strlen(sid);

	if (n == TOK_SID_LEN)
		snprintf(b, sizeof(buf[0]), "%ssession:{%s}%.*s", prefix,
		    sid + TOK_SID_RAND_LEN, TOK_SID_RAND_LEN, sid);
	else
		snprintf(b, sizeof(buf[0]), "%ssession:%s", prefix, sid);
	return b;
}

/* 1 if sid is in user's session index (a sorted set), else 0. */
static int
in_index(const char *user, const char *sid)
{

	return cli_int("ZSCORE '%s' '%s'", ukey("user-sessions", user),
	    sid) > 0;
}

/* A loopback TCP port nothing listens on (bound, then closed). */
static int
closed_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 fd, p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	p = ntohs(sa.sin_port);
	close(fd);
	return p;
}

/* A loopback socket that listens but never accepts nor answers; its port
 * into *p. */
static int
mute_listener(int *p)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*p = ntohs(sa.sin_port);
	return fd;
}

/*
 * The credential of user (ulen bytes) as a password check would hand it
 * to store_login_finish or store_renew_finish, in store s: the user is
 * added with a test hash when missing, and mcf (PW_MCF_MAX bytes) receives the stored
 * hash that c->mcf points at.
 */
static void
cred_in(struct store *s, struct store_cred *c, char mcf[PW_MCF_MAX],
    const char *user, size_t ulen)
{
	struct store_user	 u;
	enum err		 e;

	if ((e = store_user_get(s, user, ulen, &u)) == ERR_NO_USER) {
		assert_int_equal(store_user_add(s, user, ulen, "$s1$test", 1),
		    ERR_OK);
		e = store_user_get(s, user, ulen, &u);
	}
	assert_int_equal(e, ERR_OK);
	snprintf(mcf, PW_MCF_MAX, "%s", u.mcf);
	memset(c, 0, sizeof(*c));
	c->user = user;
	c->ulen = ulen;
	c->mcf = mcf;
	c->fresh = "";
}

/* cred_in of the store the tests share. */
static void
cred_for(struct store_cred *c, char mcf[PW_MCF_MAX], const char *user,
    size_t ulen)
{

	cred_in(st, c, mcf, user, ulen);
}

/* A login of user writing session sid with hashes h at now, through
 * store_login_finish (the user is added when missing). */
static enum err
login_session(struct store *s, const char *sid, const char *user,
    size_t ulen, const struct store_hashes *h, long now)
{
	struct store_cred	 c;
	struct store_user	 nu;
	char			 mcf[PW_MCF_MAX];
	enum err		 ne;

	cred_in(s, &c, mcf, user, ulen);
	return store_login_finish(s, &c, sid, h, now, NULL, NULL, &nu, &ne);
}

/* refresh-session of session sid for user with hashes h at now, through
 * store_renew_finish (out may be NULL). */
static enum err
renew_session(const char *sid, size_t sidlen, const char *user,
    size_t ulen, const struct store_hashes *h, long now,
    struct store_session *out)
{
	struct store_cred	 c;
	struct store_user	 nu;
	struct store_session	 ss;
	char			 mcf[PW_MCF_MAX];
	enum err		 ne;

	cred_for(&c, mcf, user, ulen);
	return store_renew_finish(st, &c, sid, sidlen, h, now,
	    out != NULL ? out : &ss, &nu, &ne);
}

/* refresh-token of session sid presenting the current refresh hash
 * old_rh, through store_session_refresh (out may be NULL): a second use
 * of old_rh falls within a long grace, ERR_REFRESH_CONFLICT. */
static enum err
refresh_current(struct store *s, const char *sid, size_t sidlen,
    const char *old_rh, const struct store_hashes *h, long now,
    struct store_session *out)
{
	struct store_session	 ss;
	enum store_refresh	 how;
	char			 u[LIM_USER_MAX + 1];
	size_t			 ulen;

	return store_session_refresh(s, sid, sidlen, old_rh, h, now, 1000,
	    out != NULL ? out : &ss, u, &ulen, &how);
}

/* refresh-token of session sid presenting rh, a hash that is not its
 * current one, with grace seconds: *revoked is 1 when the reuse deleted
 * the session. */
static enum err
refresh_spent(const char *sid, size_t sidlen, const char *rh, long now,
    long grace, int *revoked)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	enum store_refresh	 how;
	char			 u[LIM_USER_MAX + 1];
	size_t			 ulen;
	enum err		 e;

	mkhashes(&h, "spent-next", 0);
	e = store_session_refresh(st, sid, sidlen, rh, &h, now, grace, &ss,
	    u, &ulen, &how);
	*revoked = how == STORE_REFRESH_REVOKED;
	return e;
}

/*
 * One password check of subject subj (NUL-terminated, len bytes) of kind
 * about to run, counted by the login's first round trip
 * (store_login_begin): a user name alone, or an address beside a user
 * name of its own.  *ttl: the seconds left on the subject's ban, 0 when
 * the check may run.
 */
static enum err
count_attempt(struct store *s, enum store_subject kind, const char *subj,
    size_t len, long *ttl)
{
	struct store_begin	 b;
	enum err		 e;

	if (kind == STORE_SUBJ_USER) {
		e = store_login_begin(s, subj, len, NULL, (long)time(NULL), &b);
		*ttl = b.user_ttl;
	} else {
		e = store_login_begin(s, "by-address", 10, subj,
		    (long)time(NULL), &b);
		*ttl = b.addr_ttl;
	}
	memset(&b.u, 0, sizeof(b.u));
	return e;
}

/* Create session sid of user with generation 0 of tag at now. */
static void
mksession(char sid[TOK_SID_LEN + 1], const char *user, const char *tag,
    long now)
{
	struct store_hashes	 h;
	char			 ut[STORE_TAG_LEN + 1];

	store_slot_tag(user, strlen(user), ut);
	tok_sid_new(sid, ut);
	mkhashes(&h, tag, 0);
	assert_int_equal(login_session(st, sid, user, strlen(user), &h,
	    now), ERR_OK);
}

/* ---- connection ---- */

static void
test_ping(void **state)
{

	(void)state;
	assert_int_equal(store_ping(st), ERR_OK);
}

static void
test_unreachable_is_unavailable_quickly(void **state)
{
	struct cfg		 c2;
	struct store		*s2;
	struct store_user	 u;
	struct store_session	 ss;
	double			 t0;
	long			 ttl;

	(void)state;
	c2 = cfg;
	c2.redis_port = closed_port();
	assert_non_null(s2 = store_open(&c2));
	t0 = mono();
	assert_int_equal(store_ping(s2), ERR_UNAVAILABLE);
	assert_int_equal(store_user_get(s2, "alice", 5, &u), ERR_UNAVAILABLE);
	assert_int_equal(store_session_get(s2, "abc", 3, &ss),
	    ERR_UNAVAILABLE);
	assert_int_equal(count_attempt(s2, STORE_SUBJ_USER, "alice", 5, &ttl),
	    ERR_UNAVAILABLE);
	assert_int_equal(store_ban_ttl(s2, STORE_SUBJ_USER, "alice", 5,
	    &ttl), ERR_UNAVAILABLE);
	assert_true(mono() - t0 < 1.0);
	store_close(s2);

	c2 = cfg;
	snprintf(c2.redis_socket, sizeof(c2.redis_socket),
	    "/nonexistent/t-store-%ld.sock", (long)getpid());
	assert_non_null(s2 = store_open(&c2));
	assert_int_equal(store_ping(s2), ERR_UNAVAILABLE);
	store_close(s2);
}

static void
test_silent_server_times_out(void **state)
{
	struct cfg		 c2;
	struct store		*s2;
	struct store_session	 ss;
	double			 t0, dt;
	int			 fd, p;

	(void)state;
	fd = mute_listener(&p);
	c2 = cfg;
	c2.redis_port = p;
	c2.redis_timeout_ms = 200;
	assert_non_null(s2 = store_open(&c2));
	t0 = mono();
	assert_int_equal(store_ping(s2), ERR_UNAVAILABLE);
	dt = mono() - t0;
	assert_true(dt >= 0.15);
	assert_true(dt < 1.5);
	t0 = mono();
	assert_int_equal(store_session_get(s2, "abc", 3, &ss),
	    ERR_UNAVAILABLE);
	assert_true(mono() - t0 < 1.5);
	store_close(s2);
	close(fd);
}

/*
 * Start a redis-server of this test's own on a free loopback port (so the
 * shared one is never disturbed) and wait until it answers.  Returns the
 * port.
 */
static int
private_start(int p)
{
	char	 cmd[512];
	int	 i;

	if (p == 0)
		p = closed_port();
	private_port = p;
	snprintf(cmd, sizeof(cmd), "redis-server --port %d --bind 127.0.0.1 "
	    "--save '' --appendonly no --daemonize yes "
	    "--pidfile /tmp/t-store-%ld-%d.pid --logfile /dev/null", p,
	    (long)getpid(), p);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "redis-cli -p %d PING >/dev/null 2>&1", p);
	for (i = 0; i < 100 && system(cmd) != 0; i++)
		usleep(50 * 1000);
	assert_true(i < 100);
	return p;
}

static void
private_stop(int p)
{
	char	 cmd[256];

	snprintf(cmd, sizeof(cmd), "redis-cli -p %d SHUTDOWN NOSAVE "
	    ">/dev/null 2>&1", p);
	/* Best effort: the server may be gone already.  A cast to void
	 * does not silence warn_unused_result (glibc with
	 * _FORTIFY_SOURCE). */
	if (system(cmd) != 0)
		(void)0;
	usleep(100 * 1000);
}

/* Per-test teardown: stop the private server a test may have left
 * running when it failed half-way. */
static int
private_teardown(void **state)
{
	char	 cmd[512];

	(void)state;
	if (private_port != 0) {
		private_stop(private_port);
		snprintf(cmd, sizeof(cmd), "/tmp/t-store-%ld-%d.pid",
		    (long)getpid(), private_port);
		(void)unlink(cmd);
		private_port = 0;
	}
	if (private_sock[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "redis-cli -s %s SHUTDOWN NOSAVE "
		    ">/dev/null 2>&1", private_sock);
		if (system(cmd) != 0)	/* best effort, as in private_stop */
			(void)0;
		snprintf(cmd, sizeof(cmd), "%s.pid", private_sock);
		(void)unlink(cmd);
		private_sock[0] = '\0';
	}
	return 0;
}

static void
test_reconnects_after_client_kill(void **state)
{
	struct cfg		 c2;
	struct store		*s2;
	struct store_session	 ss;
	struct store_hashes	 h;
	char			 cmd[256], sid[TOK_SID_LEN + 1];
	int			 p;

	(void)state;
	p = private_start(0);
	c2 = cfg;
	c2.redis_port = p;
	assert_non_null(s2 = store_open(&c2));
	tok_sid_new(sid, "0000");
	mkhashes(&h, "kill", 0);
	assert_int_equal(login_session(s2, sid, "killms", 6, &h,
	    (long)time(NULL)), ERR_OK);
	snprintf(cmd, sizeof(cmd), "redis-cli -p %d CLIENT KILL TYPE normal "
	    ">/dev/null", p);

	assert_int_equal(system(cmd), 0);
	usleep(100 * 1000);
	/* The closed connection is noticed before anything is sent. */
	assert_int_equal(store_session_get(s2, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);

	assert_int_equal(system(cmd), 0);
	usleep(100 * 1000);
	assert_int_equal(store_user_add(s2, "killme", 6, "$s1$x", 1), ERR_OK);
	store_close(s2);
}

static void
test_recovers_after_redis_restart(void **state)
{
	struct cfg	 c2;
	struct store	*s2;
	int		 p;

	(void)state;
	p = private_start(0);
	c2 = cfg;
	c2.redis_port = p;
	assert_non_null(s2 = store_open(&c2));
	assert_int_equal(store_user_add(s2, "restart", 7, "$s1$x", 1), ERR_OK);

	private_stop(p);
	assert_int_equal(store_ping(s2), ERR_UNAVAILABLE);
	assert_int_equal(store_user_del(s2, "restart", 7), ERR_UNAVAILABLE);

	/* Same store, Redis back (empty): no request fails. */
	private_start(p);
	assert_int_equal(store_ping(s2), ERR_OK);
	assert_int_equal(store_user_add(s2, "restart", 7, "$s1$x", 1), ERR_OK);
	private_stop(p);
	private_start(p);
	assert_int_equal(store_user_del(s2, "restart", 7), ERR_NO_USER);
	store_close(s2);
}

static void
test_unix_socket(void **state)
{
	struct cfg	 c2;
	struct store	*s2;
	char		 cmd[512];
	int		 i;

	(void)state;
	snprintf(private_sock, sizeof(private_sock), "/tmp/t-store-%ld.sock",
	    (long)getpid());
	snprintf(cmd, sizeof(cmd), "redis-server --port 0 --unixsocket %s "
	    "--save '' --appendonly no --daemonize yes "
	    "--pidfile %s.pid --logfile /dev/null", private_sock,
	    private_sock);
	assert_int_equal(system(cmd), 0);
	c2 = cfg;
	snprintf(c2.redis_socket, sizeof(c2.redis_socket), "%s",
	    private_sock);
	assert_non_null(s2 = store_open(&c2));
	for (i = 0; i < 100 && store_ping(s2) != ERR_OK; i++)
		usleep(50 * 1000);
	assert_true(i < 100);
	assert_int_equal(store_user_add(s2, "via-unix", 8, "$s1$x", 1),
	    ERR_OK);
	store_close(s2);
}

static void
test_auth_with_acl_user(void **state)
{
	struct cfg	 c2;
	struct store	*s2;
	char		 user[64];

	(void)state;
	snprintf(user, sizeof(user), "t-store-%ld", (long)getpid());
	assert_int_equal(cli(NULL, 0, "ACL SETUSER %s on '>pw s3cr%%t' "
	    "'~*' '&*' '+@all' >/dev/null", user), 0);

	c2 = cfg;
	snprintf(c2.redis_username, sizeof(c2.redis_username), "%s", user);
	snprintf(c2.redis_password, sizeof(c2.redis_password), "pw s3cr%%t");
	assert_non_null(s2 = store_open(&c2));
	assert_int_equal(store_ping(s2), ERR_OK);
	assert_int_equal(store_user_add(s2, "acl-made", 8, "$s1$x", 1),
	    ERR_OK);
	store_close(s2);

	snprintf(c2.redis_password, sizeof(c2.redis_password), "wrong");
	assert_non_null(s2 = store_open(&c2));
	assert_int_equal(store_ping(s2), ERR_UNAVAILABLE);
	assert_int_equal(store_user_add(s2, "acl-fail", 8, "$s1$x", 1),
	    ERR_UNAVAILABLE);
	store_close(s2);

	assert_int_equal(cli(NULL, 0, "ACL DELUSER %s >/dev/null", user), 0);
}

static void
test_select_db(void **state)
{
	struct cfg		 c2;
	struct store		*s2;
	struct store_user	 u;

	(void)state;
	c2 = cfg;
	c2.redis_db = 3;
	assert_non_null(s2 = store_open(&c2));
	assert_int_equal(store_user_add(s2, "in-db3", 6, "$s1$x", 1), ERR_OK);
	assert_int_equal(store_user_get(st, "in-db3", 6, &u), ERR_NO_USER);
	assert_int_equal(cli_int("-n 3 EXISTS '%s'", ukey("user", "in-db3")), 1);
	assert_int_equal(store_user_del(s2, "in-db3", 6), ERR_OK);
	assert_int_equal(cli_int("-n 3 EXISTS '%s'", ukey("user", "in-db3")),
	    0);
	store_close(s2);
}

static void
test_script_flush_falls_back_to_eval(void **state)
{
	struct store_user	 u;

	(void)state;
	assert_int_equal(store_user_add(st, "flush1", 6, "$s1$a", 1), ERR_OK);
	assert_int_equal(cli(NULL, 0, "SCRIPT FLUSH >/dev/null"), 0);
	assert_int_equal(store_user_set_hash(st, "flush1", 6, "$s1$b"),
	    ERR_OK);
	assert_int_equal(store_user_add(st, "flush2", 6, "$s1$a", 1), ERR_OK);
	assert_int_equal(store_user_get(st, "flush1", 6, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$b");
}

/* Redis's count of socket reads so far (INFO stats).  Each call adds its
 * own (the INFO command, then redis-cli's close): see base below. */
static long
server_reads(void)
{
	char	 out[64];

	assert_int_equal(cli(out, sizeof(out), "INFO stats | "
	    "sed -n 's/^total_reads_processed:\\([0-9]*\\).*/\\1/p'"), 0);
	return strtol(out, NULL, 10);
}

/*
 * Creating and renewing a session each write the user's index and the
 * session in one round trip, and a bearer check is one round trip too:
 * one read on the server's side.
 */
static void
test_session_write_one_round_trip(void **state)
{
	struct store_cred	 c;
	struct store_hashes	 h;
	struct store_session	 ss;
	struct store_user	 nu;
	char			 sid[TOK_SID_LEN + 1], mcf[PW_MCF_MAX];
	long			 base, r0, r1;
	long			 now = (long)time(NULL);
	enum err		 ne;

	(void)state;
	/* connected, and the scripts of each write loaded (SCRIPT LOAD is
	 * one more round trip, once per process) */
	mksession(sid, "rtt", "rtt", now);
	mkhashes(&h, "rtt", 9);
	assert_int_equal(renew_session(sid, strlen(sid), "rtt", 3, &h, now,
	    &ss), ERR_OK);
	cred_for(&c, mcf, "rtt", 3);
	r0 = server_reads();
	base = server_reads() - r0;		/* reads of one server_reads() */
	assert_in_range(base, 1, 2);

	tok_sid_new(sid, "0000");
	mkhashes(&h, "rtt", 1);
	r0 = server_reads();
	assert_int_equal(store_login_finish(st, &c, sid, &h, now, NULL, NULL,
	    &nu, &ne), ERR_OK);
	r1 = server_reads();
	assert_int_equal(r1 - r0 - base, 1);

	mkhashes(&h, "rtt", 2);
	r0 = server_reads();
	assert_int_equal(store_renew_finish(st, &c, sid, strlen(sid), &h,
	    now + 1, &ss, &nu, &ne), ERR_OK);
	r1 = server_reads();
	assert_int_equal(r1 - r0 - base, 1);
	assert_string_equal(ss.authorization_hash, h.authorization_hash);
	assert_int_equal(in_index("rtt", sid), 1);

	/* A bearer check reads the session and records its use in one
	 * round trip, whether or not it writes lastUsedAt. */
	assert_int_equal(store_session_use(st, sid, strlen(sid),
	    h.authorization_hash, 0x1, now + 1, &ss), ERR_OK);
	r0 = server_reads();
	assert_int_equal(store_session_use(st, sid, strlen(sid),
	    h.authorization_hash, 0x1, now + 1 + STORE_TOUCH, &ss), ERR_OK);
	r1 = server_reads();
	assert_int_equal(r1 - r0 - base, 1);
	assert_int_equal(cli_int("HGET '%s' used", skey(sid)),
	    now + 1 + STORE_TOUCH);
	r0 = server_reads();
	assert_int_equal(store_session_use(st, sid, strlen(sid),
	    h.authorization_hash, 0x1, now + 2 + STORE_TOUCH, &ss), ERR_OK);
	r1 = server_reads();
	assert_int_equal(r1 - r0 - base, 1);
	assert_int_equal(ss.used, now + 1 + STORE_TOUCH);
}

/*
 * refresh-token is one round trip whatever it finds: the rotation, a
 * wrong hash, a spent one within grace, a spent one that revokes (the
 * session and its index entry go), a missing session.
 */
static void
test_session_refresh_one_round_trip(void **state)
{
	struct store_hashes	 h0, h1, h2;
	struct store_session	 ss;
	enum store_refresh	 how;
	char			 sid[TOK_SID_LEN + 1], u[LIM_USER_MAX + 1];
	char			 other[TOK_HASH_LEN + 1];
	size_t			 ulen;
	long			 base, r0;
	long			 now = (long)time(NULL);

	(void)state;
	mkhashes(&h0, "rft", 0);
	mkhashes(&h1, "rft", 1);
	mkhashes(&h2, "rft", 2);
	tok_sid_new(sid, "0000");
	assert_int_equal(login_session(st, sid, "rft", 3, &h0, now),
	    ERR_OK);
	/* loaded once */
	assert_int_equal(store_session_refresh(st, "nope", 4, h0.refresh_hash,
	    &h1, now, 0, &ss, u, &ulen, &how), ERR_SESSION_NOT_FOUND);
	assert_int_equal(ulen, 0);
	r0 = server_reads();
	base = server_reads() - r0;

	r0 = server_reads();
	assert_int_equal(store_session_refresh(st, sid, strlen(sid),
	    h0.refresh_hash, &h1, now, 5, &ss, u, &ulen, &how), ERR_OK);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_string_equal(u, "rft");
	assert_int_equal(how, STORE_REFRESH_OTHER);
	assert_string_equal(ss.refresh_hash, h1.refresh_hash);
	assert_int_equal(ss.expires, now + cfg.session_ttl);

	/* a hash never current: 401, nothing changes */
	memset(other, 'e', TOK_HASH_LEN);
	other[TOK_HASH_LEN] = '\0';
	r0 = server_reads();
	assert_int_equal(store_session_refresh(st, sid, strlen(sid), other,
	    &h2, now, 5, &ss, u, &ulen, &how), ERR_INVALID_TOKEN);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_int_equal(how, STORE_REFRESH_OTHER);

	/* the spent one within grace: 409, nothing changes */
	r0 = server_reads();
	assert_int_equal(store_session_refresh(st, sid, strlen(sid),
	    h0.refresh_hash, &h2, now + 4, 5, &ss, u, &ulen, &how),
	    ERR_REFRESH_CONFLICT);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h1.refresh_hash);

	/* after grace: revoked, with its index entry */
	assert_int_equal(in_index("rft", sid), 1);
	r0 = server_reads();
	assert_int_equal(store_session_refresh(st, sid, strlen(sid),
	    h0.refresh_hash, &h2, now + 5, 5, &ss, u, &ulen, &how),
	    ERR_INVALID_TOKEN);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_int_equal(how, STORE_REFRESH_REVOKED);
	assert_string_equal(u, "rft");
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(in_index("rft", sid), 0);

	/* the current one of a revoked session: gone */
	assert_int_equal(store_session_refresh(st, sid, strlen(sid),
	    h1.refresh_hash, &h2, now + 5, 5, &ss, u, &ulen, &how),
	    ERR_SESSION_NOT_FOUND);
}

/*
 * A password request is two round trips: store_login_begin counts both
 * subjects and reads the user in one, store_login_finish checks the user,
 * keeps the bookkeeping and writes the session with the address's undo
 * beside it in the other.  A user whose hash changed in between gets
 * ERR_CHANGED, nothing written, and the user as stored.
 */
static void
test_login_two_round_trips(void **state)
{
	struct store_begin	 b;
	struct store_cred	 c;
	struct store_hashes	 h;
	struct store_user	 nu;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 base, r0, ev;
	long			 now = (long)time(NULL);
	enum err		 ne;

	(void)state;
	assert_int_equal(store_user_add(st, "two", 3, "$s1$two", now), ERR_OK);
	/* scripts loaded (a finish that finds another hash writes nothing) */
	assert_int_equal(store_login_begin(st, "two", 3, "192.0.2.77", now,
	    &b), ERR_OK);
	assert_int_equal(store_attempt_undo(st, STORE_SUBJ_ADDR, "192.0.2.78",
	    10), ERR_OK);
	memset(&c, 0, sizeof(c));
	c.user = "two";
	c.ulen = 3;
	c.mcf = "$s1$other";
	c.fresh = "";
	tok_sid_new(sid, "0000");
	mkhashes(&h, "two", 0);
	assert_int_equal(store_login_finish(st, &c, sid, &h, now, NULL, &ev,
	    &nu, &ne), ERR_CHANGED);
	r0 = server_reads();
	base = server_reads() - r0;

	r0 = server_reads();
	assert_int_equal(store_login_begin(st, "two", 3, "192.0.2.77", now,
	    &b), ERR_OK);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_int_equal(b.user, ERR_OK);
	assert_string_equal(b.u.mcf, "$s1$two");
	assert_int_equal(b.addr_ttl, 0);
	assert_int_equal(b.user_ttl, 0);
	assert_true(b.addr_counted && b.user_counted);
	assert_int_equal(cli_int("GET '%s'", ukey("fail", "two")), 2);
	assert_int_equal(cli_int("GET '%sfail:{a:192.0.2.77}'", prefix), 2);

	memset(&c, 0, sizeof(c));
	c.user = "two";
	c.ulen = 3;
	c.mcf = "$s1$two";
	c.fresh = "$s1$new";
	c.net = "192.0.2.77";
	c.addr_counted = 1;
	tok_sid_new(sid, "0000");
	mkhashes(&h, "two", 1);
	r0 = server_reads();
	assert_int_equal(store_login_finish(st, &c, sid, &h, now, NULL, &ev,
	    &nu, &ne), ERR_OK);
	assert_int_equal(server_reads() - r0 - base, 1);
	assert_int_equal(in_index("two", sid), 1);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.user, "two");
	/* the re-hash is stored, the user's failures gone, one address
	 * attempt taken back, the address known */
	assert_int_equal(store_user_get(st, "two", 3, &nu), ERR_OK);
	assert_string_equal(nu.mcf, "$s1$new");
	assert_int_equal(cli_int("EXISTS '%s'", ukey("fail", "two")), 0);
	assert_int_equal(cli_int("GET '%sfail:{a:192.0.2.77}'", prefix), 1);
	assert_int_equal(cli_int("ZSCORE '%s' 192.0.2.77",
	    ukey("known", "two")), now);

	/* the hash moved on (a passwd during the check): nothing written */
	c.fresh = "";
	tok_sid_new(sid, "0000");
	assert_int_equal(store_login_finish(st, &c, sid, &h, now, NULL, &ev,
	    &nu, &ne), ERR_CHANGED);
	assert_int_equal(ne, ERR_OK);
	assert_string_equal(nu.mcf, "$s1$new");
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
	/* gone: ERR_CHANGED with no user */
	assert_int_equal(store_user_del(st, "two", 3), ERR_OK);
	c.mcf = "$s1$new";
	assert_int_equal(store_login_finish(st, &c, sid, &h, now, NULL, &ev,
	    &nu, &ne), ERR_CHANGED);
	assert_int_equal(ne, ERR_NO_USER);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
}

/*
 * After SCRIPT FLUSH both scripts of the one-round-trip writes answer
 * NOSCRIPT: each is sent again with EVAL, and the session and its index
 * entry are both written.
 */
static void
test_session_write_after_script_flush(void **state)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);

	(void)state;
	mksession(sid, "flushs", "fl", now);
	assert_int_equal(cli(NULL, 0, "SCRIPT FLUSH >/dev/null"), 0);
	tok_sid_new(sid, "0000");
	mkhashes(&h, "fl", 1);
	assert_int_equal(login_session(st, sid, "flushs", 6, &h, now),
	    ERR_OK);
	assert_int_equal(in_index("flushs", sid), 1);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);

	assert_int_equal(cli(NULL, 0, "SCRIPT FLUSH >/dev/null"), 0);
	mkhashes(&h, "fl", 2);
	assert_int_equal(renew_session(sid, strlen(sid), "flushs", 6,
	    &h, now + 1, &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);
}

/* ---- users ---- */

static void
test_user_add_get(void **state)
{
	struct store_user	 u;

	(void)state;
	assert_int_equal(store_user_add(st, "alice", 5, "$s1$0e0801$salt$hash",
	    1700000000), ERR_OK);
	assert_int_equal(store_user_get(st, "alice", 5, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$0e0801$salt$hash");
	assert_int_equal(u.disabled, 0);
	assert_int_equal(u.created, 1700000000);
	assert_int_equal(store_user_add(st, "alice", 5, "$s1$other", 1),
	    ERR_EXISTS);
	assert_int_equal(store_user_get(st, "alice", 5, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$0e0801$salt$hash");
	assert_int_equal(store_user_get(st, "nobody", 6, &u), ERR_NO_USER);
	assert_string_equal(u.mcf, "");
}

static void
test_user_name_limits_and_bytes(void **state)
{
	struct store_user	 u;
	char			 name[LIM_USER_MAX + 2];
	static const char	 nul[] = "a\0b";
	static const char	 fmt[] = "%s%n%x%b";
	static const char	 utf8[] = "jo\xc3\xa3o da silva";

	(void)state;
	memset(name, 'n', sizeof(name));
	assert_int_equal(store_user_add(st, name, LIM_USER_MAX, "$s1$x", 1),
	    ERR_OK);
	assert_int_equal(store_user_get(st, name, LIM_USER_MAX, &u), ERR_OK);
	assert_int_equal(store_user_add(st, name, LIM_USER_MAX + 1, "$s1$x",
	    1), ERR_INTERNAL);
	assert_int_equal(store_user_get(st, name, LIM_USER_MAX + 1, &u),
	    ERR_NO_USER);
	assert_int_equal(store_user_add(st, "", 0, "$s1$x", 1), ERR_INTERNAL);

	assert_int_equal(store_user_add(st, nul, 3, "$s1$nul", 1), ERR_OK);
	assert_int_equal(store_user_get(st, nul, 1, &u), ERR_NO_USER);
	assert_int_equal(store_user_get(st, nul, 3, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$nul");
	assert_int_equal(store_user_add(st, fmt, strlen(fmt), "$s1$fmt", 1),
	    ERR_OK);
	assert_int_equal(store_user_get(st, fmt, strlen(fmt), &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$fmt");
	assert_int_equal(store_user_add(st, utf8, strlen(utf8), "$s1$u", 1),
	    ERR_OK);
	assert_int_equal(store_user_get(st, utf8, strlen(utf8), &u), ERR_OK);

	/* An MCF string that does not fit is refused. */
	memset(u.mcf, 'm', sizeof(u.mcf));
	assert_int_equal(store_user_set_hash(st, utf8, strlen(utf8), u.mcf),
	    ERR_INTERNAL);
}

static void
test_user_set_hash(void **state)
{
	struct store_user	 u;

	(void)state;
	assert_int_equal(store_user_add(st, "bob", 3, "$s1$old", 5), ERR_OK);
	assert_int_equal(store_user_set_hash(st, "bob", 3, "$s1$new"), ERR_OK);
	assert_int_equal(store_user_get(st, "bob", 3, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$new");
	assert_int_equal(u.created, 5);
	assert_int_equal(store_user_set_hash(st, "ghost", 5, "$s1$x"),
	    ERR_NO_USER);
	assert_int_equal(store_user_get(st, "ghost", 5, &u), ERR_NO_USER);
}

static void
test_user_set_disabled(void **state)
{
	struct store_user	 u;

	(void)state;
	assert_int_equal(store_user_add(st, "carol", 5, "$s1$c", 5), ERR_OK);
	assert_int_equal(store_user_set_disabled(st, "carol", 5, 1), ERR_OK);
	assert_int_equal(store_user_get(st, "carol", 5, &u), ERR_OK);
	assert_int_equal(u.disabled, 1);
	assert_string_equal(u.mcf, "$s1$c");
	assert_int_equal(store_user_set_disabled(st, "carol", 5, 0), ERR_OK);
	assert_int_equal(store_user_get(st, "carol", 5, &u), ERR_OK);
	assert_int_equal(u.disabled, 0);
	assert_int_equal(store_user_set_disabled(st, "ghost", 5, 1),
	    ERR_NO_USER);
	assert_int_equal(store_user_get(st, "ghost", 5, &u), ERR_NO_USER);
}

/* store_user_list callback: note whether a name is seen, check order. */
struct list_ctx {
	char	 last[LIM_USER_MAX + 1];
	size_t	 last_len;
	int	 n, seen_dave, seen_erin, stop_after;
};

static int
list_cb(const char *name, size_t len, void *arg)
{
	struct list_ctx	*lc = arg;
	size_t		 m;
	int		 c;

	assert_true(len > 0 && len <= LIM_USER_MAX);
	if (lc->n > 0) {
		m = len < lc->last_len ? len : lc->last_len;
		c = memcmp(lc->last, name, m);
		assert_true(c < 0 || (c == 0 && lc->last_len < len));
	}
	memcpy(lc->last, name, len);
	lc->last_len = len;
	lc->n++;
	if (len == 4 && memcmp(name, "dave", 4) == 0)
		lc->seen_dave = 1;
	if (len == 4 && memcmp(name, "erin", 4) == 0)
		lc->seen_erin = 1;
	return lc->stop_after > 0 && lc->n >= lc->stop_after;
}

static void
test_user_del_and_list_sorted(void **state)
{
	struct list_ctx		 lc;
	struct store_user	 u;

	(void)state;
	assert_int_equal(store_user_add(st, "erin", 4, "$s1$e", 1), ERR_OK);
	assert_int_equal(store_user_add(st, "dave", 4, "$s1$d", 1), ERR_OK);
	assert_int_equal(store_user_add(st, "dav", 3, "$s1$d", 1), ERR_OK);
	assert_int_equal(store_user_add(st, "Zed", 3, "$s1$z", 1), ERR_OK);

	memset(&lc, 0, sizeof(lc));
	assert_int_equal(store_user_list(st, list_cb, &lc), ERR_OK);
	assert_true(lc.n >= 4);
	assert_true(lc.seen_dave && lc.seen_erin);

	assert_int_equal(store_user_del(st, "dave", 4), ERR_OK);
	assert_int_equal(store_user_get(st, "dave", 4, &u), ERR_NO_USER);
	assert_int_equal(store_user_del(st, "dave", 4), ERR_NO_USER);
	memset(&lc, 0, sizeof(lc));
	assert_int_equal(store_user_list(st, list_cb, &lc), ERR_OK);
	assert_false(lc.seen_dave);
	assert_true(lc.seen_erin);

	/* A non-zero return stops the walk. */
	memset(&lc, 0, sizeof(lc));
	lc.stop_after = 2;
	assert_int_equal(store_user_list(st, list_cb, &lc), ERR_OK);
	assert_int_equal(lc.n, 2);
}

/*
 * The slot tag: the first four hex characters of the name's SHA-1 (FIPS
 * 180 example "abc": a9993e36...), and the same as the one Lua makes
 * (lib/lua/keys.lua) for names of every byte.
 */
static void
test_slot_tag(void **state)
{
	static const char *const names[] = {
		"alice", "Zed", "a b", "x{y}z", "\xc3\xa9t\xc3\xa9", "%s%n",
	};
	char	 tag[STORE_TAG_LEN + 1], lua[64];
	size_t	 i;

	(void)state;
	store_slot_tag("abc", 3, tag);
	assert_string_equal(tag, "a999");
	store_slot_tag("", 0, tag);
	assert_string_equal(tag, "da39");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		store_slot_tag(names[i], strlen(names[i]), tag);
		assert_int_equal(cli(lua, sizeof(lua), "EVAL "
		    "\"return string.sub(redis.sha1hex(ARGV[1]), 1, 4)\" 0 "
		    "'%s'", names[i]), 0);
		assert_string_equal(tag, lua);
	}
}

/*
 * One user's keys share the user's tag: the record, a session made by a
 * login (its id ends in the tag), the index and the failure counter.
 */
static void
test_user_keys_share_a_tag(void **state)
{
	struct store_hashes	 h;
	char			 sid[TOK_SID_LEN + 1], tag[STORE_TAG_LEN + 1];
	long			 now = (long)time(NULL);

	(void)state;
	store_slot_tag("kim", 3, tag);
	assert_int_equal(store_user_add(st, "kim", 3, "$s1$k", now), ERR_OK);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user", "kim")), 1);
	tok_sid_new(sid, tag);
	mkhashes(&h, "kim", 0);
	assert_int_equal(login_session(st, sid, "kim", 3, &h, now), ERR_OK);
	assert_memory_equal(sid + TOK_SID_RAND_LEN, tag, STORE_TAG_LEN);
	assert_int_equal(cli_int("EXISTS '%s'", skey(sid)), 1);
	assert_non_null(strstr(skey(sid), tag));
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user-sessions", "kim")),
	    1);
	assert_int_equal(in_index("kim", sid), 1);
	/* nothing under the names of the layout before the tag */
	assert_int_equal(cli_int("EXISTS '%suser:kim' '%suser-sessions:kim' "
	    "'%susers'", prefix, prefix, prefix), 0);
}

/* The walk lists tagged user keys only: not a key of the old layout,
 * nor one whose tag is not its name's. */
static void
test_user_list_skips_untagged(void **state)
{
	struct list_ctx	 lc;
	char		 tag[STORE_TAG_LEN + 1];
	enum err	 e;

	(void)state;
	e = store_user_add(st, "erin", 4, "$s1$e", 1);
	assert_true(e == ERR_OK || e == ERR_EXISTS);
	assert_int_equal(cli(NULL, 0, "HSET '%suser:dave' mcf x disabled 0 "
	    "created 1 >/dev/null", prefix), 0);
	store_slot_tag("dave", 4, tag);
	assert_int_equal(cli(NULL, 0, "HSET '%suser:{%s}dave' mcf x "
	    "disabled 0 created 1 >/dev/null", prefix,
	    strcmp(tag, "0000") == 0 ? "0001" : "0000"), 0);
	memset(&lc, 0, sizeof(lc));
	assert_int_equal(store_user_list(st, list_cb, &lc), ERR_OK);
	assert_true(lc.seen_erin);
	assert_false(lc.seen_dave);
	assert_int_equal(cli(NULL, 0, "DEL '%suser:dave' >/dev/null", prefix),
	    0);
}

/*
 * store_migrate: the keys of the old layout move to their tagged names
 * (their TTLs kept), the old P users set goes, a second run finds
 * nothing; a user whose new name exists already is left whole and
 * counted.
 */
static void
test_migrate_old_layout(void **state)
{
	struct store_migrated	 m;
	struct store_user	 u;
	long			 ttl, now = (long)time(NULL);

	(void)state;
	assert_int_equal(cli(NULL, 0, "HSET '%suser:olly' mcf '$s1$o' "
	    "disabled 0 created 5 >/dev/null", prefix), 0);
	assert_int_equal(cli(NULL, 0, "SADD '%susers' olly pete >/dev/null",
	    prefix), 0);
	assert_int_equal(cli(NULL, 0, "ZADD '%suser-sessions:olly' "
	    "9999999999 oldsid >/dev/null", prefix), 0);
	assert_int_equal(cli(NULL, 0, "SET '%sfail:{u:olly}' 2 EX 500 "
	    ">/dev/null", prefix), 0);
	assert_int_equal(cli(NULL, 0, "ZADD '%sknown:{u:olly}' 1 a:192.0.2.1 "
	    ">/dev/null", prefix), 0);
	assert_int_equal(cli(NULL, 0, "EXPIRE '%sknown:{u:olly}' 700 "
	    ">/dev/null", prefix), 0);
	/* what a service of the new layout wrote meanwhile: a failure
	 * counted, a success remembered */
	assert_int_equal(cli(NULL, 0, "SET '%s' 1 EX 400 >/dev/null",
	    ukey("fail", "olly")), 0);
	assert_int_equal(cli(NULL, 0, "ZADD '%s' 3 a:192.0.2.2 >/dev/null",
	    ukey("known", "olly")), 0);
	assert_int_equal(cli(NULL, 0, "EXPIRE '%s' 100 >/dev/null",
	    ukey("known", "olly")), 0);
	assert_int_equal(store_user_get(st, "olly", 4, &u), ERR_NO_USER);

	assert_int_equal(store_migrate(st, now, &m), ERR_OK);
	assert_true(m.users >= 1);
	assert_true(m.keys >= 3);
	assert_int_equal(m.conflicts, 0);
	assert_int_equal(store_user_get(st, "olly", 4, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$o");
	assert_int_equal(u.created, 5);
	assert_int_equal(cli_int("ZCARD '%s'", ukey("user-sessions", "olly")),
	    1);
	/* the counter under both names keeps the new one; the sets merge,
	 * with the later expiry */
	assert_int_equal(cli_int("GET '%s'", ukey("fail", "olly")), 1);
	assert_int_equal(cli_int("ZCARD '%s'", ukey("known", "olly")), 2);
	assert_int_equal(cli_int("ZSCORE '%s' a:192.0.2.1",
	    ukey("known", "olly")), 1);
	ttl = cli_int("TTL '%s'", ukey("known", "olly"));
	assert_true(ttl > 690 && ttl <= 700);
	assert_int_equal(cli_int("EXISTS '%suser:olly' '%susers' "
	    "'%suser-sessions:olly' '%sfail:{u:olly}' '%sknown:{u:olly}'",
	    prefix, prefix, prefix, prefix, prefix), 0);

	assert_int_equal(store_migrate(st, now, &m), ERR_OK);
	assert_int_equal(m.users, 0);
	assert_int_equal(m.keys, 0);
	assert_int_equal(m.conflicts, 0);

	/* both names present: nothing of the user moves */
	assert_int_equal(cli(NULL, 0, "HSET '%suser:olly' mcf '$s1$x' "
	    "disabled 0 created 6 >/dev/null", prefix), 0);
	assert_int_equal(cli(NULL, 0, "SADD '%susers' olly >/dev/null",
	    prefix), 0);
	assert_int_equal(store_migrate(st, now, &m), ERR_OK);
	assert_int_equal(m.users, 0);
	assert_int_equal(m.conflicts, 1);
	assert_int_equal(store_user_get(st, "olly", 4, &u), ERR_OK);
	assert_string_equal(u.mcf, "$s1$o");
	assert_int_equal(cli_int("EXISTS '%suser:olly' '%susers'", prefix,
	    prefix), 2);
	assert_int_equal(cli(NULL, 0, "DEL '%suser:olly' '%susers' "
	    ">/dev/null", prefix, prefix), 0);
}

static void
test_user_malformed_record_is_internal(void **state)
{
	struct store_user	 u;

	(void)state;
	assert_int_equal(cli(NULL, 0, "HSET '%s' mcf x disabled 2 "
	    "created 1 >/dev/null", ukey("user", "broken")), 0);
	assert_int_equal(store_user_get(st, "broken", 6, &u), ERR_INTERNAL);
	assert_int_equal(cli(NULL, 0, "SET '%s' x >/dev/null",
	    ukey("user", "str")), 0);
	assert_int_equal(store_user_get(st, "str", 3, &u), ERR_INTERNAL);
	/* The connection is still good after an error reply. */
	assert_int_equal(store_ping(st), ERR_OK);
}

/* ---- sessions ---- */

static void
test_session_create_get(void **state)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL), ttl;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h, "cg", 0);
	assert_int_equal(login_session(st, sid, "frank", 5, &h, now),
	    ERR_OK);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_int_equal(ss.user_len, 5);
	assert_string_equal(ss.user, "frank");
	assert_int_equal(ss.created, now);
	assert_int_equal(ss.expires, now + cfg.session_ttl);
	assert_int_equal(ss.access_expires, now + cfg.access_ttl);
	assert_string_equal(ss.authorization_hash, h.authorization_hash);
	assert_string_equal(ss.corban_hash, h.corban_hash);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);

	/* The key expires at sexp; the index lives at least as long. */
	ttl = cli_int("TTL '%s'", skey(sid));
	assert_true(ttl > cfg.session_ttl - 5 && ttl <= cfg.session_ttl);
	ttl = cli_int("TTL '%s'", ukey("user-sessions", "frank"));
	assert_true(ttl > cfg.session_ttl - 5 && ttl <= cfg.session_ttl);

	assert_int_equal(store_session_get(st, "nope", 4, &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, sid, strlen(sid) - 1, &ss),
	    ERR_SESSION_NOT_FOUND);
}

static int
count_cb(const char *sid, const struct store_session *ss, void *arg)
{

	(void)sid;
	(void)ss;
	(*(int *)arg)++;
	return 0;
}

static void
test_session_create_taken_sid(void **state)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	int			 n = 0;

	(void)state;
	mksession(sid, "gina", "taken", (long)time(NULL));
	mkhashes(&h, "taken", 1);
	assert_int_equal(login_session(st, sid, "hank", 4, &h,
	    (long)time(NULL)), ERR_EXISTS);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.user, "gina");
	assert_int_equal(in_index("hank", sid), 0);
	assert_int_equal(store_user_sessions(st, "hank", 4, (long)time(NULL), count_cb, &n),
	    ERR_OK);
	assert_int_equal(n, 0);
}

static void
test_session_past_sexp_is_gone(void **state)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 old = (long)time(NULL) - cfg.session_ttl - 10;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h, "past", 0);
	assert_int_equal(login_session(st, sid, "ivan", 4, &h, old),
	    ERR_OK);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
}

static void
test_session_bad_arguments(void **state)
{
	struct store_hashes	 h;
	struct store_session	 ss;
	char			 sid[LIM_TOKEN_MAX + 2];
	int			 revoked;

	(void)state;
	mkhashes(&h, "bad", 0);
	memset(sid, 's', sizeof(sid) - 1);
	sid[LIM_TOKEN_MAX + 1] = '\0';
	assert_int_equal(login_session(st, sid, "ivan", 4, &h, 1),
	    ERR_INTERNAL);
	assert_int_equal(store_session_get(st, sid, LIM_TOKEN_MAX + 1, &ss),
	    ERR_SESSION_NOT_FOUND);
	h.refresh_hash[3] = 'X';
	assert_int_equal(login_session(st, "ok", "ivan", 4, &h, 1),
	    ERR_INTERNAL);
	assert_int_equal(refresh_spent("ok", 2, h.refresh_hash, 1, 0,
	    &revoked), ERR_INTERNAL);
	/* A session id is user data: '%' is just a byte. */
	mkhashes(&h, "bad", 1);
	assert_int_equal(login_session(st, "%s%n%b", "ivan", 4, &h,
	    (long)time(NULL)), ERR_OK);
	assert_int_equal(store_session_get(st, "%s%n%b", 6, &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h.refresh_hash);
}

static void
test_session_malformed_is_internal(void **state)
{
	struct store_session	 ss;

	(void)state;
	assert_int_equal(cli(NULL, 0, "HSET '%ssession:junk' user x created 1 "
	    "sexp 9999999999 aexp 1 ah short ch short rh short >/dev/null",
	    prefix), 0);
	assert_int_equal(store_session_get(st, "junk", 4, &ss), ERR_INTERNAL);
	assert_int_equal(cli(NULL, 0, "SET '%ssession:str' x >/dev/null",
	    prefix), 0);
	assert_int_equal(store_session_get(st, "str", 3, &ss), ERR_INTERNAL);
	assert_int_equal(store_ping(st), ERR_OK);
}

static void
test_session_renew(void **state)
{
	struct store_hashes	 h0, h1;
	struct store_session	 out, ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL), ttl;
	int			 revoked;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h0, "renew", 0);
	mkhashes(&h1, "renew", 1);
	assert_int_equal(login_session(st, sid, "judy", 4, &h0, now),
	    ERR_OK);

	/* Someone else's session answers like a missing one. */
	assert_int_equal(renew_session(sid, strlen(sid), "mallory",
	    7, &h1, now + 100, &out), ERR_SESSION_NOT_FOUND);
	assert_int_equal(renew_session("missing", 7, "judy", 4, &h1,
	    now + 100, &out), ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h0.refresh_hash);

	assert_int_equal(renew_session(sid, strlen(sid), "judy", 4,
	    &h1, now + 100, &out), ERR_OK);
	assert_string_equal(out.user, "judy");
	assert_int_equal(out.created, now);
	assert_int_equal(out.expires, now + 100 + cfg.session_ttl);
	assert_int_equal(out.access_expires, now + 100 + cfg.access_ttl);
	assert_string_equal(out.authorization_hash, h1.authorization_hash);
	assert_string_equal(out.corban_hash, h1.corban_hash);
	assert_string_equal(out.refresh_hash, h1.refresh_hash);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_memory_equal(&ss, &out, sizeof(ss));

	/* The key and the index moved with sexp. */
	ttl = cli_int("TTL '%s'", skey(sid));
	assert_true(ttl > cfg.session_ttl + 90);
	ttl = cli_int("TTL '%s'", ukey("user-sessions", "judy"));
	assert_true(ttl > cfg.session_ttl + 90);

	/* The old refresh hash is now spent. */
	assert_int_equal(refresh_spent(sid, strlen(sid), h0.refresh_hash,
	    now + 101, 10, &revoked), ERR_REFRESH_CONFLICT);
	assert_int_equal(revoked, 0);

	/* NULL out is allowed. */
	mkhashes(&h0, "renew", 2);
	assert_int_equal(renew_session(sid, strlen(sid), "judy", 4,
	    &h0, now + 200, NULL), ERR_OK);
}

static void
test_session_rotate_cas(void **state)
{
	struct store_hashes	 h0, h1, h2;
	struct store_session	 out, ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h0, "rot", 0);
	mkhashes(&h1, "rot", 1);
	mkhashes(&h2, "rot", 2);
	assert_int_equal(login_session(st, sid, "kate", 4, &h0, now),
	    ERR_OK);
	assert_int_equal(refresh_current(st, sid, strlen(sid), h0.refresh_hash,
	    &h1, now + 10, &out), ERR_OK);
	assert_string_equal(out.user, "kate");
	assert_int_equal(out.created, now);
	assert_int_equal(out.expires, now + cfg.session_ttl);
	assert_int_equal(out.access_expires, now + 10 + cfg.access_ttl);
	assert_string_equal(out.refresh_hash, h1.refresh_hash);
	assert_string_equal(out.authorization_hash, h1.authorization_hash);
	assert_string_equal(out.corban_hash, h1.corban_hash);

	/* The same old refresh hash loses the second time. */
	assert_int_equal(refresh_current(st, sid, strlen(sid), h0.refresh_hash,
	    &h2, now + 11, &out), ERR_REFRESH_CONFLICT);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h1.refresh_hash);
	assert_string_equal(ss.authorization_hash, h1.authorization_hash);

	assert_int_equal(refresh_current(st, "missing", 7, h1.refresh_hash, &h2,
	    now, &out), ERR_SESSION_NOT_FOUND);
}

static void
test_session_rotate_caps_aexp_at_sexp(void **state)
{
	struct store_hashes	 h0, h1;
	struct store_session	 out;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);
	long			 late = now + cfg.session_ttl - 60;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h0, "cap", 0);
	mkhashes(&h1, "cap", 1);
	assert_int_equal(login_session(st, sid, "liam", 4, &h0, now),
	    ERR_OK);
	assert_int_equal(refresh_current(st, sid, strlen(sid), h0.refresh_hash,
	    &h1, late, &out), ERR_OK);
	assert_int_equal(out.expires, now + cfg.session_ttl);
	assert_int_equal(out.access_expires, out.expires);

	/* At or past sexp the session is gone, even if the key lingers. */
	assert_int_equal(refresh_current(st, sid, strlen(sid), h1.refresh_hash,
	    &h0, out.expires, &out), ERR_SESSION_NOT_FOUND);
}

static void
test_session_spent(void **state)
{
	struct store_hashes	 h0, h1;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1], other[TOK_HASH_LEN + 1];
	long			 now = (long)time(NULL);
	int			 revoked;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h0, "sp", 0);
	mkhashes(&h1, "sp", 1);
	assert_int_equal(login_session(st, sid, "mona", 4, &h0, now),
	    ERR_OK);
	assert_int_equal(refresh_current(st, sid, strlen(sid), h0.refresh_hash,
	    &h1, now, NULL), ERR_OK);

	/* Unknown hash: invalid, nothing revoked. */
	tok_hash("never-issued", 12, other);
	revoked = -1;
	assert_int_equal(refresh_spent(sid, strlen(sid), other,
	    now + 1, 30, &revoked), ERR_INVALID_TOKEN);
	assert_int_equal(revoked, 0);

	/* Within grace: conflict, nothing changes. */
	assert_int_equal(refresh_spent(sid, strlen(sid), h0.refresh_hash,
	    now + 29, 30, &revoked), ERR_REFRESH_CONFLICT);
	assert_int_equal(revoked, 0);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h1.refresh_hash);

	/* Past grace: the session is revoked and leaves the index. */
	assert_int_equal(in_index("mona", sid), 1);
	assert_int_equal(refresh_spent(sid, strlen(sid), h0.refresh_hash,
	    now + 30, 30, &revoked), ERR_INVALID_TOKEN);
	assert_int_equal(revoked, 1);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(in_index("mona", sid), 0);
	assert_int_equal(refresh_spent(sid, strlen(sid), h0.refresh_hash,
	    now + 31, 30, &revoked), ERR_SESSION_NOT_FOUND);
	assert_int_equal(revoked, 0);

	/* Grace 0 (the default) revokes at once. */
	tok_sid_new(sid, "0000");
	assert_int_equal(login_session(st, sid, "mona", 4, &h0, now),
	    ERR_OK);
	assert_int_equal(refresh_current(st, sid, strlen(sid), h0.refresh_hash,
	    &h1, now, NULL), ERR_OK);
	assert_int_equal(refresh_spent(sid, strlen(sid), h0.refresh_hash,
	    now, 0, &revoked), ERR_INVALID_TOKEN);
	assert_int_equal(revoked, 1);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
}

static void
test_spent_ring_is_bounded(void **state)
{
	struct store_hashes	 h[STORE_SPENT_MAX + 3];
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);
	int			 i, n = STORE_SPENT_MAX + 1, revoked;

	(void)state;
	for (i = 0; i < n + 2; i++)
		mkhashes(&h[i], "ring", i);
	tok_sid_new(sid, "0000");
	assert_int_equal(login_session(st, sid, "nick", 4, &h[0], now),
	    ERR_OK);
	for (i = 1; i < n; i++)
		assert_int_equal(refresh_current(st, sid, strlen(sid),
		    h[i - 1].refresh_hash, &h[i], now, NULL), ERR_OK);

	/* The ring is full: one more rotation is refused and changes
	 * nothing, so no spent token is ever forgotten. */
	assert_int_equal(refresh_current(st, sid, strlen(sid),
	    h[n - 1].refresh_hash, &h[n], now, NULL), ERR_INVALID_TOKEN);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, h[n - 1].refresh_hash);
	for (i = 0; i < n - 1; i++) {
		assert_int_equal(refresh_spent(sid, strlen(sid),
		    h[i].refresh_hash, now, 1000, &revoked), ERR_REFRESH_CONFLICT);
		assert_int_equal(revoked, 0);
	}
	assert_true(cli_int("HLEN '%s'", skey(sid)) <=
	    11 + STORE_SPENT_MAX);
	/* A full session stays small: short fields keep Redis's compact
	 * hash encoding (the whole-hash fields of the older form took
	 * about 16 KB). */
	assert_true(cli_int("MEMORY USAGE '%s'", skey(sid)) <
	    4096);

	/* A password check (renew) starts a new list holding the refresh
	 * hash it replaced; rotation works again. */
	assert_int_equal(renew_session(sid, strlen(sid), "nick", 4,
	    &h[n], now, NULL), ERR_OK);
	assert_int_equal(refresh_spent(sid, strlen(sid), h[0].refresh_hash,
	    now, 1000, &revoked), ERR_INVALID_TOKEN);
	assert_int_equal(revoked, 0);
	assert_int_equal(refresh_spent(sid, strlen(sid),
	    h[n - 1].refresh_hash, now, 1000, &revoked), ERR_REFRESH_CONFLICT);
	assert_int_equal(refresh_current(st, sid, strlen(sid), h[n].refresh_hash,
	    &h[n + 1], now, NULL), ERR_OK);
	assert_true(cli_int("HLEN '%s'", skey(sid)) <= 13);
}

/* A session written in the older form of the spent list (r<i> slots
 * holding whole hashes, s:<whole hash> times) is still read, and its next
 * rotation rewrites it without losing a spent hash. */
static void
test_spent_older_form_upgraded(void **state)
{
	struct store_hashes	 h0, h1, h2;
	char			 sid[TOK_SID_LEN + 1], out[64];
	long			 now = (long)time(NULL);
	int			 revoked;

	(void)state;
	mkhashes(&h0, "old", 0);
	mkhashes(&h1, "old", 1);
	mkhashes(&h2, "old", 2);
	tok_sid_new(sid, "0000");
	assert_int_equal(login_session(st, sid, "olga", 4, &h1, now),
	    ERR_OK);
	/* h0 was spent at now - 100 in the older form. */
	assert_int_equal(cli(out, sizeof(out), "HSET '%s' r0 %s "
	    "s:%s %ld sn 1", skey(sid), h0.refresh_hash, h0.refresh_hash,
	    now - 100), 0);
	assert_int_equal(refresh_spent(sid, strlen(sid),
	    h0.refresh_hash, now, 1000, &revoked), ERR_REFRESH_CONFLICT);
	/* The next rotation rewrites the list: h0 and h1 are spent now. */
	assert_int_equal(refresh_current(st, sid, strlen(sid),
	    h1.refresh_hash, &h2, now, NULL), ERR_OK);
	assert_int_equal(cli_int("HEXISTS '%s' r0", skey(sid)), 0);
	assert_int_equal(cli_int("HGET '%s' sn", skey(sid)), 2);
	assert_int_equal(refresh_spent(sid, strlen(sid),
	    h1.refresh_hash, now, 1000, &revoked), ERR_REFRESH_CONFLICT);
	assert_int_equal(refresh_spent(sid, strlen(sid),
	    h0.refresh_hash, now, 0, &revoked), ERR_INVALID_TOKEN);
	assert_int_equal(revoked, 1);
}

static void
test_session_del(void **state)
{
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];

	(void)state;
	mksession(sid, "olga", "del", (long)time(NULL));
	assert_int_equal(store_session_del(st, sid, strlen(sid)), ERR_OK);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_del(st, sid, strlen(sid)),
	    ERR_SESSION_NOT_FOUND);
}

/* store_user_sessions callback: collect ids in order. */
struct sess_ctx {
	char	 sids[8][LIM_TOKEN_MAX + 1];
	long	 created[8];
	int	 n;
	const char *user;	/* whose sessions; NULL: paul */
};

static int
sess_cb(const char *sid, const struct store_session *ss, void *arg)
{
	struct sess_ctx	*sc = arg;

	assert_true(sc->n < 8);
	assert_string_equal(ss->user, sc->user != NULL ? sc->user : "paul");
	snprintf(sc->sids[sc->n], sizeof(sc->sids[0]), "%s", sid);
	sc->created[sc->n] = ss->created;
	sc->n++;
	return 0;
}

static void
test_user_sessions_drops_missing_and_foreign(void **state)
{
	struct sess_ctx	 sc;
	char		 a[TOK_SID_LEN + 1], b[TOK_SID_LEN + 1];
	char		 c[TOK_SID_LEN + 1], x[TOK_SID_LEN + 1];
	long		 now = (long)time(NULL);

	(void)state;
	mksession(b, "paul", "us-b", now + 2);
	mksession(a, "paul", "us-a", now + 1);
	mksession(c, "paul", "us-c", now + 3);
	mksession(x, "quinn", "us-x", now);
	/* A deleted session leaves the index at once. */
	assert_int_equal(store_session_del(st, c, strlen(c)), ERR_OK);
	assert_int_equal(in_index("paul", c), 0);
	/* A foreign and a vanished id in paul's index. */
	assert_int_equal(cli_int("ZADD '%s' %ld %s %ld gone",
	    ukey("user-sessions", "paul"), now + 9999, x, now + 9999), 2);
	assert_int_equal(cli_int("ZCARD '%s'", ukey("user-sessions", "paul")), 4);

	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_user_sessions(st, "paul", 4, now, sess_cb, &sc),
	    ERR_OK);
	assert_int_equal(sc.n, 2);
	assert_string_equal(sc.sids[0], a);	/* oldest first */
	assert_string_equal(sc.sids[1], b);
	assert_true(sc.created[0] < sc.created[1]);
	/* Both stale ids are dropped; the foreign session itself stays. */
	assert_int_equal(cli_int("ZCARD '%s'", ukey("user-sessions", "paul")), 2);
	assert_int_equal(in_index("paul", x), 0);
	assert_int_equal(in_index("paul", "gone"), 0);
	assert_int_equal(cli_int("EXISTS '%s'", skey(x)), 1);

	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_user_sessions(st, "nobody", 6, now, sess_cb,
	    &sc), ERR_OK);
	assert_int_equal(sc.n, 0);
}

/*
 * The index holds one entry per session scored by its end; a write
 * prunes the entries whose end has passed, so a user who logs in often
 * keeps a small index.
 */
static void
test_index_pruned_on_write(void **state)
{
	struct sess_ctx	 sc;
	char		 a[TOK_SID_LEN + 1], b[TOK_SID_LEN + 1];
	long		 now = (long)time(NULL);
	int		 i;

	(void)state;
	mksession(a, "pruna", "pr-a", now);
	assert_int_equal(cli_int("ZSCORE '%s' %s", ukey("user-sessions", "pruna"),
	    a), now + cfg.session_ttl);
	for (i = 0; i < 20; i++)
		assert_int_equal(cli_int("ZADD '%s' %ld "
		    "old%d", ukey("user-sessions", "pruna"), now - 1 - i, i), 1);
	assert_int_equal(cli_int("ZCARD '%s'", ukey("user-sessions", "pruna")), 21);
	mksession(b, "pruna", "pr-b", now);
	assert_int_equal(cli_int("ZCARD '%s'", ukey("user-sessions", "pruna")), 2);
	assert_int_equal(in_index("pruna", a), 1);
	assert_int_equal(in_index("pruna", b), 1);
	/* A listing at a later time drops what ended by then. */
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_user_sessions(st, "pruna", 5,
	    now + cfg.session_ttl, sess_cb, &sc), ERR_OK);
	assert_int_equal(sc.n, 0);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user-sessions", "pruna")), 0);
}

/*
 * An index of the older form (a plain SET) keeps working: the first
 * write converts it to the sorted set, keeping every id, scored with the
 * set's expiry.
 */
static void
test_index_old_set_upgraded(void **state)
{
	struct sess_ctx	 sc;
	struct store_hashes h;
	char		 a[TOK_SID_LEN + 1], b[TOK_SID_LEN + 1];
	char		 c[TOK_SID_LEN + 1];
	char		 type[32];
	long		 now = (long)time(NULL), n = 0;

	(void)state;
	mksession(a, "pruna", "up-a", now);
	mksession(b, "pruna", "up-b", now + 1);
	/* Rewrite the index the way the older version kept it. */
	assert_int_equal(cli(NULL, 0, "DEL '%s' >/dev/null",
	    ukey("user-sessions", "pruna")), 0);
	assert_int_equal(cli_int("SADD '%s' %s %s", ukey("user-sessions", "pruna"),
	    a, b), 2);
	assert_int_equal(cli_int("EXPIRE '%s' 3600",
	    ukey("user-sessions", "pruna")), 1);
	memset(&sc, 0, sizeof(sc));
	sc.user = "pruna";
	assert_int_equal(store_user_sessions(st, "pruna", 5, now, sess_cb, &sc),
	    ERR_OK);
	assert_int_equal(sc.n, 2);
	assert_int_equal(cli(type, sizeof(type), "TYPE '%s'",
	    ukey("user-sessions", "pruna")), 0);
	assert_string_equal(type, "zset");
	assert_true(cli_int("ZSCORE '%s' %s", ukey("user-sessions", "pruna"), a) >=
	    now + 3590);

	/* A login converts it as well, and the logout of a session in an
	 * old set removes it from there. */
	assert_int_equal(cli(NULL, 0, "DEL '%s' >/dev/null",
	    ukey("user-sessions", "pruna")), 0);
	assert_int_equal(cli_int("SADD '%s' %s", ukey("user-sessions", "pruna"), a),
	    1);
	tok_sid_new(c, "0000");
	mkhashes(&h, "up-c", 0);
	assert_int_equal(login_session(st, c, "pruna", 5, &h, now),
	    ERR_OK);
	assert_int_equal(in_index("pruna", a), 1);
	assert_int_equal(in_index("pruna", c), 1);
	assert_int_equal(cli(NULL, 0, "DEL '%s' >/dev/null",
	    ukey("user-sessions", "pruna")), 0);
	assert_int_equal(cli_int("SADD '%s' %s %s", ukey("user-sessions", "pruna"),
	    a, b), 2);
	assert_int_equal(store_session_end(st, "pruna", 5, b, strlen(b)),
	    ERR_OK);
	assert_int_equal(cli_int("SISMEMBER '%s' %s",
	    ukey("user-sessions", "pruna"), b), 0);
	assert_int_equal(store_user_revoke(st, "pruna", 5, now, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user-sessions", "pruna")), 0);
}

/* store_session_end ends a session of its user only; a foreign one
 * answers like a missing one and stays. */
static void
test_session_end_owned_only(void **state)
{
	struct store_session	 ss;
	char			 a[TOK_SID_LEN + 1], x[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);

	(void)state;
	mksession(a, "endo", "eo-a", now);
	mksession(x, "endx", "eo-x", now);
	assert_int_equal(store_session_end(st, "endo", 4, x, strlen(x)),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, x, strlen(x), &ss), ERR_OK);
	assert_int_equal(in_index("endx", x), 1);
	assert_int_equal(store_session_end(st, "endo", 4, a, strlen(a)),
	    ERR_OK);
	assert_int_equal(store_session_get(st, a, strlen(a), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(in_index("endo", a), 0);
	assert_int_equal(store_session_end(st, "endo", 4, a, strlen(a)),
	    ERR_SESSION_NOT_FOUND);
}

static void
test_user_revoke(void **state)
{
	struct store_session	 ss;
	char			 a[TOK_SID_LEN + 1], b[TOK_SID_LEN + 1];
	char			 c[TOK_SID_LEN + 1], x[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL), n = -1;
	int			 i;

	(void)state;
	mksession(a, "rita", "rv-a", now);
	mksession(b, "rita", "rv-b", now);
	mksession(c, "rita", "rv-c", now);
	mksession(x, "sam", "rv-x", now);
	assert_int_equal(cli_int("ZADD '%s' %ld %s", ukey("user-sessions", "rita"),
	    now + 100, x), 1);
	assert_int_equal(store_user_revoke(st, "rita", 4, now, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_session_get(st, a, strlen(a), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, b, strlen(b), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, c, strlen(c), &ss),
	    ERR_SESSION_NOT_FOUND);
	assert_int_equal(store_session_get(st, x, strlen(x), &ss), ERR_OK);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user-sessions", "rita")), 0);

	assert_int_equal(store_user_revoke(st, "rita", 4, now, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_revoke(st, "rita", 4, now, NULL), ERR_OK);

	/* More sessions than one script ends. */
	for (i = 0; i < 70; i++)
		mksession(a, "rita", "rv-many", now);
	assert_int_equal(store_user_revoke(st, "rita", 4, now, &n), ERR_OK);
	assert_int_equal(n, 70);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("user-sessions", "rita")), 0);
}

/*
 * RACERS processes rotate one session with the same old refresh hash at
 * the same moment: exactly one wins, and the session holds the winner's
 * hashes.
 */
static void
test_rotate_race(void **state)
{
	struct store_hashes	 h0, hi;
	struct store_session	 ss;
	char			 sid[TOK_SID_LEN + 1];
	long			 now = (long)time(NULL);
	pid_t			 pids[RACERS], pid;
	int			 go[2], i, status, ok = 0, conflict = 0;
	int			 winner = -1;
	char			 byte;

	(void)state;
	tok_sid_new(sid, "0000");
	mkhashes(&h0, "race", -1);
	assert_int_equal(login_session(st, sid, "tess", 4, &h0, now),
	    ERR_OK);
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < RACERS; i++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct store	*cs;
			enum err	 e;

			close(go[1]);
			while (read(go[0], &byte, 1) == -1 && errno == EINTR)
				continue;
			if ((cs = store_open(&cfg)) == NULL)
				_exit(3);
			mkhashes(&hi, "race", i);
			e = refresh_current(cs, sid, strlen(sid), h0.refresh_hash,
			    &hi, now, NULL);
			store_close(cs);
			_exit(e == ERR_OK ? 0 :
			    e == ERR_REFRESH_CONFLICT ? 1 : 2);
		}
		pids[i] = pid;
	}
	close(go[0]);
	close(go[1]);		/* everyone starts now */
	for (i = 0; i < RACERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 0) {
			ok++;
			winner = i;
		} else if (WEXITSTATUS(status) == 1)
			conflict++;
	}
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, RACERS - 1);
	mkhashes(&hi, "race", winner);
	assert_int_equal(store_session_get(st, sid, strlen(sid), &ss), ERR_OK);
	assert_string_equal(ss.refresh_hash, hi.refresh_hash);
	assert_string_equal(ss.authorization_hash, hi.authorization_hash);
	assert_string_equal(ss.corban_hash, hi.corban_hash);
}

/* ---- regulation ---- */

static void
test_attempts_ban_past_max(void **state)
{
	long	 ttl;
	int	 found, i;

	(void)state;
	for (i = 1; i <= cfg.max_failures; i++) {
		ttl = -1;
		assert_int_equal(count_attempt(st, STORE_SUBJ_USER, "uma", 3,
		    &ttl), ERR_OK);
		assert_int_equal(ttl, 0);
		assert_int_equal(store_ban_ttl(st, STORE_SUBJ_USER, "uma", 3,
		    &ttl), ERR_OK);
		assert_int_equal(ttl, 0);
	}
	/* The counter lives failure_window from its first attempt. */
	ttl = cli_int("TTL '%s'", ukey("fail", "uma"));
	assert_true(ttl > cfg.failure_window - 5 &&
	    ttl <= cfg.failure_window);

	/* One attempt more than max_failures is refused and starts a ban. */
	assert_int_equal(count_attempt(st, STORE_SUBJ_USER, "uma", 3, &ttl),
	    ERR_OK);
	assert_int_equal(ttl, cfg.ban_time);
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_USER, "uma", 3, &ttl),
	    ERR_OK);
	assert_true(ttl > cfg.ban_time - 5 && ttl <= cfg.ban_time);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("fail", "uma")), 0);
	/* While banned nothing is counted. */
	assert_int_equal(count_attempt(st, STORE_SUBJ_USER, "uma", 3, &ttl),
	    ERR_OK);
	assert_true(ttl > 0);
	assert_int_equal(cli_int("EXISTS '%s'", ukey("fail", "uma")), 0);
	/* The other kind of the same text is not banned. */
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_ADDR, "uma", 3, &ttl),
	    ERR_OK);
	assert_int_equal(ttl, 0);

	assert_int_equal(store_unban(st, "uma", 3, &found), ERR_OK);
	assert_int_equal(found, 1);
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_USER, "uma", 3, &ttl),
	    ERR_OK);
	assert_int_equal(ttl, 0);
	assert_int_equal(store_unban(st, "uma", 3, &found), ERR_OK);
	assert_int_equal(found, 0);
	assert_int_equal(count_attempt(st, STORE_SUBJ_USER, "uma", 3, &ttl),
	    ERR_OK);
	assert_int_equal(ttl, 0);
}

static void
test_attempt_reset_and_undo(void **state)
{
	long	 ttl;
	int	 i;

	(void)state;
	for (i = 1; i <= cfg.max_failures; i++)
		assert_int_equal(count_attempt(st, STORE_SUBJ_ADDR, "192.0.2.7",
		    9, &ttl), ERR_OK);
	assert_int_equal(store_fail_reset(st, STORE_SUBJ_ADDR, "192.0.2.7", 9),
	    ERR_OK);
	for (i = 1; i <= cfg.max_failures; i++) {
		assert_int_equal(count_attempt(st, STORE_SUBJ_ADDR, "192.0.2.7",
		    9, &ttl), ERR_OK);
		assert_int_equal(ttl, 0);
	}
	/* An attempt taken back leaves room for exactly one more. */
	assert_int_equal(store_attempt_undo(st, STORE_SUBJ_ADDR, "192.0.2.7",
	    9), ERR_OK);
	assert_int_equal(count_attempt(st, STORE_SUBJ_ADDR, "192.0.2.7", 9,
	    &ttl), ERR_OK);
	assert_int_equal(ttl, 0);
	assert_int_equal(count_attempt(st, STORE_SUBJ_ADDR, "192.0.2.7", 9,
	    &ttl), ERR_OK);
	assert_true(ttl > 0);
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_USER, "192.0.2.7", 9,
	    &ttl), ERR_OK);
	assert_int_equal(ttl, 0);
	/* unban tries both kinds. */
	assert_int_equal(store_unban(st, "192.0.2.7", 9, NULL), ERR_OK);
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_ADDR, "192.0.2.7", 9,
	    &ttl), ERR_OK);
	assert_int_equal(ttl, 0);
	/* Undo of a subject without a counter creates nothing. */
	assert_int_equal(store_attempt_undo(st, STORE_SUBJ_ADDR, "192.0.2.8",
	    9), ERR_OK);
	assert_int_equal(cli_int("EXISTS '%sfail:{a:192.0.2.8}'", prefix), 0);
}

static void
test_ban_ttl_rounds_up(void **state)
{
	long	 ttl;

	(void)state;
	assert_int_equal(cli(NULL, 0, "SET '%s' 1 PX 300 "
	    ">/dev/null", ukey("ban", "vic")), 0);
	assert_int_equal(store_ban_ttl(st, STORE_SUBJ_USER, "vic", 3, &ttl),
	    ERR_OK);
	assert_int_equal(ttl, 1);
}

/* ---- the run ---- */

static int
setup(void **state)
{
	const char	*p;

	(void)state;
	p = getenv("AUT_TEST_REDIS_PORT");
	port = p != NULL ? atoi(p) : 0;
	snprintf(prefix, sizeof(prefix), "t-store-%ld:", (long)getpid());
	cfg_defaults(&cfg);
	snprintf(cfg.redis_host, sizeof(cfg.redis_host), "127.0.0.1");
	cfg.redis_port = port;
	cfg.redis_timeout_ms = 1000;
	snprintf(cfg.key_prefix, sizeof(cfg.key_prefix), "%s", prefix);
	cfg.access_ttl = 900;
	cfg.session_ttl = 3600;
	cfg.max_failures = 3;
	cfg.failure_window = 300;
	cfg.ban_time = 900;
	if ((st = store_open(&cfg)) == NULL)
		return -1;
	return 0;
}

/*
 * Delete every key of this run.  A Lua SCAN loop rather than
 * redis-cli --scan: some keys hold bytes (NUL, '%') a shell pipe would
 * mangle.
 */
static int
teardown(void **state)
{
	char	 out[64];

	(void)state;
	store_close(st);
	if (cli(out, sizeof(out), "EVAL \"local c = '0' repeat "
	    "local r = redis.call('SCAN', c, 'MATCH', ARGV[1], 'COUNT', 1000) "
	    "c = r[1] for _, k in ipairs(r[2]) do redis.call('DEL', k) end "
	    "until c == '0' return 0\" 0 '%s*'", prefix) != 0)
		return -1;
	return strcmp(out, "0") == 0 ? 0 : -1;
}

int
main(void)
{
	const char			*p;
	const struct CMUnitTest		 tests[] = {
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_unreachable_is_unavailable_quickly),
		cmocka_unit_test(test_silent_server_times_out),
		cmocka_unit_test_teardown(test_reconnects_after_client_kill,
		    private_teardown),
		cmocka_unit_test_teardown(test_recovers_after_redis_restart,
		    private_teardown),
		cmocka_unit_test_teardown(test_unix_socket,
		    private_teardown),
		cmocka_unit_test(test_auth_with_acl_user),
		cmocka_unit_test(test_select_db),
		cmocka_unit_test(test_script_flush_falls_back_to_eval),
		cmocka_unit_test(test_session_write_one_round_trip),
		cmocka_unit_test(test_session_write_after_script_flush),
		cmocka_unit_test(test_session_refresh_one_round_trip),
		cmocka_unit_test(test_login_two_round_trips),
		cmocka_unit_test(test_user_add_get),
		cmocka_unit_test(test_user_name_limits_and_bytes),
		cmocka_unit_test(test_user_set_hash),
		cmocka_unit_test(test_user_set_disabled),
		cmocka_unit_test(test_user_del_and_list_sorted),
		cmocka_unit_test(test_slot_tag),
		cmocka_unit_test(test_user_keys_share_a_tag),
		cmocka_unit_test(test_user_list_skips_untagged),
		cmocka_unit_test(test_migrate_old_layout),
		cmocka_unit_test(test_user_malformed_record_is_internal),
		cmocka_unit_test(test_session_create_get),
		cmocka_unit_test(test_session_create_taken_sid),
		cmocka_unit_test(test_session_past_sexp_is_gone),
		cmocka_unit_test(test_session_bad_arguments),
		cmocka_unit_test(test_session_malformed_is_internal),
		cmocka_unit_test(test_session_renew),
		cmocka_unit_test(test_session_rotate_cas),
		cmocka_unit_test(test_session_rotate_caps_aexp_at_sexp),
		cmocka_unit_test(test_session_spent),
		cmocka_unit_test(test_spent_ring_is_bounded),
		cmocka_unit_test(test_spent_older_form_upgraded),
		cmocka_unit_test(test_session_del),
		cmocka_unit_test(test_user_sessions_drops_missing_and_foreign),
		cmocka_unit_test(test_index_pruned_on_write),
		cmocka_unit_test(test_index_old_set_upgraded),
		cmocka_unit_test(test_session_end_owned_only),
		cmocka_unit_test(test_user_revoke),
		cmocka_unit_test(test_rotate_race),
		cmocka_unit_test(test_attempts_ban_past_max),
		cmocka_unit_test(test_attempt_reset_and_undo),
		cmocka_unit_test(test_ban_ttl_rounds_up),
	};

	p = getenv("AUT_TEST_REDIS_PORT");
	if (p == NULL || atoi(p) <= 0) {
		fprintf(stderr, "test_store: AUT_TEST_REDIS_PORT is not set: "
		    "this test needs a running redis-server (tests/run.sh "
		    "starts one and exports its port)\n");
		printf("[  FAILED  ] test_store: no redis-server to test "
		    "against\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init("test_store");
	return cmocka_run_group_tests(tests, setup, teardown);
}
