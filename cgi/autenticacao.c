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
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <fcgios.h>

#include "cfg.h"
#include "err.h"
#include "log.h"
#include "reply.h"
#include "serve.h"
#include "store.h"

/* ---- I/O of one FastCGI request ---- */

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static size_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	size_t	 got = 0;
	int	 rc;

	while (got < n) {
		rc = FCGX_GetStr(buf + got, (int)(n - got),
		    ((FCGX_Request *)ctx)->in);
		if (rc <= 0)
			break;
		got += (size_t)rc;
	}
	return got;
}

static int
fcgi_write(void *ctx, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ((FCGX_Request *)ctx)->out) ==
	    (int)n ? 0 : -1;
}

/* ---- I/O of plain CGI (RFC 3875) ---- */

static const char *
cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static size_t
cgi_read(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	return fread(buf, 1, n, stdin);
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
	sigset_t		 stop;
	const char		*env;
	char			 path[PATH_MAX];
	int			 cgi, ok, rc = 1;

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
	io.ctx = NULL;
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
		serve(&cfg, st, &io);
		fflush(stdout);
		rc = 0;
		goto out;
	}

	/*
	 * SIGTERM (lighttpd, spawn-fcgi's supervisor, systemd, mod_fcgid) and
	 * SIGUSR1 end the process after the request in hand: they are
	 * blocked while a request is served, so its reads and writes are
	 * never interrupted, and delivered only around FCGX_Accept_r, whose
	 * accept(2) they interrupt (no SA_RESTART, FCGI_FAIL_ACCEPT_ON_INTR).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);

	if (FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("FastCGI request setup failed");
		goto out;
	}
	io.ctx = &rq;
	io.param = fcgi_param;
	io.read = fcgi_read;
	io.write = fcgi_write;
	for (;;) {
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
		if (term)
			break;
		ok = FCGX_Accept_r(&rq) >= 0;
		sigprocmask(SIG_BLOCK, &stop, NULL);
		if (!ok)
			break;	/* interrupted by a signal, or a dead socket */
		serve(&cfg, st, &io);
		FCGX_Finish_r(&rq);
	}
	FCGX_Free(&rq, 1);
	rc = 0;
out:
	store_close(st);
	cfg_clear(&cfg);
	OS_LibShutdown();	/* frees what FCGX_Init allocated */
	return rc;
}
