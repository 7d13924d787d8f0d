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
	/* The name profile (TEXT_F_NAME) only: */
	TEXT_SPACE,		/* a space or other white space */
	TEXT_INVISIBLE,		/* format (bidi included), private use or
				 * unassigned code point, default ignorable */
	TEXT_COMPAT,		/* a compatibility character (fullwidth...) */
	TEXT_NOT_NFC,		/* not in Unicode normalization form C */
	TEXT__MAX
};

/*
 * text_check() flags.  TEXT_F_NAME: the rule of a new user name, after
 * RFC 8265's UsernameCasePreserved profile: no white space at all (a name
 * is one field of a log line and of an AUTH_USER header), no invisible or
 * direction-changing character, no compatibility character, and NFC, so
 * that two names that look alike are one name.  Case is kept (see
 * text_fold).
 */
#define TEXT_F_NAME	0x1

/* 1 if s (len bytes) is well-formed UTF-8 (RFC 3629 section 4): no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
int		 text_utf8_ok(const char *s, size_t len);

/* 1 if s (len bytes, valid UTF-8) holds no control character: C0 (NUL
 * included), DEL, or C1 (U+0080..U+009F). */
int		 text_no_ctrl(const char *s, size_t len);

/* Check s (len bytes) against the rule of text fields with 1..max bytes
 * and flags.  Returns TEXT_OK or the first fault found: length, NUL,
 * UTF-8, controls, then the name profile's.  ENOMEM in the profile's
 * normalization is TEXT_NOT_NFC (refused). */
enum text_fault	 text_check(const char *s, size_t len, size_t max,
		    unsigned flags);

/* What fault f means in a user name, for people: "empty", "longer than 64
 * bytes" (contract.h's LIM_USER_MAX), "contains a NUL byte", ...; "" for
 * TEXT_OK.  Static storage. */
const char	*text_name_fault(enum text_fault f);

/*
 * 1 if the user names a and b (alen, blen bytes, valid UTF-8) are equal
 * once case-folded (Unicode full case folding, NFC): "Ana" and "ANA" are
 * two names that must not both exist.  -1 when out of memory.
 */
int		 text_fold_eq(const char *a, size_t alen, const char *b,
		    size_t blen);

/*
 * The case-folded form of s (len bytes, valid UTF-8) that text_fold_eq
 * compares, malloc'd (the caller frees it), its length in *outlen; NULL
 * when out of memory.  For comparing many names at once (an import):
 * two names are fold-equal when their folded forms are the same bytes.
 */
char		*text_fold(const char *s, size_t len, size_t *outlen);

/*
 * Copy src (len bytes; NULL is "") into dst (dstsz bytes, at least 1) as
 * one field of a log line: printable ASCII but the space and '%' as is,
 * every other byte as %XX (the space included), so a value can neither
 * start another field nor reach a terminal as a control; cut at a whole
 * character or escape when dst is full.  Every field of a log line that a
 * request or Redis supplied goes through here.
 */
void		 text_log_field(char *dst, size_t dstsz, const char *src,
		    size_t len);

/* text_log_field of the NUL-terminated src. */
void		 text_log_copy(char *dst, size_t dstsz, const char *src);

#define TEXT_UA_MAX	256	/* bytes of a User-Agent kept */
#define TEXT_UA_RUN	20	/* token characters in a row that are masked */

/*
 * Copy the NUL-terminated User-Agent src (NULL is "") into dst (dstsz
 * bytes, TEXT_UA_MAX + 1 to keep the most a session records) as text a
 * session may show: each control character (C0, DEL, C1) and each byte
 * that is not part of well-formed UTF-8 becomes '?', and the copy is cut
 * at a whole character when dst is full.  Then every run of TEXT_UA_RUN
 * or more base64url characters (the alphabet of tokens and session ids)
 * becomes "***", so a token a client put in its User-Agent is neither
 * stored nor shown.
 */
void		 text_user_agent(char *dst, size_t dstsz, const char *src);

#endif
