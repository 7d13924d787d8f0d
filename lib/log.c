/*
 * log.c - one line per call on stderr, in the text format:
 *
 *   2026-11-26T12:00:00Z autenticacao[1234]: info: message
 *
 * or, with log_format = json, one JSON object (RFC 8259) a line:
 *
 *   {"time":"2026-11-26T12:00:00.123Z","level":"info",
 *    "program":"autenticacao","pid":1234,"event":"request",...}
 *
 * The time is UTC.  Each line is formatted into a bounded buffer and handed
 * to the kernel with one write(2), so lines of concurrent worker processes
 * sharing one stderr do not interleave (a write of at most PIPE_BUF bytes
 * to a pipe is atomic; an O_APPEND file behaves alike).  Longer messages are
 * truncated and end in "...".  Control bytes are written as '?' so that
 * user data logged by a caller cannot forge or split lines.  In JSON every
 * string is escaped here: '"', '\\' and control bytes as escapes, bytes
 * that are not UTF-8 as U+FFFD, so each line parses whatever a caller
 * passes; a line that does not fit LOG_JSON_MAX has its last string cut
 * with "..." and its remaining fields left out, and still parses.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024	/* bytes of one line, newline included */
#define LOG_JSON_MAX	2048	/* bytes of one JSON line, newline included */

_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "log lines must be atomic writes");
_Static_assert(LOG_JSON_MAX <= PIPE_BUF, "log lines must be atomic writes");

static const char	*log_progname = "autenticacao";
static enum log_format	 log_format = LOG_FORMAT_TEXT;

static const char *const log_levels[] = {
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERR] = "error",
};
static pid_t		 log_pid;	/* 0 until log_init(): then getpid() */

static size_t	log_vappend(char *, size_t, int *, const char *, va_list)
		    __attribute__((format(printf, 4, 0)));
static size_t	log_append(char *, size_t, int *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	log_vwrite(enum log_level, const char *, const char *,
		    va_list) __attribute__((format(printf, 3, 0)));

void
log_init(const char *progname)
{

	if (progname != NULL && progname[0] != '\0')
		log_progname = progname;
	log_pid = getpid();
}

void
log_set_format(enum log_format f)
{

	log_format = f;
}

enum log_format
log_get_format(void)
{

	return log_format;
}

/* Write the len bytes of line to stderr; errno is preserved and failures
 * are ignored (there is nowhere else to report them). */
static void
log_out(const char *line, size_t len)
{
	size_t		 off;
	ssize_t		 w;
	int		 saved;

	saved = errno;
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

/*
 * A JSON line being built in b (LOG_JSON_MAX bytes).  Appends stop at
 * LOG_JSON_MAX - 2, which keeps room for the closing "}\n"; once
 * something did not fit, full is set and later fields are left out.
 */
struct log_json {
	char	 b[LOG_JSON_MAX];
	size_t	 len;
	int	 full;
};

#define LOG_JSON_CAP	(LOG_JSON_MAX - 2)
#define LOG_JSON_SLACK	6	/* a string's opening '"' and its '..."' */

/* Append n bytes of s when they fit with room for a string after them. */
static void
log_json_raw(struct log_json *j, const char *s, size_t n)
{

	if (j->full || j->len + n + LOG_JSON_SLACK > LOG_JSON_CAP) {
		j->full = 1;
		return;
	}
	memcpy(j->b + j->len, s, n);
	j->len += n;
}

/*
 * Length of the UTF-8 character (RFC 3629) at s, of at most n bytes: 1..4,
 * or 0 when the bytes are not one (overlong, surrogate, past U+10FFFF,
 * cut short).
 */
static size_t
log_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t	 cp, min;
	size_t		 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Append the n bytes of s as a JSON string: '"' and '\\' escaped, control
 * bytes as \u00XX, what is not UTF-8 as \ufffd.  A string that does not
 * fit ends in "..." and sets j->full; the string is always closed.
 */
static void
log_json_str(struct log_json *j, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[8];
	const char		*add;
	size_t			 i, k, alen;

	if (j->full)
		return;
	j->b[j->len++] = '"';
	for (i = 0; i < n; i += k) {
		k = 1;
		add = esc;
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			alen = 2;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			alen = 6;
		} else if ((k = log_utf8_len(u + i, n - i)) == 0) {
			add = "\\ufffd";
			alen = 6;
			k = 1;
		} else {
			add = s + i;
			alen = k;
		}
		/* Room for this character and a closing '..."'. */
		if (j->len + alen + 4 > LOG_JSON_CAP) {
			memcpy(j->b + j->len, "...", 3);
			j->len += 3;
			j->full = 1;
			break;
		}
		memcpy(j->b + j->len, add, alen);
		j->len += alen;
	}
	j->b[j->len++] = '"';
}

/* Append ,"key":"value" (str of n bytes). */
static void
log_json_field(struct log_json *j, const char *key, const char *str,
    size_t n)
{
	char	 k[64];
	int	 kn;

	kn = snprintf(k, sizeof(k), ",\"%s\":", key);
	if (kn < 0 || (size_t)kn >= sizeof(k))
		return;
	log_json_raw(j, k, (size_t)kn);
	log_json_str(j, str, n);
}

/* Append ,"key":num. */
static void
log_json_num(struct log_json *j, const char *key, long long num)
{
	char	 k[96];
	int	 kn;

	kn = snprintf(k, sizeof(k), ",\"%s\":%lld", key, num);
	if (kn > 0 && (size_t)kn < sizeof(k))
		log_json_raw(j, k, (size_t)kn);
}

/*
 * Write one JSON line: level lvl, event, the n fields kv and, when msg
 * is not NULL, "message".
 */
static void
log_json_write(enum log_level lvl, const char *event,
    const struct log_kv *kv, size_t n, const char *msg)
{
	struct log_json	 j;
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[40];
	size_t		 i;

	j.len = 0;
	j.full = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		strcpy(t, "1970-01-01T00:00:00");
	snprintf(t + strlen(t), sizeof(t) - strlen(t), ".%03ldZ",
	    (long)(ts.tv_nsec / 1000000));
	j.b[j.len++] = '{';
	log_json_raw(&j, "\"time\":", 7);
	log_json_str(&j, t, strlen(t));
	log_json_field(&j, "level", log_levels[lvl], strlen(log_levels[lvl]));
	log_json_field(&j, "program", log_progname, strlen(log_progname));
	log_json_num(&j, "pid",
	    (long long)(log_pid != 0 ? log_pid : getpid()));
	log_json_field(&j, "event", event, strlen(event));
	for (i = 0; i < n; i++) {
		if (kv[i].is_num)
			log_json_num(&j, kv[i].key, kv[i].num);
		else if (kv[i].str != NULL)
			log_json_field(&j, kv[i].key, kv[i].str,
			    strlen(kv[i].str));
	}
	if (msg != NULL)
		log_json_field(&j, "message", msg, strlen(msg));
	j.b[j.len++] = '}';
	j.b[j.len++] = '\n';
	log_out(j.b, j.len);
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
 * Format one line of level lvl into a buffer and write it to stderr: the
 * text format, or in JSON the text as the "message" of event (an event
 * "log" for log_info and its kind).  errno is preserved, so a caller may
 * log and then still report errno.
 */
static void
log_vwrite(enum log_level lvl, const char *event, const char *fmt,
    va_list ap)
{
	char		 line[LOG_LINE_MAX];
	const size_t	 cap = LOG_LINE_MAX;		/* text, then '\n' */
	struct tm	 tm;
	time_t		 now;
	size_t		 len, i;
	int		 saved, trunc;

	saved = errno;
	len = 0;
	trunc = 0;

	if (log_format == LOG_FORMAT_JSON) {
		len = log_vappend(line, cap - 1, &trunc, fmt, ap);
		if (trunc && len >= 3)
			memcpy(line + len - 3, "...", 3);
		line[len] = '\0';
		log_json_write(lvl, event, NULL, 0, line);
		errno = saved;
		return;
	}

	now = time(NULL);
	if (gmtime_r(&now, &tm) != NULL)
		len = strftime(line, cap, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	len += log_append(line + len, cap - len, &trunc, "%s[%ld]: %s: ",
	    log_progname, (long)(log_pid != 0 ? log_pid : getpid()),
	    log_levels[lvl]);
	len += log_vappend(line + len, cap - len, &trunc, fmt, ap);
	if (trunc && len >= 3)
		memcpy(line + len - 3, "...", 3);

	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	log_out(line, len);
	errno = saved;
}

/* log_vwrite of a ready text. */
static void
log_text(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_text(enum log_level lvl, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(lvl, "log", fmt, ap);
	va_end(ap);
}

void
log_event(enum log_level lvl, const char *event, const struct log_kv *kv,
    size_t n, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[LOG_LINE_MAX];
	size_t	 len;
	int	 trunc = 0, saved;

	saved = errno;
	if (fmt != NULL) {
		va_start(ap, fmt);
		len = log_vappend(msg, sizeof(msg), &trunc, fmt, ap);
		va_end(ap);
		if (trunc && len >= 3)
			memcpy(msg + len - 3, "...", 3);
		msg[len] = '\0';
		if (log_format == LOG_FORMAT_JSON)
			log_json_write(lvl, event, kv, n, msg);
		else
			log_text(lvl, "%s", msg);
		errno = saved;
		return;
	}
	if (log_format == LOG_FORMAT_JSON)
		log_json_write(lvl, event, kv, n, NULL);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, "log", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARN, "log", fmt, ap);
	va_end(ap);
}

void
log_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, "log", fmt, ap);
	va_end(ap);
}
