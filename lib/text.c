/*
 * text.c - text rules (text.h).  The only module that includes
 * libunistring's headers (Unicode properties, normalization, folding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "contract.h"
#include "text.h"

/* json-c's own UTF-8 check looks only at the shape of byte sequences. */
int
text_utf8_ok(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0;
	unsigned char		 lo, hi;
	int			 n, k;

	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			n = 1;
		else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			n = 2;
			if (u[i] == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (u[i] == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			n = 3;
			if (u[i] == 0xf0)
				lo = 0x90;	/* overlong */
			else if (u[i] == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else
			return 0;
		if ((size_t)n >= len - i)
			return 0;
		if (u[i + 1] < lo || u[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
		i += (size_t)n + 1;
	}
	return 1;
}

int
text_no_ctrl(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 0;
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return 0;
	}
	return 1;
}

/* 1 if s (len bytes) is unchanged by normalization nf. */
static int
normal_in(const char *s, size_t len, uninorm_t nf)
{
	uint8_t	*n;
	size_t	 nlen = 0;
	int	 same;

	if ((n = u8_normalize(nf, (const uint8_t *)s, len, NULL, &nlen)) ==
	    NULL)
		return 0;
	same = nlen == len && memcmp(n, s, len) == 0;
	free(n);
	return same;
}

/* The name profile of text_check (TEXT_F_NAME) on valid UTF-8 s. */
static enum text_fault
name_profile(const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s, *end = p + len;
	ucs4_t		 c;
	int		 n;

	while (p < end) {
		if ((n = u8_mbtouc(&c, p, (size_t)(end - p))) <= 0)
			return TEXT_UTF8;
		p += n;
		if (uc_is_general_category(c, UC_CATEGORY_Z) ||
		    uc_is_property_white_space(c))
			return TEXT_SPACE;
		if (uc_is_general_category(c, UC_CATEGORY_Cf) ||
		    uc_is_general_category(c, UC_CATEGORY_Co) ||
		    uc_is_general_category(c, UC_CATEGORY_Cn) ||
		    uc_is_property_default_ignorable_code_point(c) ||
		    uc_is_property_bidi_control(c))
			return TEXT_INVISIBLE;
	}
	if (!normal_in(s, len, UNINORM_NFC))
		return TEXT_NOT_NFC;
	if (!normal_in(s, len, UNINORM_NFKC))
		return TEXT_COMPAT;
	return TEXT_OK;
}

enum text_fault
text_check(const char *s, size_t len, size_t max, unsigned flags)
{

	if (len == 0)
		return TEXT_EMPTY;
	if (len > max)
		return TEXT_LONG;
	if (memchr(s, '\0', len) != NULL)
		return TEXT_NUL;
	if (!text_utf8_ok(s, len))
		return TEXT_UTF8;
	if (!text_no_ctrl(s, len))
		return TEXT_CTRL;
	if (flags & TEXT_F_NAME)
		return name_profile(s, len);
	return TEXT_OK;
}

int
text_fold_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	uint8_t	*fa, *fb;
	size_t	 la = 0, lb = 0;
	int	 eq = -1;

	fa = u8_casefold((const uint8_t *)a, alen, NULL, UNINORM_NFC, NULL,
	    &la);
	fb = u8_casefold((const uint8_t *)b, blen, NULL, UNINORM_NFC, NULL,
	    &lb);
	if (fa != NULL && fb != NULL)
		eq = la == lb && memcmp(fa, fb, la) == 0;
	free(fa);
	free(fb);
	return eq;
}

char *
text_fold(const char *s, size_t len, size_t *outlen)
{

	return (char *)u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFC,
	    NULL, outlen);
}

/* What text_name_fault says (autenticacao-admin(8) lists them). */
static const char *const text_name_faults[TEXT__MAX] = {
	[TEXT_OK] = "",
	[TEXT_EMPTY] = "empty",
	[TEXT_LONG] = "longer than 64 bytes",
	[TEXT_NUL] = "contains a NUL byte",
	[TEXT_CTRL] = "contains a control character",
	[TEXT_UTF8] = "not valid UTF-8",
	[TEXT_SPACE] = "contains a space or other white space",
	[TEXT_INVISIBLE] = "contains an invisible or direction-changing "
	    "character (format, private use or unassigned)",
	[TEXT_COMPAT] = "contains a compatibility character (fullwidth, "
	    "ligature, ...): use its plain form",
	[TEXT_NOT_NFC] = "not in Unicode normalization form C",
};
_Static_assert(LIM_USER_MAX == 64, "text_name_faults says 64 bytes");

const char *
text_name_fault(enum text_fault f)
{

	return (unsigned)f < TEXT__MAX ? text_name_faults[f] : "invalid";
}

/*
 * Copy src into dst (dstsz bytes) for the log: control bytes and bytes
 * outside printable ASCII become '?', and long values are cut.
 */
void
text_log_field(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u = (const unsigned char *)src;
	size_t			 i, o = 0;

	for (i = 0; src != NULL && i < len; i++) {
		if (u[i] > 0x20 && u[i] < 0x7f && u[i] != '%') {
			if (o + 1 >= dstsz)
				break;
			dst[o++] = (char)u[i];
			continue;
		}
		if (o + 3 >= dstsz)
			break;
		dst[o++] = '%';
		dst[o++] = hex[u[i] >> 4];
		dst[o++] = hex[u[i] & 0xf];
	}
	dst[o] = '\0';
}

void
text_log_copy(char *dst, size_t dstsz, const char *src)
{

	text_log_field(dst, dstsz, src, src != NULL ? strlen(src) : 0);
}

/*
 * Length of the well-formed UTF-8 character at s (at most n bytes), or 0
 * when the bytes there are not one.
 */
static size_t
utf8_char_len(const unsigned char *s, size_t n)
{
	size_t	 len;

	if (s[0] < 0x80)
		len = 1;
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n || !text_utf8_ok((const char *)s, len))
		return 0;
	return len;
}

/* 1 if c can be part of a token or session id (RFC 4648 base64url). */
static int
token_char(unsigned char c)
{

	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Replace in s (NUL-terminated) every run of TEXT_UA_RUN or more token
 * characters with "***": such a run may be a token or a session id that
 * a client put there, and what a session records must not hold one.
 */
static void
mask_token_runs(char *s)
{
	size_t	 i = 0, o = 0, j;

	while (s[i] != '\0') {
		for (j = i; token_char((unsigned char)s[j]); j++)
			continue;
		if (j - i >= TEXT_UA_RUN) {
			memcpy(s + o, "***", 3);
			o += 3;
			i = j;
		} else if (j > i) {
			memmove(s + o, s + i, j - i);
			o += j - i;
			i = j;
		} else
			s[o++] = s[i++];
	}
	s[o] = '\0';
}

void
text_user_agent(char *dst, size_t dstsz, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 n, o = 0, len;

	if (dstsz == 0)
		return;
	n = src != NULL ? strlen(src) : 0;
	while (n > 0) {
		len = utf8_char_len(s, n);
		if (len == 0 || s[0] < 0x20 || s[0] == 0x7f ||
		    (len == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
			/* A control character or a stray byte: one '?'. */
			if (len == 0)
				len = 1;
			if (o + 1 >= dstsz)
				break;
			dst[o++] = '?';
		} else {
			if (o + len >= dstsz)
				break;
			memcpy(dst + o, s, len);
			o += len;
		}
		s += len;
		n -= len;
	}
	dst[o] = '\0';
	mask_token_runs(dst);
}
