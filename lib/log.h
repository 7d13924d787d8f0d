/*
 * log.h - the logger: one line per call on stderr, which lighttpd and
 * Apache put in their error log.  Never pass a password or a token.
 */
#ifndef AUTENTICACAO_LOG_H
#define AUTENTICACAO_LOG_H

/* Program name shown in every line; the string must outlive the program.
 * Also records the process id every line shows (one getpid(2) per process,
 * not per line): a process that forks calls it again in the child. */
void	log_init(const char *progname);
/* printf-style; a newline is added.  CR/LF and other control bytes in the
 * formatted text are written as '?', so user data cannot forge lines. */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
