/*
 * text.h - the rules for text a client or an operator hands us: user
 * names, passwords, and what is copied into the log.  The rule of every
 * text field of the API (docs/API.md "Errors"): well-formed UTF-8 without
 * control characters.
 */
#ifndef AUTENTICACAO_TEXT_H
#define AUTENTICACAO_TEXT_H

#include <stddef.h>

/* What is wrong with a text value, in the order text_check() looks. */
enum text_fault {
	TEXT_OK = 0,
	TEXT_EMPTY,		/* 0 bytes */
	TEXT_LONG,		/* more than max bytes */
	TEXT_NUL,		/* a NUL byte */
	TEXT_UTF8,		/* not well-formed UTF-8 */
	TEXT_CTRL,		/* a control character */
	TEXT_BLANK,		/* starts or ends with a space (TEXT_F_TRIMMED) */
	TEXT__MAX
};

/* text_check() flags. */
#define TEXT_F_TRIMMED	0x1	/* no space at either end */

/* 1 if s (len bytes) is well-formed UTF-8 (RFC 3629 section 4): no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
int		 text_utf8_ok(const char *s, size_t len);

/* 1 if s (len bytes, valid UTF-8) holds no control character: C0 (NUL
 * included), DEL, or C1 (U+0080..U+009F). */
int		 text_no_ctrl(const char *s, size_t len);

/* Check s (len bytes) against the rule of text fields with 1..max bytes
 * and flags.  Returns TEXT_OK or the first fault found. */
enum text_fault	 text_check(const char *s, size_t len, size_t max,
		    unsigned flags);

/* What fault f means in a user name, for people: "empty", "longer than 64
 * bytes" (contract.h's LIM_USER_MAX), "contains a NUL byte", ...; "" for
 * TEXT_OK.  Static storage. */
const char	*text_name_fault(enum text_fault f);

/*
 * Copy the NUL-terminated src (NULL is "") into dst (dstsz bytes, at least
 * 1) for the log: bytes outside printable ASCII, the space included,
 * become '?', and long values are cut.
 */
void		 text_log_copy(char *dst, size_t dstsz, const char *src);

#endif
