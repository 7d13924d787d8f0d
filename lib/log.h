/*
 * log.h - the logger: one line per call on stderr, which lighttpd and
 * Apache put in their error log, as text or as one JSON object a line
 * (log_format).  Never pass a password or a token.
 */
#ifndef AUTENTICACAO_LOG_H
#define AUTENTICACAO_LOG_H

#include <stddef.h>

enum log_level {
	LOG_INFO,
	LOG_WARN,
	LOG_ERR
};

enum log_format {
	LOG_FORMAT_TEXT = 0,	/* "TIME PROG[PID]: LEVEL: message" */
	LOG_FORMAT_JSON		/* {"time":…,"level":…,"event":…,…} */
};

/*
 * One field of an event: a string (NUL-terminated; NULL leaves the field
 * out) or, with is_num, the number num.  Strings are escaped by the
 * logger, whatever bytes they hold; request-supplied text still goes
 * through text_log_field() first, so that both formats show one value.
 */
struct log_kv {
	const char	*key;	/* a JSON key: lowercase ASCII, no escaping */
	const char	*str;
	long long	 num;
	int		 is_num;
};

#define LOG_STR(k, v)	{ (k), (v), 0, 0 }
#define LOG_NUM(k, n)	{ (k), NULL, (long long)(n), 1 }

/* Program name shown in every line; the string must outlive the program.
 * Also records the process id every line shows (one getpid(2) per process,
 * not per line): a process that forks calls it again in the child. */
void	log_init(const char *progname);
/* The format of the lines that follow (the config's log_format); text
 * until it is called, so errors of the config itself are text. */
void	log_set_format(enum log_format f);
enum log_format	log_get_format(void);

/* printf-style; a newline is added.  CR/LF and other control bytes in the
 * formatted text are written as '?', so user data cannot forge lines.  In
 * the JSON format the text is the "message" of an event "log". */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One event of docs/API.md "Observability" (event "request",
 * "login.success", ...) with n fields kv.  Text format: the formatted fmt
 * as log_info() and its kind write it; nothing when fmt is NULL (an event
 * the text format leaves to the request line).  JSON format: time, level,
 * program, pid, event, the fields, and "message" when fmt is not NULL.
 */
void	log_event(enum log_level lvl, const char *event,
	    const struct log_kv *kv, size_t n, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

#endif
