/*
 * gate.h - at most password_checks password checks at once on this host.
 *
 * A password check holds its worker for a whole scrypt run; a flood of
 * them (names that change every time, from addresses that move) would
 * leave token checks, the authorizer and /health queued behind scrypt on
 * every worker.  So a check first takes one of password_checks slots; a
 * check that finds them all taken is answered at once, 503 with
 * Retry-After, and the worker is free for the next request.  With fewer
 * slots than workers, some worker is always free for the cheap requests.
 *
 * A slot is an flock(2) lock on a file in GATE_DIR (a directory of the
 * service's user, mode 0700, refused otherwise), shared by every worker
 * and every CGI process of that user that uses the same Redis and
 * key_prefix; the kernel frees a slot when its process ends, however it
 * ends.
 */
#ifndef AUTENTICACAO_GATE_H
#define AUTENTICACAO_GATE_H

#include "cfg.h"
#include "err.h"

#define GATE_DIR	"/tmp/autenticacao-%u"	/* %u: the user id */

/* A slot held, or none (fd -1).  Zero-initialise with GATE_NONE. */
struct gate {
	int	 fd;
};
#define GATE_NONE	{ -1 }

/*
 * Take a slot for one password check into *g.  Returns ERR_OK (a slot is
 * held, or there is no cap: password_checks 0, or a gate directory that
 * is not ours, logged once) or ERR_BUSY (every slot is taken).  Release
 * with gate_leave, also after ERR_BUSY (it does nothing then).
 */
enum err	 gate_enter(const struct cfg *c, struct gate *g);
void		 gate_leave(struct gate *g);

#endif
