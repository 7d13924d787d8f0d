/*
 * regulation.h - brute-force regulation of password checks (docs/design.md
 * "Brute-force regulation"): may this user name or client address try a
 * password now, and the bookkeeping of each try.
 *
 * Every password check is counted before it runs, once for the user name
 * and once for the client address, so parallel guesses cannot outrun
 * max_failures; a check that succeeds takes its counts back.  A subject
 * with more than max_failures counted checks in failure_window seconds is
 * banned for ban_time seconds.  One host commonly holds a whole IPv6 /64,
 * so an IPv6 client is counted by its /64.  The counters live in Redis
 * (store_limit.c), shared by every worker.
 *
 * Anyone may guess a user's password, so the user-wide ban would let
 * anyone lock the owner out.  An address that logged in as the user less
 * than session_ttl seconds ago is therefore not held by the user's ban,
 * only by its own address counter (after OWASP's device-cookie lockout):
 * the guessers elsewhere stay banned, the owner from a known address gets
 * in.
 */
#ifndef AUTENTICACAO_REGULATION_H
#define AUTENTICACAO_REGULATION_H

#include <stddef.h>

#include "addr.h"
#include "err.h"
#include "store.h"

/*
 * The subject regulation counts for the client address addr, into out:
 * an IPv4 address itself, an IPv6 address its /64 ("2001:db8:1:2::/64"),
 * "-" for "-" (no address; then only the user name is counted).
 */
void		 reg_subject(const char *addr, char out[ADDR_TEXT_MAX + 1]);

/*
 * One password check of user (ulen bytes) from client address addr is
 * about to run: in one round trip (store_login_begin), count it for both
 * and read the user into *b; the address subject of addr goes into net
 * ("-" for none).  ERR_OK when it may run (*b says whether the user
 * exists and which counts were taken: the script after the check takes
 * the address's back on success, and forgets the user's failures; of the
 * address's only this attempt, as one good account must not reset a
 * guesser's counter); ERR_TOO_MANY_ATTEMPTS with *retry_after (seconds)
 * when the address or the user is banned (the other's count taken back);
 * or a Redis error (a check we cannot count does not run).
 */
enum err	 reg_begin(struct store *st, const char *addr,
		    const char *user, size_t ulen, struct store_begin *b,
		    char net[ADDR_TEXT_MAX + 1], long *retry_after);

/*
 * Lift the ban and forget the failures of subj (len bytes): a user name,
 * or an address and, for IPv6, its /64.  *found, if not NULL, is 1 when a
 * ban or a count existed.  ERR_OK or a Redis error.
 */
enum err	 reg_unban(struct store *st, const char *subj, size_t len,
		    int *found);

#endif
