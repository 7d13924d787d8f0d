/*
 * log.c - one line per call on stderr:
 *
 *   2026-11-26T12:00:00Z autenticacao[1234]: info: message
 *
 * The time is UTC.  Each line is formatted into a bounded buffer and handed
 * to the kernel with one write(2), so lines of concurrent worker processes
 * sharing one stderr do not interleave (a write of at most PIPE_BUF bytes
 * to a pipe is atomic; an O_APPEND file behaves alike).  Longer messages are
 * truncated and end in "...".  Control bytes are written as '?' so that
 * user data logged by a caller cannot forge or split lines.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024	/* bytes of one line, newline included */

_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "log lines must be atomic writes");

static const char	*log_progname = "autenticacao";
static pid_t		 log_pid;	/* 0 until log_init(): then getpid() */

static size_t	log_vappend(char *, size_t, int *, const char *, va_list)
		    __attribute__((format(printf, 4, 0)));
static size_t	log_append(char *, size_t, int *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	log_vwrite(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
log_init(const char *progname)
{

	if (progname != NULL && progname[0] != '\0')
		log_progname = progname;
	log_pid = getpid();
}

/*
 * Append at most room - 1 bytes of fmt's expansion at buf (room >= 1) and
 * return how many were stored; *trunc is set when the expansion did not
 * fit.
 */
static size_t
log_vappend(char *buf, size_t room, int *trunc, const char *fmt, va_list ap)
{
	int	 n;

	n = vsnprintf(buf, room, fmt, ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	if ((size_t)n >= room) {
		*trunc = 1;
		return room - 1;
	}
	return (size_t)n;
}

static size_t
log_append(char *buf, size_t room, int *trunc, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	va_start(ap, fmt);
	n = log_vappend(buf, room, trunc, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Format one line of level lvl into a buffer and write it to stderr.
 * errno is preserved, so a caller may log and then still report errno.
 * Failures to write are ignored: there is nowhere else to report them.
 */
static void
log_vwrite(const char *lvl, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX];
	const size_t	 cap = LOG_LINE_MAX;		/* text, then '\n' */
	struct tm	 tm;
	time_t		 now;
	size_t		 len, i, off;
	ssize_t		 w;
	int		 saved, trunc;

	saved = errno;
	len = 0;
	trunc = 0;

	now = time(NULL);
	if (gmtime_r(&now, &tm) != NULL)
		len = strftime(line, cap, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	len += log_append(line + len, cap - len, &trunc, "%s[%ld]: %s: ",
	    log_progname, (long)(log_pid != 0 ? log_pid : getpid()), lvl);
	len += log_vappend(line + len, cap - len, &trunc, fmt, ap);
	if (trunc && len >= 3)
		memcpy(line + len - 3, "...", 3);

	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';

	for (off = 0; off < len; off += (size_t)w) {
		w = write(STDERR_FILENO, line + off, len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0)
			break;
	}
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warn", fmt, ap);
	va_end(ap);
}

void
log_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("error", fmt, ap);
	va_end(ap);
}
