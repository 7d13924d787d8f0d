/*
 * metrics.h - the counters of GET /metrics (docs/API.md "Observability").
 *
 * Each worker counts in its own memory (met_request, met_login, ...); the
 * store adds the counts to one Redis hash, KEY_PREFIX "metrics", in
 * batches: piggybacked on a command a request sends anyway once
 * MET_FLUSH_MS have passed since the last batch (store_conn.c), while the
 * worker is idle, and as it exits.  So every worker on every host adds
 * up, and no request waits for a round trip of its own.  GET /metrics
 * reads the hash and met_render() prints the Prometheus text format.
 *
 * Process state: the counters live as long as the process (one request at
 * a time, no threads).  Nothing counts until met_init(1).
 */
#ifndef AUTENTICACAO_METRICS_H
#define AUTENTICACAO_METRICS_H

#include <stddef.h>

#define MET_FLUSH_MS	1000	/* a batch at most this often, per worker */

/* The endpoint label values (serve.c's route labels). */
enum met_endpoint {
	MET_EP_LOGIN,
	MET_EP_REFRESH_SESSION,
	MET_EP_REFRESH_TOKEN,
	MET_EP_LOGOUT,
	MET_EP_SESSION,
	MET_EP_SESSIONS,
	MET_EP_LOGOUT_ALL,
	MET_EP_HEALTH,
	MET_EP_AUTHORIZER,
	MET_EP_METRICS,
	MET_EP_OTHER,		/* no route (404) */
	MET_EP__MAX
};

enum met_login {
	MET_LOGIN_SUCCESS,
	MET_LOGIN_FAILURE,
	MET_LOGIN_BANNED,
	MET_LOGIN__MAX
};

enum met_revoke {
	MET_REVOKE_LOGOUT,
	MET_REVOKE_LOGOUT_ALL,
	MET_REVOKE_REUSE,
	MET_REVOKE_ADMIN,
	MET_REVOKE_EVICTED,
	MET_REVOKE_IDLE,
	MET_REVOKE__MAX
};

#define MET_STATUS_N	12	/* HTTP statuses counted (metrics.c) */
#define MET_BUCKETS	12	/* duration buckets, +Inf included */

/* Every counter is one slot; each slot is one field of the hash. */
#define MET_SLOTS	(MET_EP__MAX * MET_STATUS_N + \
			 MET_EP__MAX * MET_BUCKETS + MET_EP__MAX + \
			 MET_LOGIN__MAX + 1 + MET_REVOKE__MAX + 1)

#define MET_FIELD_MAX	40	/* bytes of a field name, NUL included */
#define MET_NUM_MAX	24	/* an increment in decimal, NUL included */

/* Counts taken out of this worker for one batch (met_take). */
struct met_batch {
	size_t	 n;			/* fields */
	char	 field[MET_SLOTS][MET_FIELD_MAX];
	char	 num[MET_SLOTS][MET_NUM_MAX];
};

/* Count from now on (metrics = on) or never (off). */
void		 met_init(int on);
int		 met_on(void);

/* The label of endpoint ep ("login", ...) and the endpoint of a label
 * (MET_EP_OTHER for one not in the table). */
const char	*met_endpoint_name(enum met_endpoint ep);
enum met_endpoint met_endpoint_of(const char *label);

/* One request of endpoint ep answered with HTTP status after usec
 * microseconds. */
void		 met_request(enum met_endpoint ep, int status, long usec);
/* One password check's outcome (login and refresh-session). */
void		 met_login(enum met_login r);
/* One spent refresh token presented (its session revoked as theft). */
void		 met_reuse(void);
/* n sessions ended for reason r. */
void		 met_revoked(enum met_revoke r, long n);
/* One Redis command failed (no answer, or an error reply). */
void		 met_redis_error(void);

/* 1 when counts are waiting and MET_FLUSH_MS have passed since the last
 * batch: the next Redis command should carry one. */
int		 met_due(void);
/* Milliseconds until met_due() may become true (0: now), -1 when nothing
 * waits: how long an idle worker may sleep. */
long		 met_idle_ms(void);
/* The due batch could not go out (no connection to Redis): keep the
 * counts and wait another MET_FLUSH_MS before trying again, so an idle
 * worker does not spin while Redis is down. */
void		 met_postpone(void);
/*
 * Move every waiting count into b (caller's storage), clear them and
 * start the next interval.  Returns b->n, 0 when nothing waited.  A
 * batch that does not reach Redis is lost: counts are never sent twice.
 */
size_t		 met_take(struct met_batch *b);

/*
 * Add the value of field (len bytes) of the Redis hash to totals
 * (MET_SLOTS entries, zeroed by the caller); unknown fields are ignored.
 */
void		 met_total(unsigned long long totals[MET_SLOTS],
		    const char *field, size_t len, const char *val,
		    size_t vlen);
/*
 * Print totals in the Prometheus text exposition format (version 0.0.4)
 * into a new buffer *out of *outlen bytes, freed by the caller.  Returns
 * 0, or -1 when out of memory.
 */
int		 met_render(const unsigned long long totals[MET_SLOTS],
		    char **out, size_t *outlen);

#endif
