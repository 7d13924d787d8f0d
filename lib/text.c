/*
 * text.c - text rules (text.h).
 */
#include <string.h>

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
	if ((flags & TEXT_F_TRIMMED) && (s[0] == ' ' || s[len - 1] == ' '))
		return TEXT_BLANK;
	return TEXT_OK;
}

/*
 * Copy src into dst (dstsz bytes) for the log: control bytes and bytes
 * outside printable ASCII become '?', and long values are cut.
 */
/* The messages of autenticacao-admin(8) for a bad user name. */
static const char *const text_name_faults[TEXT__MAX] = {
	[TEXT_OK] = "",
	[TEXT_EMPTY] = "empty",
	[TEXT_LONG] = "longer than 64 bytes",
	[TEXT_NUL] = "contains a NUL byte",
	[TEXT_CTRL] = "contains a control character",
	[TEXT_UTF8] = "not valid UTF-8",
	[TEXT_BLANK] = "starts or ends with a space",
};
_Static_assert(LIM_USER_MAX == 64, "text_name_faults says 64 bytes");

const char *
text_name_fault(enum text_fault f)
{

	return (unsigned)f < TEXT__MAX ? text_name_faults[f] : "invalid";
}

void
text_log_copy(char *dst, size_t dstsz, const char *src)
{
	size_t	 i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < dstsz; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}
