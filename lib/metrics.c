/*
 * metrics.c - the counters of GET /metrics (metrics.h).
 *
 * Slots, in this order: requests by endpoint and status, durations by
 * endpoint and bucket (each bucket counts the requests up to its bound
 * and above the previous one; met_render() adds them up as Prometheus
 * wants), the sum of durations by endpoint in microseconds, logins by
 * result, spent refresh tokens presented, revocations by reason, Redis
 * errors.  A slot's field in the Redis hash is its name (met_field), so
 * a new slot in a later version never mixes with an old one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"

static const char *const met_endpoints[MET_EP__MAX] = {
	[MET_EP_LOGIN] = "login",
	[MET_EP_REFRESH_SESSION] = "refresh_session",
	[MET_EP_REFRESH_TOKEN] = "refresh_token",
	[MET_EP_LOGOUT] = "logout",
	[MET_EP_SESSION] = "session",
	[MET_EP_SESSIONS] = "sessions",
	[MET_EP_LOGOUT_ALL] = "logout_all",
	[MET_EP_HEALTH] = "health",
	[MET_EP_AUTHORIZER] = "authorizer",
	[MET_EP_METRICS] = "metrics",
	[MET_EP_OTHER] = "other",
};

/* Every status an answer can have (err.c's table and 204). */
static const int met_statuses[MET_STATUS_N] = {
	200, 204, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503,
};

/* Upper bounds of the duration buckets, microseconds and as printed;
 * the last is +Inf. */
static const struct {
	long		 us;
	const char	*le;
} met_buckets[MET_BUCKETS] = {
	{ 5000, "0.005" }, { 10000, "0.01" }, { 25000, "0.025" },
	{ 50000, "0.05" }, { 100000, "0.1" }, { 250000, "0.25" },
	{ 500000, "0.5" }, { 1000000, "1" }, { 2500000, "2.5" },
	{ 5000000, "5" }, { 10000000, "10" }, { -1, "+Inf" },
};

static const char *const met_logins[MET_LOGIN__MAX] = {
	[MET_LOGIN_SUCCESS] = "success",
	[MET_LOGIN_FAILURE] = "failure",
	[MET_LOGIN_BANNED] = "banned",
};

static const char *const met_reasons[MET_REVOKE__MAX] = {
	[MET_REVOKE_LOGOUT] = "logout",
	[MET_REVOKE_LOGOUT_ALL] = "logout_all",
	[MET_REVOKE_REUSE] = "reuse",
	[MET_REVOKE_ADMIN] = "admin",
	[MET_REVOKE_EVICTED] = "evicted",
	[MET_REVOKE_IDLE] = "idle",
};

#define SLOT_REQ(ep, st)	((ep) * MET_STATUS_N + (st))
#define SLOT_DUR0		(MET_EP__MAX * MET_STATUS_N)
#define SLOT_DUR(ep, b)		(SLOT_DUR0 + (ep) * MET_BUCKETS + (b))
#define SLOT_SUM0		(SLOT_DUR0 + MET_EP__MAX * MET_BUCKETS)
#define SLOT_SUM(ep)		(SLOT_SUM0 + (ep))
#define SLOT_LOGIN0		(SLOT_SUM0 + MET_EP__MAX)
#define SLOT_REUSE		(SLOT_LOGIN0 + MET_LOGIN__MAX)
#define SLOT_REVOKE0		(SLOT_REUSE + 1)
#define SLOT_REDIS_ERR		(SLOT_REVOKE0 + MET_REVOKE__MAX)

_Static_assert(SLOT_REDIS_ERR + 1 == MET_SLOTS, "slots and MET_SLOTS agree");

/* This worker's counts not yet in Redis, and when the last batch left. */
static unsigned long long	 met_local[MET_SLOTS];
static size_t			 met_waiting;	/* slots not zero */
static int			 met_enabled;
static long long		 met_last_ms;	/* CLOCK_MONOTONIC */

static long long
met_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
met_init(int on)
{

	met_enabled = on != 0;
	memset(met_local, 0, sizeof(met_local));
	met_waiting = 0;
	met_last_ms = met_now_ms();
}

int
met_on(void)
{

	return met_enabled;
}

static void
met_add(size_t slot, unsigned long long n)
{

	if (!met_enabled || n == 0 || slot >= MET_SLOTS)
		return;
	if (met_local[slot] == 0)
		met_waiting++;
	met_local[slot] += n;
}

const char *
met_endpoint_name(enum met_endpoint ep)
{

	return (unsigned)ep < MET_EP__MAX ? met_endpoints[ep] : "other";
}

enum met_endpoint
met_endpoint_of(const char *label)
{
	size_t	 i;

	for (i = 0; label != NULL && i < MET_EP__MAX; i++)
		if (strcmp(met_endpoints[i], label) == 0)
			return (enum met_endpoint)i;
	return MET_EP_OTHER;
}

void
met_request(enum met_endpoint ep, int status, long usec)
{
	size_t	 st, b;

	if ((unsigned)ep >= MET_EP__MAX)
		ep = MET_EP_OTHER;
	for (st = 0; st < MET_STATUS_N; st++)
		if (met_statuses[st] == status)
			break;
	if (st < MET_STATUS_N)
		met_add(SLOT_REQ(ep, st), 1);
	if (usec < 0)
		usec = 0;
	for (b = 0; b < MET_BUCKETS - 1; b++)
		if (usec <= met_buckets[b].us)
			break;
	met_add(SLOT_DUR(ep, b), 1);
	met_add(SLOT_SUM(ep), (unsigned long long)usec);
}

void
met_login(enum met_login r)
{

	if ((unsigned)r < MET_LOGIN__MAX)
		met_add(SLOT_LOGIN0 + r, 1);
}

void
met_reuse(void)
{

	met_add(SLOT_REUSE, 1);
}

void
met_revoked(enum met_revoke r, long n)
{

	if ((unsigned)r < MET_REVOKE__MAX && n > 0)
		met_add(SLOT_REVOKE0 + r, (unsigned long long)n);
}

void
met_redis_error(void)
{

	met_add(SLOT_REDIS_ERR, 1);
}

int
met_due(void)
{

	return met_enabled && met_waiting > 0 &&
	    met_now_ms() - met_last_ms >= MET_FLUSH_MS;
}

long
met_idle_ms(void)
{
	long long	 left;

	if (!met_enabled || met_waiting == 0)
		return -1;
	left = met_last_ms + MET_FLUSH_MS - met_now_ms();
	return left > 0 ? (long)left : 0;
}

/* The field name of slot i into buf (MET_FIELD_MAX bytes). */
static void
met_field(size_t i, char buf[MET_FIELD_MAX])
{

	if (i < SLOT_DUR0)
		snprintf(buf, MET_FIELD_MAX, "req:%s:%d",
		    met_endpoints[i / MET_STATUS_N],
		    met_statuses[i % MET_STATUS_N]);
	else if (i < SLOT_SUM0)
		snprintf(buf, MET_FIELD_MAX, "dur:%s:%s",
		    met_endpoints[(i - SLOT_DUR0) / MET_BUCKETS],
		    met_buckets[(i - SLOT_DUR0) % MET_BUCKETS].le);
	else if (i < SLOT_LOGIN0)
		snprintf(buf, MET_FIELD_MAX, "sum_us:%s",
		    met_endpoints[i - SLOT_SUM0]);
	else if (i < SLOT_REUSE)
		snprintf(buf, MET_FIELD_MAX, "login:%s",
		    met_logins[i - SLOT_LOGIN0]);
	else if (i == SLOT_REUSE)
		snprintf(buf, MET_FIELD_MAX, "reuse");
	else if (i < SLOT_REDIS_ERR)
		snprintf(buf, MET_FIELD_MAX, "revoke:%s",
		    met_reasons[i - SLOT_REVOKE0]);
	else
		snprintf(buf, MET_FIELD_MAX, "redis_errors");
}

void
met_postpone(void)
{

	met_last_ms = met_now_ms();
}

size_t
met_take(struct met_batch *b)
{
	size_t	 i;

	b->n = 0;
	met_last_ms = met_now_ms();
	if (met_waiting == 0)
		return 0;
	for (i = 0; i < MET_SLOTS; i++) {
		if (met_local[i] == 0)
			continue;
		met_field(i, b->field[b->n]);
		snprintf(b->num[b->n], MET_NUM_MAX, "%llu", met_local[i]);
		b->n++;
		met_local[i] = 0;
	}
	met_waiting = 0;
	return b->n;
}

void
met_total(unsigned long long totals[MET_SLOTS], const char *field,
    size_t len, const char *val, size_t vlen)
{
	char			 name[MET_FIELD_MAX], num[MET_NUM_MAX], *end;
	unsigned long long	 v;
	size_t			 i;

	if (len >= MET_FIELD_MAX || vlen == 0 || vlen >= MET_NUM_MAX ||
	    val[0] < '0' || val[0] > '9')
		return;
	memcpy(num, val, vlen);
	num[vlen] = '\0';
	v = strtoull(num, &end, 10);
	if (*end != '\0')
		return;
	for (i = 0; i < MET_SLOTS; i++) {
		met_field(i, name);
		if (strlen(name) == len && memcmp(name, field, len) == 0) {
			totals[i] += v;
			return;
		}
	}
}

/* The HELP and TYPE lines of one metric family. */
static void
met_head(FILE *f, const char *name, const char *type, const char *help)
{

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int
met_render(const unsigned long long totals[MET_SLOTS], char **out,
    size_t *outlen)
{
	unsigned long long	 cum, count;
	FILE			*f;
	size_t			 ep, st, b, i;

	*out = NULL;
	*outlen = 0;
	if ((f = open_memstream(out, outlen)) == NULL)
		return -1;

	met_head(f, "autenticacao_requests_total", "counter",
	    "Requests answered, by endpoint and HTTP status.");
	for (ep = 0; ep < MET_EP__MAX; ep++)
		for (st = 0; st < MET_STATUS_N; st++)
			if (totals[SLOT_REQ(ep, st)] > 0)
				fprintf(f, "autenticacao_requests_total"
				    "{endpoint=\"%s\",status=\"%d\"} %llu\n",
				    met_endpoints[ep], met_statuses[st],
				    totals[SLOT_REQ(ep, st)]);

	met_head(f, "autenticacao_logins_total", "counter",
	    "Password checks of login and refresh-session, by result "
	    "(banned: refused unchecked during a ban).");
	for (i = 0; i < MET_LOGIN__MAX; i++)
		fprintf(f, "autenticacao_logins_total{result=\"%s\"} %llu\n",
		    met_logins[i], totals[SLOT_LOGIN0 + i]);

	met_head(f, "autenticacao_refresh_reuse_total", "counter",
	    "Spent refresh tokens presented; each revoked its session.");
	fprintf(f, "autenticacao_refresh_reuse_total %llu\n",
	    totals[SLOT_REUSE]);

	met_head(f, "autenticacao_sessions_revoked_total", "counter",
	    "Sessions ended before their time, by reason.");
	for (i = 0; i < MET_REVOKE__MAX; i++)
		fprintf(f, "autenticacao_sessions_revoked_total"
		    "{reason=\"%s\"} %llu\n", met_reasons[i],
		    totals[SLOT_REVOKE0 + i]);

	met_head(f, "autenticacao_redis_errors_total", "counter",
	    "Redis commands that got no answer or an error reply.");
	fprintf(f, "autenticacao_redis_errors_total %llu\n",
	    totals[SLOT_REDIS_ERR]);

	met_head(f, "autenticacao_request_duration_seconds", "histogram",
	    "Time from the start of a request to its log line, by endpoint.");
	for (ep = 0; ep < MET_EP__MAX; ep++) {
		count = 0;
		for (b = 0; b < MET_BUCKETS; b++)
			count += totals[SLOT_DUR(ep, b)];
		if (count == 0)
			continue;
		cum = 0;
		for (b = 0; b < MET_BUCKETS; b++) {
			cum += totals[SLOT_DUR(ep, b)];
			fprintf(f, "autenticacao_request_duration_seconds_bucket"
			    "{endpoint=\"%s\",le=\"%s\"} %llu\n",
			    met_endpoints[ep], met_buckets[b].le, cum);
		}
		fprintf(f, "autenticacao_request_duration_seconds_sum"
		    "{endpoint=\"%s\"} %llu.%06llu\n", met_endpoints[ep],
		    totals[SLOT_SUM(ep)] / 1000000,
		    totals[SLOT_SUM(ep)] % 1000000);
		fprintf(f, "autenticacao_request_duration_seconds_count"
		    "{endpoint=\"%s\"} %llu\n", met_endpoints[ep], count);
	}

	if (ferror(f)) {
		fclose(f);
		free(*out);
		*out = NULL;
		return -1;
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
