/*
 * htpasswd.c - NAME:HASH lines (htpasswd.h).
 *
 * One pass over the lines judges each on its own (shape, name, hash);
 * then the accepted entries are sorted by their case-folded names to find
 * names given twice, in the same case or not, whose later lines are
 * refused too; the refusals are put back in line order.  Out of memory is
 * the only failure.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "htpasswd.h"
#include "passwd.h"
#include "text.h"

/* Room for one more of the n elements of size sz at *p (capacity *cap). */
static int
grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void	*q;
	size_t	 c;

	if (n < *cap)
		return 0;
	c = *cap > 0 ? *cap * 2 : 64;
	if (c > SIZE_MAX / sz || (q = realloc(*p, c * sz)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* Add a refusal of line with the printf-style reason.  0, or -1 when out
 * of memory. */
static int __attribute__((format(printf, 4, 5)))
refuse(struct htp_file *f, size_t *cap, size_t line, const char *fmt, ...)
{
	struct htp_refusal	*r;
	va_list			 ap;

	if (grow((void **)&f->refused, cap, f->nrefused, sizeof(*r)) == -1)
		return -1;
	r = &f->refused[f->nrefused++];
	r->line = line;
	va_start(ap, fmt);
	(void)vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* Entries by folded name (bytewise, then shorter first), then by line. */
static int
by_fold(const void *a, const void *b)
{
	const struct htp_entry	*x = a, *y = b;
	size_t			 n;
	int			 c;

	n = x->fold_len < y->fold_len ? x->fold_len : y->fold_len;
	if ((c = memcmp(x->fold, y->fold, n)) != 0)
		return c;
	if (x->fold_len != y->fold_len)
		return x->fold_len < y->fold_len ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Entries, and refusals, by line. */
static int
entry_by_line(const void *a, const void *b)
{
	const struct htp_entry	*x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

static int
refusal_by_line(const void *a, const void *b)
{
	const struct htp_refusal	*x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Judge one line (n bytes at s, its end free to overwrite with a NUL):
 * add it to f's entries, or a refusal.  0, or -1 when out of memory.
 */
static int
line_judge(struct htp_file *f, size_t *cap_e, size_t *cap_r, size_t line,
    char *s, size_t n)
{
	struct htp_entry	*e;
	char			*colon, why[PW_WHY_MAX];
	enum text_fault		 tf;
	size_t			 nlen;

	if (memchr(s, '\0', n) != NULL)
		return refuse(f, cap_r, line, "contains a NUL byte");
	s[n] = '\0';
	if ((colon = strchr(s, ':')) == NULL)
		return refuse(f, cap_r, line, "not NAME:HASH (no ':')");
	*colon = '\0';
	nlen = (size_t)(colon - s);
	tf = text_check(s, nlen, LIM_USER_MAX, TEXT_F_NAME);
	if (tf != TEXT_OK)
		return refuse(f, cap_r, line, "invalid name: %s",
		    text_name_fault(tf));
	if (strchr(colon + 1, ':') != NULL)
		return refuse(f, cap_r, line, "%s: more than NAME:HASH (from "
		    "/etc/shadow? keep the first two fields)", s);
	if (pw_stored_ok(colon + 1, why) == -1)
		return refuse(f, cap_r, line, "%s: %s", s, why);
	if (grow((void **)&f->entries, cap_e, f->n, sizeof(*e)) == -1)
		return -1;
	e = &f->entries[f->n];
	e->line = line;
	e->name = s;
	e->name_len = nlen;
	e->hash = colon + 1;
	if ((e->fold = text_fold(s, nlen, &e->fold_len)) == NULL)
		return -1;
	f->n++;
	return 0;
}

/*
 * Refuse every entry whose name, case-folded, an earlier line has, and
 * drop it from the entries.  0, or -1 when out of memory.
 */
static int
dups_refuse(struct htp_file *f, size_t *cap_r)
{
	struct htp_entry	*e, *first;
	size_t			 i, kept;
	int			 rc;

	if (f->n < 2)
		return 0;
	qsort(f->entries, f->n, sizeof(f->entries[0]), by_fold);
	for (i = 1, first = &f->entries[0]; i < f->n; i++) {
		e = &f->entries[i];
		if (e->fold_len != first->fold_len ||
		    memcmp(e->fold, first->fold, e->fold_len) != 0) {
			first = e;
			continue;
		}
		if (e->name_len == first->name_len &&
		    memcmp(e->name, first->name, e->name_len) == 0)
			rc = refuse(f, cap_r, e->line, "%s: also on line %zu",
			    e->name, first->line);
		else
			rc = refuse(f, cap_r, e->line, "%s: differs only in "
			    "case from %s on line %zu", e->name, first->name,
			    first->line);
		if (rc == -1)
			return -1;
		e->hash = NULL;
	}
	for (i = 0, kept = 0; i < f->n; i++) {
		if (f->entries[i].hash != NULL)
			f->entries[kept++] = f->entries[i];
		else
			free(f->entries[i].fold);
	}
	f->n = kept;
	qsort(f->entries, f->n, sizeof(f->entries[0]), entry_by_line);
	return 0;
}

int
htp_parse(char *buf, size_t len, struct htp_file *f)
{
	char	*p = buf, *end = buf + len, *nl, *s;
	size_t	 cap_e = 0, cap_r = 0, line = 0, n, b;

	memset(f, 0, sizeof(*f));
	while (p < end) {
		line++;
		s = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		p = nl != NULL ? nl + 1 : end;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		for (b = 0; b < n && (s[b] == ' ' || s[b] == '\t'); b++)
			continue;
		if (b == n || s[b] == '#')
			continue;
		if (line_judge(f, &cap_e, &cap_r, line, s, n) == -1)
			goto oom;
	}
	if (dups_refuse(f, &cap_r) == -1)
		goto oom;
	if (f->nrefused > 1)
		qsort(f->refused, f->nrefused, sizeof(f->refused[0]),
		    refusal_by_line);
	return 0;
oom:
	htp_free(f);
	return -1;
}

void
htp_free(struct htp_file *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		free(f->entries[i].fold);
	free(f->entries);
	free(f->refused);
	memset(f, 0, sizeof(*f));
}
