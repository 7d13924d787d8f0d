/*
 * autenticacao.fcgi - the responder (and FastCGI authorizer): main, the
 * I/O adapters of plain CGI and of FastCGI, signals, the accept loop.
 *
 * Start-up reads the config once, then one accept loop serves requests:
 * under a FastCGI listening socket (lighttpd bin-path, spawn-fcgi, Apache
 * mod_fcgid) until SIGTERM, with no socket exactly one request as plain CGI
 * (environment + stdin).  Each request is lib/serve.c's serve(), whose
 * header draws its one path.
 *
 * Command-line arguments are ignored: a CGI server may pass a query string
 * as argv (RFC 3875 4.4).  Fatal errors happen only before the first
 * accept; after it every failure is an answer.  Out of memory inside a
 * library we call (hiredis, json-c) is answered as a 500 where the library
 * reports it; the spawner restarts a worker that dies.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>
#include <fcgios.h>

#include "cfg.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "scrypt.h"
#include "serve.h"
#include "store.h"

/* After this long without a request, the scrypt buffer's pages go back to
 * the kernel (scrypt_idle), so a responder at rest stays small. */
#define IDLE_MS		1000

/* Milliseconds of CLOCK_MONOTONIC. */
static long long
mono_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * One request being read: its FastCGI state (NULL under plain CGI) and
 * the time by which its body must have arrived.  A client that sends its
 * body slowly must not hold a worker: past body_timeout the body is
 * short, which the request path answers 400, and the worker moves on.
 */
struct conn {
	FCGX_Request	*rq;
	struct timespec	 deadline;	/* CLOCK_MONOTONIC */
	long		 timeout;	/* seconds, for the log */
	int		 late;		/* the deadline passed, logged */
};

/* Start the body clock of c at accept. */
static void
conn_start(struct conn *c, long timeout)
{

	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += timeout;
	c->timeout = timeout;
	c->late = 0;
}

/* Milliseconds left before c's deadline; 0 when it has passed (logged
 * once). */
static long
conn_left(struct conn *c)
{
	struct timespec	 now;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (c->deadline.tv_sec - now.tv_sec) * 1000 +
	    (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms > 0)
		return ms;
	if (!c->late)
		log_warn("request body not received within %ld s "
		    "(body_timeout)", c->timeout);
	c->late = 1;
	return 0;
}

/* ---- I/O of one FastCGI request ---- */

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((struct conn *)ctx)->rq->envp);
}

/* SO_RCVTIMEO of fd: ms milliseconds, 0 for none. */
static void
fcgi_rcvtimeo(int fd, long ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/*
 * Read up to n bytes of the body.  What libfcgi holds is taken as is;
 * when its buffer is empty, one byte is asked for with the socket's
 * receive timeout set to the time left, so that every read(2) libfcgi
 * makes ends by the deadline, however slowly the bytes come.
 */
static size_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	struct conn	*c = ctx;
	FCGX_Stream	*in = c->rq->in;
	size_t		 got = 0, have;
	long		 left;
	int		 rc, timed = 0;

	while (got < n) {
		have = in->rdNext < in->stop ? (size_t)(in->stop - in->rdNext) :
		    0;
		if (have == 0) {
			if ((left = conn_left(c)) == 0)
				break;
			fcgi_rcvtimeo(c->rq->ipcFd, left);
			timed = 1;
			have = 1;
		}
		if (have > n - got)
			have = n - got;
		if ((rc = FCGX_GetStr(buf + got, (int)have, in)) <= 0) {
			if (in->FCGI_errno == EAGAIN ||
			    in->FCGI_errno == EWOULDBLOCK)
				(void)conn_left(c);
			break;
		}
		got += (size_t)rc;
	}
	if (timed)
		fcgi_rcvtimeo(c->rq->ipcFd, 0);
	return got;
}

static int
fcgi_write(void *ctx, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ((struct conn *)ctx)->rq->out) ==
	    (int)n ? 0 : -1;
}

/* ---- I/O of plain CGI (RFC 3875) ---- */

static const char *
cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

/* Read up to n bytes of stdin, each wait bounded by the deadline. */
static size_t
cgi_read(void *ctx, char *buf, size_t n)
{
	struct conn	*c = ctx;
	struct pollfd	 pfd;
	size_t		 got = 0;
	ssize_t		 r;
	long		 left;
	int		 p;

	while (got < n) {
		if ((left = conn_left(c)) == 0)
			break;
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((p = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left)) ==
		    -1 && errno == EINTR)
			continue;
		if (p == 0) {
			(void)conn_left(c);
			continue;
		}
		if (p == -1)
			break;
		if ((r = read(STDIN_FILENO, buf + got, n - got)) == -1 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static int
cgi_write(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

static volatile sig_atomic_t	 term;	/* SIGTERM or SIGUSR1 arrived */

static void
on_term(int sig)
{
	(void)sig;
	term = 1;
}

/*
 * Load the config at path into c and open the store into *st.  Returns 0,
 * or -1 after logging why.
 */
static int
setup(struct cfg *c, const char *path, struct store **st)
{
	char	 err[512];

	cfg_defaults(c);
	if (cfg_load(c, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	log_set_format(c->log_json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
	met_init(c->metrics);
	if ((*st = store_open(c)) == NULL) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct cfg	 cfg;
	struct store		*st = NULL;
	struct http_io		 io;
	struct sigaction	 sa;
	FCGX_Request		 rq;
	struct conn		 conn;
	sigset_t		 stop, waiting;
	struct pollfd		 pfd;
	struct timespec		 ts, *tp;
	long long		 idle_at, now;
	long			 ms;
	const char		*env;
	char			 path[PATH_MAX];
	int			 cgi, fl, n, ok, rc = 1;

	/* RFC 3875 4.4: argv may carry a query string; never commands. */
	(void)argc;
	(void)argv;
	log_init("autenticacao");
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0) {
		log_err("FastCGI library failed to initialise");
		return 1;
	}
	cgi = FCGX_IsCGI();
	memset(&io, 0, sizeof(io));
	memset(&conn, 0, sizeof(conn));
	io.ctx = &conn;
	io.param = cgi_param;
	io.read = cgi_read;
	io.write = cgi_write;

	/*
	 * The config path: AUTENTICACAO_CONF of the process, else the
	 * compiled-in path; never a request's variables (a FastCGI param is
	 * whatever the peer on the socket sends).  Read before the first
	 * accept, so a bad config stops the start.
	 */
	env = getenv("AUTENTICACAO_CONF");
	if (env != NULL && strlen(env) >= sizeof(path)) {
		log_err("AUTENTICACAO_CONF longer than %zu bytes",
		    sizeof(path) - 1);
		if (cgi)
			reply_error(&io, ERR_INTERNAL, NULL, NULL, 0);
		goto out;
	}
	snprintf(path, sizeof(path), "%s", cfg_path());
	if (setup(&cfg, path, &st) == -1) {
		if (cgi)
			reply_error(&io, ERR_INTERNAL, NULL, NULL, 0);
		goto out;
	}

	if (cgi) {
		conn_start(&conn, cfg.body_timeout);
		serve(&cfg, st, &io);
		fflush(stdout);
		/* The answer is out: the counts of this one request go now. */
		(void)store_metrics_flush(st);
		rc = 0;
		goto out;
	}

	/*
	 * SIGTERM (lighttpd, spawn-fcgi's supervisor, systemd, mod_fcgid) and
	 * SIGUSR1 end the process after the request in hand.  They stay
	 * blocked, so a request's reads and writes are never interrupted, and
	 * are let through only while the process waits for a connection:
	 * ppoll(2) on the listening socket unblocks them atomically with the
	 * wait (no signal slips in between the check of term and the wait,
	 * and no sigprocmask pair per request).  The listening socket is
	 * non-blocking, so a worker that loses the race for a connection to
	 * another one (every worker wakes on it) is told EAGAIN by accept(2)
	 * and waits again.  A connection the web server keeps open
	 * (FCGI_KEEP_CONN) is waited on instead of the listening socket.
	 * The wait ends early for two timers: IDLE_MS after the last
	 * request the scrypt buffer's pages go back to the kernel
	 * (scrypt_idle), and while this worker's metrics wait (metrics.h)
	 * a batch that is due is sent, so counts reach Redis about a second
	 * late even when no request follows.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);
	sigprocmask(SIG_BLOCK, &stop, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGUSR1);

	if ((fl = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL)) == -1 ||
	    fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_err("FastCGI listening socket: %s", strerror(errno));
		goto out;
	}
	if (FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("FastCGI request setup failed");
		goto out;
	}
	conn.rq = &rq;
	io.param = fcgi_param;
	io.read = fcgi_read;
	io.write = fcgi_write;
	idle_at = mono_ms() + IDLE_MS;
	while (!term) {
		pfd.fd = rq.ipcFd >= 0 ? rq.ipcFd : rq.listen_sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		tp = NULL;
		ms = met_idle_ms();
		if (idle_at > 0) {
			now = mono_ms();
			if (ms < 0 || idle_at - now < ms)
				ms = idle_at > now ? (long)(idle_at - now) : 0;
		}
		if (ms >= 0) {
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (ms % 1000) * 1000000;
			tp = &ts;
		}
		if ((n = ppoll(&pfd, 1, tp, &waiting)) == -1) {
			if (errno == EINTR)
				continue;	/* term is set */
			log_err("FastCGI listening socket: %s",
			    strerror(errno));
			break;
		}
		if (n == 0) {
			/* No request before a timer: the scrypt buffer, then
			 * this worker's batch if one waits. */
			if (idle_at > 0 && mono_ms() >= idle_at) {
				scrypt_idle();
				idle_at = 0;
			}
			(void)store_metrics_flush(st);
			continue;
		}
		if ((ok = FCGX_Accept_r(&rq)) < 0) {
			if (ok == -EAGAIN || ok == -EWOULDBLOCK ||
			    ok == -EINTR)
				continue;	/* another worker took it */
			break;			/* a dead socket */
		}
		conn_start(&conn, cfg.body_timeout);
		serve(&cfg, st, &io);
		FCGX_Finish_r(&rq);
		idle_at = mono_ms() + IDLE_MS;
	}
	FCGX_Free(&rq, 1);
	(void)store_metrics_flush(st);	/* what the last requests counted */
	rc = 0;
out:
	store_close(st);
	cfg_clear(&cfg);
	OS_LibShutdown();	/* frees what FCGX_Init allocated */
	return rc;
}
