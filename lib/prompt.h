/*
 * prompt.h - reading a password from a person: a line of stdin, or a
 * prompt on the terminal with echo off.  Used by autenticacao-admin; no
 * secret read here is ever echoed, and every buffer that held one is wiped
 * on failure.
 */
#ifndef AUTENTICACAO_PROMPT_H
#define AUTENTICACAO_PROMPT_H

#include <stddef.h>

enum prompt_result {
	PROMPT_OK,
	PROMPT_FAILED,	/* the reason is in why */
	PROMPT_SIGNAL	/* a terminating signal arrived: prompt_signal() */
};

/*
 * Read one line from fd a byte at a time, so nothing past its end is
 * consumed, into buf (bufsz bytes, not NUL-terminated).  *len receives the
 * bytes kept, without the "\n" or "\r\n" that ended the line.  *over is set
 * when the line did not fit in buf; then, if drain, the rest of the line
 * is read and dropped (a terminal would hand it to the shell otherwise).
 * Returns 0 at the end of the line or of the input, -1 on a read error or
 * when a prompt signal arrived (prompt_signal() set).
 */
int		 prompt_line(int fd, char *buf, size_t bufsz, size_t *len,
		    int *over, int drain);

/*
 * Show prompt on the terminal (/dev/tty, else stdin and stderr) and read
 * one line with echo off into buf, as prompt_line does.  The terminal
 * settings and the signal dispositions are restored before returning,
 * whatever happened.  A stop signal (^Z) stops the program with the
 * terminal restored and prompts again once continued.  Returns PROMPT_OK;
 * PROMPT_FAILED with the reason in why (whysz bytes); PROMPT_SIGNAL when
 * SIGHUP, SIGINT, SIGQUIT or SIGTERM arrived: the caller wipes its secrets
 * and raises prompt_signal() again.  buf is wiped unless PROMPT_OK.
 */
enum prompt_result prompt_noecho(const char *prompt, char *buf, size_t bufsz,
		    size_t *len, int *over, char *why, size_t whysz);

/* The terminating signal that interrupted a prompt, or 0. */
int		 prompt_signal(void);

#endif
