/*
 * cfg.c - the configuration file, read once at start-up.
 *
 * One setting a line:
 *
 *	key = value
 *
 * Blanks (space, tab, CR) around the key and around the value are dropped,
 * so a value can neither begin nor end with one.  A line whose first
 * non-blank byte is '#' is a comment, and so is a blank line.  A '#'
 * anywhere else belongs to the value (a Redis password may hold one): there
 * are no trailing comments, and "redis_port = 6379 # tcp" is a bad number.
 * There is no quoting and no line continuation.  Each key may appear once.
 * A line holds at most CFG_LINE_MAX bytes; a NUL byte anywhere in the file
 * is an error, as is anything else that does not parse: the first error
 * stops the load with "path:line: key: reason" (cfg_check_file, for
 * autenticacao-admin check-config, goes on and reports every one).
 *
 * The file itself must be a regular file of at most CFG_FILE_MAX bytes
 * that neither group nor others may write (it names the Redis every answer
 * comes from); one that others may read while it holds redis_password
 * loads with a warning in the log.
 *
 * Every key is one row of cfg_keys[]: name, setter, place in struct cfg,
 * range and default.  cfg_defaults() fills the struct through the same
 * setters as the file, so a default is always a value the file could hold.
 * Rules that tie two keys together run once the whole file is read
 * (cfg_check).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>	/* INET6_ADDRSTRLEN */
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cfg.h"
#include "log.h"
#include "token.h"

#ifndef CFG_DEFAULT_PATH
#define CFG_DEFAULT_PATH	"/usr/local/etc/autenticacao.conf"
#endif

#define CFG_LINE_MAX	4096		/* bytes in a line, newline excluded */
#define CFG_FILE_MAX	(1024 * 1024)	/* bytes of a config file */
#define CFG_CHECKS_MAX	1024		/* password_checks */
#define CFG_TTL_MAX	31536000LL	/* longest duration, seconds (365 d) */
#define CFG_QUOTE_MAX	48		/* bytes of file text quoted in errors */
#define CFG_WHY_MAX	160		/* a setter's reason, NUL included */

/* Index of each key in cfg_keys[]. */
enum cfg_id {
	CFG_REDIS_HOST,
	CFG_REDIS_PORT,
	CFG_REDIS_SOCKET,
	CFG_REDIS_PASSWORD,
	CFG_REDIS_USERNAME,
	CFG_REDIS_DB,
	CFG_REDIS_TIMEOUT_MS,
	CFG_REDIS_SENTINELS,
	CFG_REDIS_MASTER_NAME,
	CFG_REDIS_SENTINEL_PASSWORD,
	CFG_REDIS_SENTINEL_USERNAME,
	CFG_REDIS_CLUSTER_NODES,
	CFG_REDIS_MIN_REPLICAS_ACK,
	CFG_KEY_PREFIX,
	CFG_ACCESS_TTL,
	CFG_SESSION_TTL,
	CFG_SCRYPT_N,
	CFG_SCRYPT_R,
	CFG_SCRYPT_P,
	CFG_MAX_BODY,
	CFG_BODY_TIMEOUT,
	CFG_PASSWORD_CHECKS,
	CFG_MAX_FAILURES,
	CFG_FAILURE_WINDOW,
	CFG_BAN_TIME,
	CFG_TRUSTED_PROXIES,
	CFG_REFRESH_REUSE_GRACE,
	CFG_IDLE_TTL,
	CFG_MAX_SESSIONS_PER_USER,
	CFG_SESSION_LIMIT_MODE,
	CFG_AUTHORIZER_TOKEN,
	CFG_CORS_ORIGINS,
	CFG_LOG_FORMAT,
	CFG_METRICS,
	CFG_METRICS_ALLOW,
	CFG__MAX
};

/* The C type cfg_set_num() stores at a key's offset. */
enum cfg_num {
	CFG_NUM_NONE = 0,
	CFG_NUM_INT,
	CFG_NUM_LONG,
	CFG_NUM_U32,
	CFG_NUM_U64,
	CFG_NUM_SIZE
};

#define CFG_F_GRAPH	0x01	/* string: printable ASCII, no space */
#define CFG_F_NOBRACE	0x02	/* string: no '{' or '}' (Redis Cluster
				 * hash tags are the store's to place) */
#define CFG_F_POW2	0x02	/* number: a power of two */

struct cfg_key;

/*
 * A setter parses val (NUL-terminated, blanks trimmed) for key k into c.
 * Returns 0, or -1 with a reason for people in why (NUL-terminated).  On
 * failure c is unchanged.
 */
typedef int	(*cfg_setter)(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);

struct cfg_key {
	const char	*name;
	cfg_setter	 set;
	size_t		 off;	/* offsetof(struct cfg, ...) */
	enum cfg_num	 num;	/* numbers: the C type at off */
	long long	 min;	/* numbers: range; strings: length in bytes */
	long long	 max;
	unsigned	 flags;	/* CFG_F_* */
	const char	*def;	/* default as the file would say it; NULL: unset */
};

/* State of one cfg_load() or cfg_check_file(). */
struct cfg_parse {
	const char	*path;
	unsigned long	 lineno;		/* current line, from 1 */
	unsigned long	 line_of[CFG__MAX];	/* line that set a key, 0: none */
	char		*err;			/* cfg_load: the first error */
	size_t		 errsz;
	cfg_report	 report;		/* cfg_check_file: every error */
	void		*arg;
	size_t		 nerr;			/* errors found */
};

static int	cfg_set_str(struct cfg *, const struct cfg_key *, const char *,
		    char *, size_t);
static int	cfg_set_num(struct cfg *, const struct cfg_key *, const char *,
		    char *, size_t);
static int	cfg_set_proxies(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_limit_mode(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_authz(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_checks(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_cors(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_nodes(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_log_format(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);
static int	cfg_set_onoff(struct cfg *, const struct cfg_key *,
		    const char *, char *, size_t);

#define STR(f, lo, fl, d) \
	cfg_set_str, offsetof(struct cfg, f), CFG_NUM_NONE, (lo), CFG_STR_MAX, \
	(fl), (d)
#define NUM(f, t, lo, hi, fl, d) \
	cfg_set_num, offsetof(struct cfg, f), (t), (lo), (hi), (fl), (d)

/* Every key of the configuration table of docs/API.md, with its range
 * and default. */
static const struct cfg_key cfg_keys[CFG__MAX] = {
	[CFG_REDIS_HOST] = { "redis_host",
	    STR(redis_host, 1, CFG_F_GRAPH, "127.0.0.1") },
	[CFG_REDIS_PORT] = { "redis_port",
	    NUM(redis_port, CFG_NUM_INT, 1, 65535, 0, "6379") },
	[CFG_REDIS_SOCKET] = { "redis_socket",
	    STR(redis_socket, 0, 0, NULL) },
	[CFG_REDIS_PASSWORD] = { "redis_password",
	    STR(redis_password, 0, 0, NULL) },
	[CFG_REDIS_USERNAME] = { "redis_username",
	    STR(redis_username, 0, CFG_F_GRAPH, NULL) },
	[CFG_REDIS_DB] = { "redis_db",
	    NUM(redis_db, CFG_NUM_INT, 0, INT_MAX, 0, "0") },
	[CFG_REDIS_TIMEOUT_MS] = { "redis_timeout_ms",
	    NUM(redis_timeout_ms, CFG_NUM_INT, 1, 60000, 0, "1000") },
	[CFG_REDIS_SENTINELS] = { "redis_sentinels", cfg_set_nodes,
	    offsetof(struct cfg, redis_sentinels), CFG_NUM_NONE, 0, 0, 0,
	    NULL },
	[CFG_REDIS_MASTER_NAME] = { "redis_master_name",
	    STR(redis_master_name, 1, CFG_F_GRAPH, "mymaster") },
	[CFG_REDIS_SENTINEL_PASSWORD] = { "redis_sentinel_password",
	    STR(redis_sentinel_password, 0, 0, NULL) },
	[CFG_REDIS_SENTINEL_USERNAME] = { "redis_sentinel_username",
	    STR(redis_sentinel_username, 0, CFG_F_GRAPH, NULL) },
	[CFG_REDIS_CLUSTER_NODES] = { "redis_cluster_nodes", cfg_set_nodes,
	    offsetof(struct cfg, redis_cluster_nodes), CFG_NUM_NONE, 0, 0, 0,
	    NULL },
	[CFG_REDIS_MIN_REPLICAS_ACK] = { "redis_min_replicas_ack",
	    NUM(redis_min_replicas_ack, CFG_NUM_INT, 0, CFG_ACKS_MAX, 0,
	    "0") },
	[CFG_KEY_PREFIX] = { "key_prefix",
	    STR(key_prefix, 1, CFG_F_GRAPH | CFG_F_NOBRACE,
	    "autenticacao:") },
	[CFG_ACCESS_TTL] = { "access_ttl",
	    NUM(access_ttl, CFG_NUM_LONG, 1, CFG_TTL_MAX, 0, "900") },
	[CFG_SESSION_TTL] = { "session_ttl",
	    NUM(session_ttl, CFG_NUM_LONG, 1, CFG_TTL_MAX, 0, "28800") },
	[CFG_SCRYPT_N] = { "scrypt_n",
	    NUM(scrypt_n, CFG_NUM_U64, 2, 1LL << CFG_SCRYPT_LOGN_MAX,
	    CFG_F_POW2, "32768") },
	[CFG_SCRYPT_R] = { "scrypt_r",
	    NUM(scrypt_r, CFG_NUM_U32, 1, CFG_SCRYPT_R_MAX, 0, "8") },
	[CFG_SCRYPT_P] = { "scrypt_p",
	    NUM(scrypt_p, CFG_NUM_U32, 1, CFG_SCRYPT_P_MAX, 0, "3") },
	[CFG_MAX_BODY] = { "max_body",
	    NUM(max_body, CFG_NUM_SIZE, 64, 1048576, 0, "8192") },
	[CFG_BODY_TIMEOUT] = { "body_timeout",
	    NUM(body_timeout, CFG_NUM_LONG, 1, 3600, 0, "10") },
	[CFG_PASSWORD_CHECKS] = { "password_checks", cfg_set_checks, 0,
	    CFG_NUM_NONE, 0, CFG_CHECKS_MAX, 0, "auto" },
	[CFG_MAX_FAILURES] = { "max_failures",
	    NUM(max_failures, CFG_NUM_LONG, 1, 1000000, 0, "5") },
	[CFG_FAILURE_WINDOW] = { "failure_window",
	    NUM(failure_window, CFG_NUM_LONG, 1, CFG_TTL_MAX, 0, "300") },
	[CFG_BAN_TIME] = { "ban_time",
	    NUM(ban_time, CFG_NUM_LONG, 1, CFG_TTL_MAX, 0, "900") },
	[CFG_TRUSTED_PROXIES] = { "trusted_proxies", cfg_set_proxies,
	    0, CFG_NUM_NONE, 0, 0, 0, NULL },
	[CFG_REFRESH_REUSE_GRACE] = { "refresh_reuse_grace",
	    NUM(refresh_reuse_grace, CFG_NUM_LONG, 0, CFG_TTL_MAX, 0, "0") },
	[CFG_IDLE_TTL] = { "idle_ttl",
	    NUM(idle_ttl, CFG_NUM_LONG, 0, CFG_TTL_MAX, 0, "0") },
	[CFG_MAX_SESSIONS_PER_USER] = { "max_sessions_per_user",
	    NUM(max_sessions_per_user, CFG_NUM_LONG, 0, CFG_SESSIONS_MAX, 0,
	    "0") },
	[CFG_SESSION_LIMIT_MODE] = { "session_limit_mode", cfg_set_limit_mode,
	    0, CFG_NUM_NONE, 0, 0, 0, "evict_oldest" },
	[CFG_AUTHORIZER_TOKEN] = { "authorizer_token", cfg_set_authz,
	    0, CFG_NUM_NONE, 0, 0, 0, "authorization" },
	[CFG_CORS_ORIGINS] = { "cors_origins", cfg_set_cors,
	    0, CFG_NUM_NONE, 0, 0, 0, NULL },
	[CFG_LOG_FORMAT] = { "log_format", cfg_set_log_format,
	    0, CFG_NUM_NONE, 0, 0, 0, "text" },
	[CFG_METRICS] = { "metrics", cfg_set_onoff,
	    offsetof(struct cfg, metrics), CFG_NUM_NONE, 0, 0, 0, "off" },
	[CFG_METRICS_ALLOW] = { "metrics_allow", cfg_set_proxies,
	    0, CFG_NUM_NONE, 0, 0, 0, "127.0.0.1,::1" },
};

#undef STR
#undef NUM

/* The values of authorizer_token. */
static const struct {
	const char	*name;
	enum cfg_authz	 value;
} cfg_authz_names[] = {
	{ "authorization", CFG_AUTHZ_AUTHORIZATION },
	{ "authorizationCorban", CFG_AUTHZ_CORBAN },
	{ "any", CFG_AUTHZ_ANY },
};

static int
cfg_isblank(int ch)
{

	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

/*
 * Copy len bytes of s into dst (dstsz > 4) for an error message: bytes
 * outside printable ASCII become '?', and text that does not fit ends in
 * "...".  dst is always NUL-terminated.
 */
static void
cfg_quote(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t	 i, n;

	n = len < dstsz ? len : dstsz - 4;
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)s[i] > ' ' &&
		    (unsigned char)s[i] < 0x7f) ? s[i] : '?';
	if (n < len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

/*
 * Parse s as a decimal number in [min, max]: digits only, all of s, no
 * sign, blank or base prefix (OpenBSD strtonum, stricter).  Returns NULL
 * and sets *out, or a static reason ("not a decimal number", "out of
 * range") and leaves *out alone.
 */
static const char *
cfg_strtonum(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return "not a decimal number";
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return "not a decimal number";
	if (errno == ERANGE || v < min || v > max)
		return "out of range";
	*out = v;
	return NULL;
}

/*
 * Setter for strings: k->min..CFG_STR_MAX bytes, no control characters;
 * with CFG_F_GRAPH printable ASCII without spaces only.  An empty value
 * (when k->min is 0) unsets the key.
 */
static int
cfg_set_str(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	size_t		 i, len;
	unsigned char	 ch;

	len = strlen(val);
	if (len < (size_t)k->min) {
		snprintf(why, whysz, "empty value");
		return -1;
	}
	if (len > CFG_STR_MAX) {
		snprintf(why, whysz, "value longer than %d bytes",
		    CFG_STR_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		ch = (unsigned char)val[i];
		if ((k->flags & CFG_F_GRAPH) && (ch <= ' ' || ch >= 0x7f)) {
			snprintf(why, whysz, "only printable ASCII without "
			    "spaces is allowed");
			return -1;
		}
		if ((k->flags & CFG_F_NOBRACE) && (ch == '{' || ch == '}')) {
			snprintf(why, whysz, "'{' and '}' are not allowed");
			return -1;
		}
		if (ch < ' ' || ch == 0x7f) {
			snprintf(why, whysz, "control character in value");
			return -1;
		}
	}
	memcpy((char *)c + k->off, val, len + 1);
	return 0;
}

/*
 * Setter for numbers: cfg_strtonum() within k->min..k->max, a power of two
 * with CFG_F_POW2, stored as the C type k->num.
 */
static int
cfg_set_num(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	const char	*e;
	long long	 v;
	char		*p;

	if ((e = cfg_strtonum(val, k->min, k->max, &v)) != NULL) {
		snprintf(why, whysz, "%s, expected %lld..%lld", e,
		    k->min, k->max);
		return -1;
	}
	if ((k->flags & CFG_F_POW2) && (v & (v - 1)) != 0) {
		snprintf(why, whysz, "not a power of two");
		return -1;
	}

	p = (char *)c + k->off;
	switch (k->num) {
	case CFG_NUM_INT:
		*(int *)p = (int)v;
		break;
	case CFG_NUM_LONG:
		*(long *)p = (long)v;
		break;
	case CFG_NUM_U32:
		*(uint32_t *)p = (uint32_t)v;
		break;
	case CFG_NUM_U64:
		*(uint64_t *)p = (uint64_t)v;
		break;
	case CFG_NUM_SIZE:
		*(size_t *)p = (size_t)v;
		break;
	default:
		snprintf(why, whysz, "no storage for this key");
		return -1;
	}
	return 0;
}

/*
 * Setter for trusted_proxies and metrics_allow: networks (addr_net_parse)
 * separated by blanks and/or commas, at most CFG_PROXIES_MAX (the same as
 * CFG_METRICS_ALLOW_MAX); "unix:" in trusted_proxies only.  An empty value
 * names nobody.  The whole list is replaced only when every entry parses.
 */
_Static_assert(CFG_METRICS_ALLOW_MAX == CFG_PROXIES_MAX,
    "cfg_set_proxies fills both lists");

static int
cfg_set_proxies(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	static const char	 sep[] = " \t\r\v\f,";
	struct addr_net		 nets[CFG_PROXIES_MAX];
	char			 tok[INET6_ADDRSTRLEN + 5], q[CFG_QUOTE_MAX];
	const char		*s;
	size_t			 n, len;
	int			 unix_peer = 0, proxies;

	proxies = k == &cfg_keys[CFG_TRUSTED_PROXIES];
	n = 0;
	for (s = val; ; s += len) {
		s += strspn(s, sep);
		if (*s == '\0')
			break;
		len = strcspn(s, sep);
		if (n == CFG_PROXIES_MAX) {
			snprintf(why, whysz, "more than %d entries",
			    CFG_PROXIES_MAX);
			return -1;
		}
		if (len < sizeof(tok)) {
			memcpy(tok, s, len);
			tok[len] = '\0';
		}
		/* "unix:": the REMOTE_ADDR of a unix-socket peer (nginx). */
		if (proxies && len == 5 && memcmp(s, "unix:", 5) == 0) {
			unix_peer = 1;
			continue;
		}
		if (len >= sizeof(tok) || addr_net_parse(tok, &nets[n]) == -1) {
			cfg_quote(q, sizeof(q), s, len);
			snprintf(why, whysz, "%s: not an IPv4 or IPv6 address "
			    "or network", q);
			return -1;
		}
		n++;
	}
	if (!proxies) {
		memset(c->metrics_allow, 0, sizeof(c->metrics_allow));
		memcpy(c->metrics_allow, nets, n * sizeof(nets[0]));
		c->metrics_allow_len = n;
		return 0;
	}
	memset(c->trusted_proxies, 0, sizeof(c->trusted_proxies));
	memcpy(c->trusted_proxies, nets, n * sizeof(nets[0]));
	c->trusted_proxies_len = n;
	c->trusted_proxies_unix = unix_peer;
	return 0;
}

/* Setter for log_format: text or json. */
static int
cfg_set_log_format(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{

	(void)k;
	if (strcmp(val, "text") == 0)
		c->log_json = 0;
	else if (strcmp(val, "json") == 0)
		c->log_json = 1;
	else {
		snprintf(why, whysz, "expected text or json");
		return -1;
	}
	return 0;
}

/* Setter for a switch stored as an int at k->off: on or off. */
static int
cfg_set_onoff(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	int	*p = (int *)(void *)((char *)c + k->off);

	if (strcmp(val, "on") == 0)
		*p = 1;
	else if (strcmp(val, "off") == 0)
		*p = 0;
	else {
		snprintf(why, whysz, "expected on or off");
		return -1;
	}
	return 0;
}

/*
 * Setter for password_checks: "auto" (the processors online, at least
 * 1: scrypt is CPU-bound, so more checks at once only share the cores and
 * all finish later), 0 (no cap) or 1..CFG_CHECKS_MAX.
 */
static int
cfg_set_checks(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	const char	*r;
	long long	 v;
	long		 n;

	if (strcmp(val, "auto") == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		c->password_checks = n < 1 ? 1 : n > k->max ? (int)k->max :
		    (int)n;
		return 0;
	}
	if ((r = cfg_strtonum(val, 0, k->max, &v)) != NULL) {
		snprintf(why, whysz, "expected auto or a number of 0..%lld: %s",
		    k->max, r);
		return -1;
	}
	c->password_checks = (int)v;
	return 0;
}

/* Setter for session_limit_mode: evict_oldest or refuse. */
static int
cfg_set_limit_mode(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{

	(void)k;
	if (strcmp(val, "evict_oldest") == 0)
		c->session_limit_refuse = 0;
	else if (strcmp(val, "refuse") == 0)
		c->session_limit_refuse = 1;
	else {
		snprintf(why, whysz, "expected evict_oldest or refuse");
		return -1;
	}
	return 0;
}

/* Setter for authorizer_token: one of cfg_authz_names, case matters. */
static int
cfg_set_authz(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	size_t	 i;

	(void)k;
	for (i = 0; i < sizeof(cfg_authz_names) / sizeof(cfg_authz_names[0]);
	    i++)
		if (strcmp(val, cfg_authz_names[i].name) == 0) {
			c->authorizer_token = cfg_authz_names[i].value;
			return 0;
		}
	snprintf(why, whysz, "expected authorization, authorizationCorban "
	    "or any");
	return -1;
}

/*
 * Setter for cors_origins: origins (cors_origin_check) separated by blanks
 * and/or commas, at most CFG_CORS_MAX, or "*" alone.  An empty value
 * turns CORS off.  The whole list is replaced only when every entry is
 * good.
 */
static int
cfg_set_cors(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	static const char	 sep[] = " \t\r\v\f,";
	char			 list[CFG_CORS_MAX][CORS_ORIGIN_MAX + 1];
	char			 q[CFG_QUOTE_MAX];
	const char		*s, *bad;
	size_t			 n, len;
	int			 any;

	(void)k;
	n = 0;
	any = 0;
	for (s = val; ; s += len) {
		s += strspn(s, sep);
		if (*s == '\0')
			break;
		len = strcspn(s, sep);
		if (len == 1 && *s == '*') {
			any = 1;
			continue;
		}
		if (n == CFG_CORS_MAX) {
			snprintf(why, whysz, "more than %d entries",
			    CFG_CORS_MAX);
			return -1;
		}
		if ((bad = cors_origin_check(s, len)) != NULL) {
			cfg_quote(q, sizeof(q), s, len);
			snprintf(why, whysz, "%s: %s", q, bad);
			return -1;
		}
		memcpy(list[n], s, len);
		list[n][len] = '\0';
		n++;
	}
	if (any && n > 0) {
		snprintf(why, whysz, "'*' allows every origin: it cannot be "
		    "listed with others");
		return -1;
	}
	memset(c->cors_origins, 0, sizeof(c->cors_origins));
	memcpy(c->cors_origins, list, n * sizeof(list[0]));
	c->cors_origins_len = n;
	c->cors_any = any;
	return 0;
}

/*
 * Parse one "host:port" (len bytes at s) into *out: a host name (letters,
 * digits, '.', '-', '_'; not starting with '.' or '-') or an IPv4 address,
 * or an IPv6 address in brackets, then ':' and a port of 1..65535.
 * Returns NULL, or a static reason and *out unchanged.
 */
static const char *
cfg_node_parse(const char *s, size_t len, struct cfg_node *out)
{
	struct in6_addr	 a6;
	char		 host[CFG_HOST_MAX + 1], port[8];
	const char	*colon, *h, *r;
	size_t		 hlen, i;
	long long	 v;

	if (len > 0 && s[0] == '[') {
		colon = memchr(s, ']', len);
		if (colon == NULL || colon + 1 == s + len || colon[1] != ':')
			return "expected [IPv6 address]:port";
		h = s + 1;
		hlen = (size_t)(colon - h);
		colon++;
		if (hlen == 0 || hlen >= INET6_ADDRSTRLEN)
			return "not an IPv6 address in brackets";
		memcpy(host, h, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return "not an IPv6 address in brackets";
	} else {
		colon = memchr(s, ':', len);
		if (colon == NULL)
			return "expected host:port";
		if (memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) !=
		    NULL)
			return "an IPv6 address is written [address]:port";
		h = s;
		hlen = (size_t)(colon - s);
		if (hlen == 0)
			return "missing host before ':'";
		if (hlen > CFG_HOST_MAX)
			return "host name longer than 253 bytes";
		if (h[0] == '.' || h[0] == '-')
			return "not a host name";
		for (i = 0; i < hlen; i++)
			if (!((h[i] >= 'a' && h[i] <= 'z') ||
			    (h[i] >= 'A' && h[i] <= 'Z') ||
			    (h[i] >= '0' && h[i] <= '9') ||
			    h[i] == '.' || h[i] == '-' || h[i] == '_'))
				return "not a host name";
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	i = len - (size_t)(colon + 1 - s);
	if (i == 0)
		return "missing port after ':'";
	if (i >= sizeof(port))
		return "port out of range, expected 1..65535";
	memcpy(port, colon + 1, i);
	port[i] = '\0';
	if ((r = cfg_strtonum(port, 1, 65535, &v)) != NULL)
		return strcmp(r, "out of range") == 0 ?
		    "port out of range, expected 1..65535" :
		    "port is not a decimal number";
	memcpy(out->host, host, hlen + 1);
	out->port = (int)v;
	return NULL;
}

/*
 * Setter for redis_sentinels and redis_cluster_nodes: "host:port" entries
 * (cfg_node_parse) separated by blanks and/or commas, 1..CFG_NODES_MAX of
 * them, into the struct cfg_nodes at k->off.  An empty list is an error: leave the key
 * out instead.  The whole list is replaced only when every entry parses.
 */
static int
cfg_set_nodes(struct cfg *c, const struct cfg_key *k, const char *val,
    char *why, size_t whysz)
{
	static const char	 sep[] = " \t\r\v\f,";
	struct cfg_nodes	 list;
	char			 q[CFG_QUOTE_MAX];
	const char		*s, *bad;
	size_t			 n, len;

	n = 0;
	memset(&list, 0, sizeof(list));
	for (s = val; ; s += len) {
		s += strspn(s, sep);
		if (*s == '\0')
			break;
		len = strcspn(s, sep);
		if (n == CFG_NODES_MAX) {
			snprintf(why, whysz, "more than %d entries",
			    CFG_NODES_MAX);
			return -1;
		}
		if ((bad = cfg_node_parse(s, len, &list.node[n])) != NULL) {
			cfg_quote(q, sizeof(q), s, len);
			snprintf(why, whysz, "%s: %s", q, bad);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		snprintf(why, whysz, "empty list, expected host:port,...");
		return -1;
	}
	list.len = n;
	memcpy((char *)c + k->off, &list, sizeof(list));
	return 0;
}

/*
 * Count one error "path:line: key: reason" ("path: key: reason" when
 * lineno is 0, without "key: " when key is NULL) and hand it to
 * p->report, or keep it in p->err when it is the first.  The key is
 * quoted with cfg_quote(): it is file text and may be anything.
 */
static void
cfg_error(struct cfg_parse *p, unsigned long lineno, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
cfg_error(struct cfg_parse *p, unsigned long lineno, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 why[CFG_WHY_MAX + 64], q[CFG_QUOTE_MAX], at[32];
	char	 msg[PATH_MAX + sizeof(why) + sizeof(q) + sizeof(at) + 8];

	p->nerr++;
	if (p->report == NULL && (p->nerr > 1 || p->errsz == 0))
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	at[0] = '\0';
	if (lineno > 0)
		snprintf(at, sizeof(at), ":%lu", lineno);
	if (key != NULL)
		cfg_quote(q, sizeof(q), key, strlen(key));
	snprintf(msg, sizeof(msg), "%s%s: %s%s%s", p->path, at,
	    key != NULL ? q : "", key != NULL ? ": " : "", why);
	if (p->report != NULL)
		p->report(p->arg, msg);
	else
		snprintf(p->err, p->errsz, "%s", msg);
}

/* The row of cfg_keys[] named name, or NULL. */
static const struct cfg_key *
cfg_key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CFG__MAX; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

/*
 * Parse line p->lineno: its bytes before the newline, at most CFG_LINE_MAX
 * of them, NUL-terminated.  nul says the line held a NUL byte (line then
 * ends early), toolong that it was longer than CFG_LINE_MAX (line holds
 * its start); either is an error naming the key when one can be read.
 * The line is modified in place.  Returns 0, or -1 with the error in
 * p->err.
 */
static int
cfg_line(struct cfg_parse *p, struct cfg *c, char *line, int nul,
    int toolong)
{
	const struct cfg_key	*k;
	char			*s, *eq, *key, *end, *val;
	char			 why[CFG_WHY_MAX];
	size_t			 id;

	for (s = line; cfg_isblank((unsigned char)*s); s++)
		continue;
	if (!nul && !toolong && (*s == '\0' || *s == '#'))
		return 0;

	/* The key: up to '=', or the first word when '=' is missing. */
	key = NULL;
	eq = strchr(s, '=');
	if (*s != '#' && *s != '\0') {
		key = s;
		if (eq != NULL)
			end = eq;
		else
			for (end = s; *end != '\0' &&
			    !cfg_isblank((unsigned char)*end); end++)
				continue;
		while (end > key && cfg_isblank((unsigned char)end[-1]))
			end--;
		if (end == key)
			key = NULL;
		else
			*end = '\0';
	}

	if (nul) {
		cfg_error(p, p->lineno, key, "NUL byte in line");
		return -1;
	}
	if (toolong) {
		cfg_error(p, p->lineno, key, "line longer than %d bytes",
		    CFG_LINE_MAX);
		return -1;
	}
	if (eq == NULL) {
		cfg_error(p, p->lineno, key, "missing '='");
		return -1;
	}
	if (key == NULL) {
		cfg_error(p, p->lineno, NULL, "missing key before '='");
		return -1;
	}
	if ((k = cfg_key_find(key)) == NULL) {
		cfg_error(p, p->lineno, key, "unknown key");
		return -1;
	}
	id = (size_t)(k - cfg_keys);
	if (p->line_of[id] != 0) {
		cfg_error(p, p->lineno, key, "duplicate key (first set on "
		    "line %lu)", p->line_of[id]);
		return -1;
	}

	for (val = eq + 1; cfg_isblank((unsigned char)*val); val++)
		continue;
	for (end = val + strlen(val); end > val &&
	    cfg_isblank((unsigned char)end[-1]); end--)
		continue;
	*end = '\0';

	/* The line counts as setting the key even when its value fails, so
	 * that cfg_check_file names a later line of that key a duplicate. */
	p->line_of[id] = p->lineno;
	if (k->set(c, k, val, why, sizeof(why)) == -1) {
		cfg_error(p, p->lineno, key, "%s", why);
		return -1;
	}
	return 0;
}

/*
 * The key to blame when a rule over keys a and b fails: the one set later
 * in the file (its line made the pair wrong), else whichever was set, else
 * a.
 */
static enum cfg_id
cfg_blame(const struct cfg_parse *p, enum cfg_id a, enum cfg_id b)
{

	return p->line_of[b] > p->line_of[a] ? b : a;
}

/*
 * Rules over more than one key, checked once the file is read:
 * access_ttl <= session_ttl (an access token never outlives its session),
 * 128 * scrypt_n * scrypt_r <= CFG_SCRYPT_MEM_MAX (scrypt's memory),
 * redis_username only with redis_password (AUTH takes both or the
 * password alone), the same for the sentinel pair, and not both
 * redis_sentinels and redis_cluster_nodes.  Every rule is checked;
 * returns 0, or -1 after cfg_error() for each one broken.
 */
static int
cfg_check(struct cfg_parse *p, const struct cfg *c)
{
	enum cfg_id	 id;
	uint64_t	 mem;
	int		 rc = 0;

	if (c->access_ttl > c->session_ttl) {
		id = cfg_blame(p, CFG_ACCESS_TTL, CFG_SESSION_TTL);
		cfg_error(p, p->line_of[id], cfg_keys[id].name,
		    "access_ttl (%ld) exceeds session_ttl (%ld)",
		    c->access_ttl, c->session_ttl);
		rc = -1;
	}

	/* Both are range-checked: N <= 2^20 and r <= 32 cannot overflow. */
	mem = 128 * c->scrypt_n * (uint64_t)c->scrypt_r;
	if (mem > CFG_SCRYPT_MEM_MAX) {
		id = cfg_blame(p, CFG_SCRYPT_N, CFG_SCRYPT_R);
		cfg_error(p, p->line_of[id], cfg_keys[id].name,
		    "scrypt memory 128 * scrypt_n * scrypt_r = %llu bytes "
		    "exceeds %lu", (unsigned long long)mem,
		    (unsigned long)CFG_SCRYPT_MEM_MAX);
		rc = -1;
	}

	if (c->redis_username[0] != '\0' && c->redis_password[0] == '\0') {
		id = cfg_blame(p, CFG_REDIS_USERNAME, CFG_REDIS_PASSWORD);
		cfg_error(p, p->line_of[id], cfg_keys[id].name,
		    "redis_username needs redis_password");
		rc = -1;
	}

	if (c->redis_sentinel_username[0] != '\0' &&
	    c->redis_sentinel_password[0] == '\0') {
		id = cfg_blame(p, CFG_REDIS_SENTINEL_USERNAME,
		    CFG_REDIS_SENTINEL_PASSWORD);
		cfg_error(p, p->line_of[id], cfg_keys[id].name,
		    "redis_sentinel_username needs redis_sentinel_password");
		rc = -1;
	}

	if (c->redis_sentinels.len > 0 && c->redis_cluster_nodes.len > 0) {
		id = cfg_blame(p, CFG_REDIS_SENTINELS, CFG_REDIS_CLUSTER_NODES);
		cfg_error(p, p->line_of[id], cfg_keys[id].name,
		    "redis_sentinels and redis_cluster_nodes cannot be "
		    "combined: a Cluster fails over by itself");
		rc = -1;
	}
	/* The slot routing a Cluster needs is not built yet: refuse rather
	 * than talk to one node as if it were all of them. */
	if (c->redis_cluster_nodes.len > 0) {
		cfg_error(p, p->line_of[CFG_REDIS_CLUSTER_NODES],
		    cfg_keys[CFG_REDIS_CLUSTER_NODES].name,
		    "Redis Cluster is not supported yet");
		rc = -1;
	}
	return rc;
}

void
cfg_defaults(struct cfg *c)
{
	char	 why[CFG_WHY_MAX];
	size_t	 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CFG__MAX; i++)
		if (cfg_keys[i].def != NULL &&
		    cfg_keys[i].set(c, &cfg_keys[i], cfg_keys[i].def, why,
		    sizeof(why)) == -1)
			abort();	/* the table contradicts itself */
}

/*
 * Read p->path into c.  The file is read with read(2) into our own
 * buffers rather than stdio's, so that every copy of its bytes
 * (redis_password among them) can be wiped before returning.  Lines are
 * cut at '\n'; a last line without one still counts.  Over-long lines are
 * read to their end, then refused.  Without p->report the first error
 * ends the read; with it every line is parsed, each error reported, and
 * only a file that cannot be read at all ends it early.  Returns 0, or -1
 * when any error was found (p->nerr of them).
 */
static int
cfg_read(struct cfg *c, struct cfg_parse *p)
{
	char			 buf[4096], line[CFG_LINE_MAX + 1];
	struct stat		 sb;
	size_t			 len, i, total;
	ssize_t			 n;
	int			 fd, rc, nul, toolong;

	fd = -1;
	total = 0;
	rc = -1;
	len = 0;
	nul = toolong = 0;

	/* O_NONBLOCK: a FIFO or a device must not block the open; only a
	 * regular file is read.  A file others may write could name another
	 * Redis and take over every answer: refused. */
	if ((fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1 || fstat(fd, &sb) == -1) {
		cfg_error(p, 0, NULL, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		cfg_error(p, 0, NULL, "%s", S_ISDIR(sb.st_mode) ?
		    strerror(EISDIR) : "not a regular file");
		goto out;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		cfg_error(p, 0, NULL, "writable by group or others "
		    "(chmod go-w)");
		if (p->report == NULL)
			goto out;
	}
	if (sb.st_size > CFG_FILE_MAX) {
		cfg_error(p, 0, NULL, "larger than %d bytes", CFG_FILE_MAX);
		goto out;
	}

	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			cfg_error(p, 0, NULL, "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		/* A file that grows while read is cut at CFG_FILE_MAX. */
		if ((total += (size_t)n) > CFG_FILE_MAX) {
			cfg_error(p, 0, NULL, "larger than %d bytes",
			    CFG_FILE_MAX);
			goto out;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n') {
				if (buf[i] == '\0')
					nul = 1;
				if (len < CFG_LINE_MAX)
					line[len++] = buf[i];
				else
					toolong = 1;
				continue;
			}
			line[len] = '\0';
			p->lineno++;
			if (cfg_line(p, c, line, nul, toolong) == -1 &&
			    p->report == NULL)
				goto out;
			len = 0;
			nul = toolong = 0;
		}
	}
	if (len > 0) {
		line[len] = '\0';
		p->lineno++;
		if (cfg_line(p, c, line, nul, toolong) == -1 &&
		    p->report == NULL)
			goto out;
	}

	/* After errors in lines, the rules over several keys see the
	 * defaults of the keys that failed. */
	if (cfg_check(p, c) == -1 && p->report == NULL)
		goto out;
	if (p->nerr > 0)
		goto out;
	if ((c->redis_password[0] != '\0' ||
	    c->redis_sentinel_password[0] != '\0') && (sb.st_mode & S_IROTH))
		log_warn("%s: readable by others and holds %s (chmod o-r)",
		    p->path, c->redis_password[0] != '\0' ? "redis_password" :
		    "redis_sentinel_password");
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	tok_wipe(buf, sizeof(buf));
	tok_wipe(line, sizeof(line));
	return rc;
}

int
cfg_load(struct cfg *c, const char *path, char *err, size_t errsz)
{
	struct cfg_parse	 p;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errsz = errsz;
	if (errsz > 0)
		err[0] = '\0';
	return cfg_read(c, &p);
}

size_t
cfg_check_file(struct cfg *c, const char *path, cfg_report report,
    void *arg)
{
	struct cfg_parse	 p;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.report = report;
	p.arg = arg;
	(void)cfg_read(c, &p);
	return p.nerr;
}

const char *
cfg_path(void)
{
	const char	*s;

	if ((s = getenv("AUTENTICACAO_CONF")) != NULL && *s != '\0')
		return s;
	return CFG_DEFAULT_PATH;
}

/* The networks of trusted_proxies, matched as addr_in_nets() does; a
 * "unix:..." REMOTE_ADDR when trusted_proxies holds "unix:". */
int
cfg_proxy_trusted(const struct cfg *c, const char *addr)
{

	if (addr != NULL && strncmp(addr, "unix:", 5) == 0)
		return c->trusted_proxies_unix;
	return addr_in_nets(c->trusted_proxies, c->trusted_proxies_len <
	    CFG_PROXIES_MAX ? c->trusted_proxies_len : CFG_PROXIES_MAX, addr);
}

int
cfg_metrics_allowed(const struct cfg *c, const char *addr)
{

	return addr_in_nets(c->metrics_allow, c->metrics_allow_len <
	    CFG_METRICS_ALLOW_MAX ? c->metrics_allow_len :
	    CFG_METRICS_ALLOW_MAX, addr);
}

void
cfg_clear(struct cfg *c)
{

	tok_wipe(c->redis_password, sizeof(c->redis_password));
	tok_wipe(c->redis_sentinel_password,
	    sizeof(c->redis_sentinel_password));
}
