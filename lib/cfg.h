/*
 * cfg.h - the configuration file: `key = value` lines, `#` comments.
 *
 * Read once at start-up (before the first accept); a bad file stops the
 * program with "file:line: key: reason".  The struct is plain data owned by
 * the caller; cfg_clear() wipes the Redis password before it is freed.
 */
#ifndef AUTENTICACAO_CFG_H
#define AUTENTICACAO_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cors.h"

#define CFG_STR_MAX	256	/* longest string value, bytes, NUL excluded */
#define CFG_PROXIES_MAX	32	/* entries in trusted_proxies */
#define CFG_CORS_MAX	16	/* entries in cors_origins */
#define CFG_NODES_MAX	16	/* entries in redis_sentinels, redis_cluster_nodes */
#define CFG_HOST_MAX	253	/* bytes of a host name (RFC 1035) */
#define CFG_ACKS_MAX	64	/* redis_min_replicas_ack */
#define CFG_METRICS_ALLOW_MAX	32	/* entries in metrics_allow */

/* Most max_sessions_per_user can be: the login script declares every
 * live session of its user as a key. */
#define CFG_SESSIONS_MAX	100

/* Caps on scrypt cost, both for the config and for stored hashes. */
#define CFG_SCRYPT_LOGN_MAX	20	/* N <= 2^20 */
#define CFG_SCRYPT_R_MAX	32
#define CFG_SCRYPT_P_MAX	16
#define CFG_SCRYPT_MEM_MAX	(256UL * 1024 * 1024) /* 128 * N * r bytes */

enum cfg_authz {
	CFG_AUTHZ_AUTHORIZATION = 0,	/* "authorization" (default) */
	CFG_AUTHZ_CORBAN,		/* "authorizationCorban" */
	CFG_AUTHZ_ANY			/* "any" */
};

/* One "host:port" of redis_sentinels or redis_cluster_nodes: a host name,
 * an IPv4 address or an IPv6 address (written "[addr]:port"; host holds
 * it without the brackets). */
struct cfg_node {
	char		 host[CFG_HOST_MAX + 1];
	int		 port;
};

/* A list of nodes (redis_sentinels, redis_cluster_nodes); len 0: unset. */
struct cfg_nodes {
	struct cfg_node	 node[CFG_NODES_MAX];
	size_t		 len;
};

struct cfg {
	char		 redis_host[CFG_STR_MAX + 1];
	int		 redis_port;
	char		 redis_socket[CFG_STR_MAX + 1];	/* "" = unset */
	char		 redis_password[CFG_STR_MAX + 1]; /* "" = unset */
	char		 redis_username[CFG_STR_MAX + 1]; /* "" = unset */
	int		 redis_db;
	int		 redis_timeout_ms;
	/* Redis Sentinel: the sentinels to ask, in order; 0 entries: off. */
	struct cfg_nodes redis_sentinels;
	char		 redis_master_name[CFG_STR_MAX + 1];
	char		 redis_sentinel_password[CFG_STR_MAX + 1]; /* "" = unset */
	char		 redis_sentinel_username[CFG_STR_MAX + 1]; /* "" = unset */
	/* Redis Cluster seed nodes; parsed and checked, not routed yet. */
	struct cfg_nodes redis_cluster_nodes;
	int		 redis_min_replicas_ack;	/* WAIT for this many */
	char		 key_prefix[CFG_STR_MAX + 1];
	long		 access_ttl;
	long		 session_ttl;
	uint64_t	 scrypt_n;
	uint32_t	 scrypt_r;
	uint32_t	 scrypt_p;
	size_t		 max_body;
	long		 body_timeout;	/* seconds for a request body */
	int		 password_checks; /* at once on this host, 0: no cap */
	long		 max_failures;
	long		 failure_window;
	long		 ban_time;
	struct addr_net	 trusted_proxies[CFG_PROXIES_MAX];
	size_t		 trusted_proxies_len;
	int		 trusted_proxies_unix;	/* "unix:" listed */
	long		 refresh_reuse_grace;
	long		 idle_ttl;	/* seconds without use; 0: off */
	long		 max_sessions_per_user;	/* 0: no cap */
	int		 session_limit_refuse;	/* 1: refuse, 0: evict_oldest */
	enum cfg_authz	 authorizer_token;
	/* cors_origins: exact origins (cors.h), or "*" (cors_any). */
	char		 cors_origins[CFG_CORS_MAX][CORS_ORIGIN_MAX + 1];
	size_t		 cors_origins_len;
	int		 cors_any;
	int		 log_json;	/* log_format: 1 json, 0 text */
	int		 metrics;	/* GET /metrics answered: on 1, off 0 */
	struct addr_net	 metrics_allow[CFG_METRICS_ALLOW_MAX];
	size_t		 metrics_allow_len;
};

/* Fill c with docs/API.md's defaults. */
void		 cfg_defaults(struct cfg *c);

/*
 * Read path over the defaults already in c.  Returns 0 on success; on
 * failure returns -1 and writes "path:line: key: reason" (or "path: reason"
 * when the file cannot be read) into err (NUL-terminated, truncated to
 * errsz).  A value that fails leaves c partly updated: the caller stops.
 */
int		 cfg_load(struct cfg *c, const char *path, char *err, size_t errsz);

/* Receives one problem of a config file, "path:line: key: reason"
 * (NUL-terminated, valid during the call only). */
typedef void	(*cfg_report)(void *arg, const char *msg);

/*
 * Check path as cfg_load() reads it over the defaults already in c, but
 * go on past an error: every bad line and every broken rule over several
 * keys is handed to report(arg, msg), in the order of the file (the rules
 * last).  Returns the number of problems, 0 for a good file.  c ends up
 * holding whatever parsed; wipe it with cfg_clear().
 */
size_t		 cfg_check_file(struct cfg *c, const char *path,
		    cfg_report report, void *arg);

/* The config path: AUTENTICACAO_CONF if set and non-empty, else the
 * compiled-in default.  Static or environment storage: copy it before the
 * first FastCGI accept. */
const char	*cfg_path(void);

/* 1 if the textual address addr is inside one of trusted_proxies. */
int		 cfg_proxy_trusted(const struct cfg *c, const char *addr);

/* 1 if the textual client address addr is inside metrics_allow. */
int		 cfg_metrics_allowed(const struct cfg *c, const char *addr);

/* Wipe secrets (the Redis and sentinel passwords). */
void		 cfg_clear(struct cfg *c);

#endif
