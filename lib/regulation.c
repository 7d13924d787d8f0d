/*
 * regulation.c - brute-force regulation (regulation.h).
 */
#include <string.h>
#include <time.h>

#include "regulation.h"
#include "token.h"

void
reg_subject(const char *addr, char out[ADDR_TEXT_MAX + 1])
{

	if (addr == NULL || strcmp(addr, "-") == 0)
		memcpy(out, "-", 2);
	else
		addr_net64(addr, out);
}

/*
 * The two subjects are counted in one round trip (store_login_begin), so
 * each is counted whatever the other finds; the one a refusal makes undue
 * is taken back here, in one more round trip that only a refused request
 * pays.
 */
enum err
reg_begin(struct store *st, const char *addr, const char *user, size_t ulen,
    struct store_begin *b, char net[ADDR_TEXT_MAX + 1], long *retry_after)
{
	enum err	 e;
	int		 has_addr;

	*retry_after = 0;
	reg_subject(addr, net);
	has_addr = strcmp(net, "-") != 0;
	if ((e = store_login_begin(st, user, ulen, has_addr ? net : NULL,
	    (long)time(NULL), b)) != ERR_OK)
		return e;
	if (b->addr_ttl > 0) {
		/* Refused for the address: the user's count goes back. */
		if (b->user_counted)
			(void)store_attempt_undo(st, STORE_SUBJ_USER, user,
			    ulen);
		*retry_after = b->addr_ttl;
	} else if (b->user_ttl > 0) {
		/* Refused for the user: the address's count goes back. */
		if (b->addr_counted)
			(void)store_attempt_undo(st, STORE_SUBJ_ADDR, net,
			    strlen(net));
		*retry_after = b->user_ttl;
	}
	if (*retry_after > 0) {
		tok_wipe(&b->u, sizeof(b->u));
		b->user = ERR_NO_USER;
		return ERR_TOO_MANY_ATTEMPTS;
	}
	return ERR_OK;
}

enum err
reg_unban(struct store *st, const char *subj, size_t len, int *found)
{
	char		 net[ADDR_TEXT_MAX + 1], s[ADDR_TEXT_MAX + 1];
	enum err	 e;
	int		 f = 0, more = 0;

	if (found != NULL)
		*found = 0;
	if ((e = store_unban(st, subj, len, &f)) != ERR_OK)
		return e;
	/* An address is counted as reg_begin counts it, an IPv6 one by its
	 * /64: lift that too. */
	if (len <= ADDR_TEXT_MAX && memchr(subj, '\0', len) == NULL) {
		memcpy(s, subj, len);
		s[len] = '\0';
		addr_net64(s, net);
		if (strcmp(net, s) != 0 &&
		    (e = store_unban(st, net, strlen(net), &more)) != ERR_OK)
			return e;
	}
	if (found != NULL)
		*found = f || more;
	return ERR_OK;
}
