/*
 * prompt.c - the password prompt of autenticacao-admin (prompt.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "prompt.h"
#include "token.h"

/* Signals that interrupt a password prompt; the stop signals among them
 * stop the program with the terminal restored and prompt again on SIGCONT.
 * A terminating one is raised again by main once secrets are wiped. */
static const int tty_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU
};
#define TTY_SIGNALS_LEN	(sizeof(tty_signals) / sizeof(tty_signals[0]))

static volatile sig_atomic_t	tty_signo;	/* caught during a prompt */

/* Outcome of one prompt1(). */
enum prompt1 {
	P1_OK,
	P1_FAILED,	/* reason in why */
	P1_STOPPED,	/* stopped and continued: prompt again */
	P1_SIGNAL	/* a terminating signal, in tty_signo */
};

static void
tty_catch(int signo)
{

	tty_signo = signo;
}

static int
tty_stop_signal(int signo)
{

	return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

/* Write all of s to fd; errors are ignored (a prompt is a courtesy). */
static void
fd_puts(int fd, const char *s)
{
	size_t	 len = strlen(s);
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1 && errno == EINTR && tty_signo == 0)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* prompt.h */
int
prompt_line(int fd, char *buf, size_t bufsz, size_t *len, int *over,
    int drain)
{
	char	 c = 0;
	ssize_t	 n;
	int	 rc = -1, nl = 0;

	*len = 0;
	*over = 0;
	for (;;) {
		if (tty_signo != 0) {
			errno = EINTR;
			goto out;
		}
		n = read(fd, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		if (c == '\n') {
			nl = 1;
			break;
		}
		if (*len < bufsz)
			buf[(*len)++] = c;
		else {
			*over = 1;
			if (!drain)
				break;
		}
	}
	if (nl && !*over && *len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	rc = 0;
out:
	tok_wipe(&c, sizeof(c));
	return rc;
}

/*
 * Show prompt on the terminal and read one line with echo off into buf, as
 * prompt_line does.  The terminal is /dev/tty, or stdin and stderr when it
 * cannot be opened.  The terminal settings and the signal dispositions are
 * restored before returning, whatever happened.  A stop signal stops the
 * program after that and answers P1_STOPPED once continued; a terminating
 * one answers P1_SIGNAL with tty_signo set.  P1_FAILED puts the reason
 * into why.
 */
static enum prompt1
prompt1(const char *prompt, char *buf, size_t bufsz, size_t *len, int *over,
    char *why, size_t whysz)
{
	struct sigaction	 sa, saved[TTY_SIGNALS_LEN];
	struct termios		 old, noecho;
	enum prompt1		 rc = P1_FAILED;
	size_t			 i, nsaved = 0;
	int			 fd, in, out, restore = 0, rd = -1, saverr = 0;
	int			 signo;

	tty_signo = 0;
	*len = 0;
	*over = 0;
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		in = STDIN_FILENO;
		out = STDERR_FILENO;
	} else
		in = out = fd;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tty_catch;	/* no SA_RESTART: read(2) returns */
	for (nsaved = 0; nsaved < TTY_SIGNALS_LEN; nsaved++)
		if (sigaction(tty_signals[nsaved], &sa, &saved[nsaved]) == -1)
			break;

	if (tcgetattr(in, &old) == -1) {
		saverr = errno;
		goto out;
	}
	noecho = old;
	noecho.c_lflag &= ~(ECHO | ECHONL);
	while (tcsetattr(in, TCSAFLUSH, &noecho) == -1) {
		if (errno != EINTR || tty_signo != 0) {
			saverr = errno;
			goto out;
		}
	}
	restore = 1;
	fd_puts(out, prompt);
	rd = prompt_line(in, buf, bufsz, len, over, 1);
	saverr = errno;
	fd_puts(out, "\n");
out:
	/* Our own handlers stay in place until echo is back, so a signal
	 * arriving now only sets tty_signo. */
	if (restore)
		while (tcsetattr(in, TCSAFLUSH, &old) == -1 && errno == EINTR)
			continue;
	for (i = 0; i < nsaved; i++)
		sigaction(tty_signals[i], &saved[i], NULL);
	if (fd != -1)
		close(fd);

	signo = tty_signo;
	if (signo != 0 && tty_stop_signal(signo)) {
		tty_signo = 0;
		tok_wipe(buf, bufsz);
		kill(getpid(), signo);
		return P1_STOPPED;
	}
	if (signo != 0)
		rc = P1_SIGNAL;
	else if (!restore)
		snprintf(why, whysz, "cannot turn off echo on the terminal: %s",
		    strerror(saverr));
	else if (rd == -1)
		snprintf(why, whysz, "cannot read password: %s",
		    strerror(saverr));
	else
		rc = P1_OK;
	if (rc != P1_OK)
		tok_wipe(buf, bufsz);
	return rc;
}

enum prompt_result
prompt_noecho(const char *prompt, char *buf, size_t bufsz, size_t *len,
    int *over, char *why, size_t whysz)
{
	enum prompt1	 p;

	while ((p = prompt1(prompt, buf, bufsz, len, over, why, whysz)) ==
	    P1_STOPPED)
		continue;
	if (p == P1_OK)
		return PROMPT_OK;
	return p == P1_SIGNAL ? PROMPT_SIGNAL : PROMPT_FAILED;
}

int
prompt_signal(void)
{

	return tty_signo;
}
