/*
 * htpasswd.h - the NAME:HASH lines of an Apache .htpasswd file (or of
 * /etc/shadow-style lines cut to their first two fields), read for
 * autenticacao-admin import-htpasswd.  Parsing and judging only: no I/O,
 * no store.  Linked into autenticacao-admin only.
 *
 * One entry a line: NAME:HASH, split at the first ':'.  Empty lines,
 * lines of blanks (spaces, tabs) and lines whose first non-blank
 * character is '#' are skipped; a line may end in "\r\n".  NAME follows
 * the rule of new user names (text.h's TEXT_F_NAME profile, at most
 * LIM_USER_MAX bytes) and appears once in the file, case-folded (two
 * names that differ only in case are one name twice); HASH is one
 * pw_stored_ok() accepts (a known format within its cost caps: never
 * plain text).  Every line is judged, so one run names every line that
 * is refused.
 */
#ifndef AUTENTICACAO_HTPASSWD_H
#define AUTENTICACAO_HTPASSWD_H

#include <stddef.h>

#define HTP_WHY_MAX	256	/* bytes of the reason a line is refused */

/* One accepted line. */
struct htp_entry {
	size_t		 line;		/* 1-based line number */
	const char	*name;		/* NUL-terminated, inside the buffer */
	size_t		 name_len;
	const char	*hash;		/* NUL-terminated, inside the buffer */
	char		*fold;		/* text_fold of name (htp_free frees) */
	size_t		 fold_len;
};

/* One refused line.  The reason never quotes a hash or a value that may
 * be a password; it may name the user. */
struct htp_refusal {
	size_t		 line;
	char		 why[HTP_WHY_MAX];
};

/* A parsed file: the accepted lines and the refused ones, each in line
 * order.  The file is good when nrefused is 0. */
struct htp_file {
	struct htp_entry	*entries;	/* n of them */
	size_t			 n;
	struct htp_refusal	*refused;	/* nrefused of them */
	size_t			 nrefused;
};

/*
 * Parse the len bytes at buf into *f.  buf holds len + 1 bytes and is
 * modified in place (the ':' and the end of each line become NULs, the
 * byte after the last line included) and the entries point into it: the
 * caller keeps buf, and wipes it (hashes are secret-ish), after htp_free.
 * Returns 0, or -1 when out of memory (*f is then empty).  Free f's
 * arrays with htp_free.
 */
int		 htp_parse(char *buf, size_t len, struct htp_file *f);

/* Free the arrays of f and the folded names (not the buffer) and empty
 * it. */
void		 htp_free(struct htp_file *f);

#endif
