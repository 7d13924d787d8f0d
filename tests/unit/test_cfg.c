/*
 * test_cfg.c - unit tests of lib/cfg.c: defaults, the sample config, every
 * key, every kind of error and its "file:line: key" message, strict
 * numbers, trusted_proxies matching, cors_origins, wiping.
 *
 * Runs from the repository root (the sample config is found at
 * SAMPLE_CONF, relative to it).  Temporary configs are written with
 * mkstemp() under /tmp and removed before each test returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/cfg.c"

#ifndef SAMPLE_CONF
#define SAMPLE_CONF	"conf/autenticacao.conf"
#endif

#define TMP_TEMPLATE	"/tmp/test_cfg.XXXXXX"
#define ERR_MAX		512

/* Write len bytes of text to a fresh temporary file; its name goes to path
 * (sizeof(TMP_TEMPLATE) bytes). */
static void
tmp_write(char *path, const char *text, size_t len)
{
	int	 fd;

	memcpy(path, TMP_TEMPLATE, sizeof(TMP_TEMPLATE));
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Load len bytes of text over the defaults into c; the temporary file's
 * name (already removed) goes to path.  Returns cfg_load's result. */
static int
load_mem(const char *text, size_t len, struct cfg *c, char *err,
    size_t errsz, char *path)
{
	int	 rc;

	tmp_write(path, text, len);
	cfg_defaults(c);
	rc = cfg_load(c, path, err, errsz);
	assert_int_equal(unlink(path), 0);
	return rc;
}

/* Load text, which must succeed, over the defaults into c. */
static void
load_ok(const char *text, struct cfg *c)
{
	char	 path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];

	strcpy(err, "untouched");
	if (load_mem(text, strlen(text), c, err, sizeof(err), path) != 0)
		fail_msg("load failed: %s", err);
	assert_string_equal(err, "");
}

/* Load len bytes of text, which must fail with exactly "<path><suffix>". */
static void
expect_error(const char *text, size_t len, const char *suffix)
{
	struct cfg	 c;
	char		 path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];
	char		 want[ERR_MAX];

	assert_int_equal(load_mem(text, len, &c, err, sizeof(err), path), -1);
	snprintf(want, sizeof(want), "%s%s", path, suffix);
	assert_string_equal(err, want);
}

/* For string literals, which may hold NUL bytes. */
#define EXPECT_ERROR(text, suffix) \
	expect_error((text), sizeof(text) - 1, (suffix))

/* Every field of a equals b's. */
static void
assert_cfg_equal(const struct cfg *a, const struct cfg *b)
{

	assert_string_equal(a->redis_host, b->redis_host);
	assert_int_equal(a->redis_port, b->redis_port);
	assert_string_equal(a->redis_socket, b->redis_socket);
	assert_string_equal(a->redis_password, b->redis_password);
	assert_string_equal(a->redis_username, b->redis_username);
	assert_int_equal(a->redis_db, b->redis_db);
	assert_int_equal(a->redis_timeout_ms, b->redis_timeout_ms);
	assert_string_equal(a->key_prefix, b->key_prefix);
	assert_int_equal(a->access_ttl, b->access_ttl);
	assert_int_equal(a->session_ttl, b->session_ttl);
	assert_int_equal(a->scrypt_n, b->scrypt_n);
	assert_int_equal(a->scrypt_r, b->scrypt_r);
	assert_int_equal(a->scrypt_p, b->scrypt_p);
	assert_int_equal(a->max_body, b->max_body);
	assert_int_equal(a->max_failures, b->max_failures);
	assert_int_equal(a->failure_window, b->failure_window);
	assert_int_equal(a->ban_time, b->ban_time);
	assert_int_equal(a->trusted_proxies_len, b->trusted_proxies_len);
	assert_memory_equal(a->trusted_proxies, b->trusted_proxies,
	    sizeof(a->trusted_proxies));
	assert_int_equal(a->refresh_reuse_grace, b->refresh_reuse_grace);
	assert_int_equal(a->authorizer_token, b->authorizer_token);
	assert_int_equal(a->cors_origins_len, b->cors_origins_len);
	assert_memory_equal(a->cors_origins, b->cors_origins,
	    sizeof(a->cors_origins));
	assert_int_equal(a->cors_any, b->cors_any);
	assert_int_equal(a->redis_sentinels.len, b->redis_sentinels.len);
	assert_memory_equal(&a->redis_sentinels, &b->redis_sentinels,
	    sizeof(a->redis_sentinels));
	assert_string_equal(a->redis_master_name, b->redis_master_name);
	assert_string_equal(a->redis_sentinel_password,
	    b->redis_sentinel_password);
	assert_string_equal(a->redis_sentinel_username,
	    b->redis_sentinel_username);
	assert_int_equal(a->redis_cluster_nodes.len,
	    b->redis_cluster_nodes.len);
	assert_int_equal(a->redis_min_replicas_ack, b->redis_min_replicas_ack);
}

/* Replace c's trusted_proxies with list, which must parse. */
static void
set_proxies(struct cfg *c, const char *list)
{
	const struct cfg_key	*k = &cfg_keys[CFG_TRUSTED_PROXIES];
	char			 why[CFG_WHY_MAX];

	if (k->set(c, k, list, why, sizeof(why)) != 0)
		fail_msg("trusted_proxies = %s: %s", list, why);
}

/* ---- defaults and the sample file ---- */

static void
defaults_match_api_table(void **state)
{
	struct cfg	 c;
	size_t		 i;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	cfg_defaults(&c);
	assert_string_equal(c.redis_host, "127.0.0.1");
	assert_int_equal(c.redis_port, 6379);
	assert_string_equal(c.redis_socket, "");
	assert_string_equal(c.redis_password, "");
	assert_string_equal(c.redis_username, "");
	assert_int_equal(c.redis_db, 0);
	assert_int_equal(c.redis_timeout_ms, 1000);
	assert_string_equal(c.key_prefix, "autenticacao:");
	assert_int_equal(c.access_ttl, 900);
	assert_int_equal(c.session_ttl, 28800);
	assert_int_equal(c.scrypt_n, 32768);
	assert_int_equal(c.scrypt_r, 8);
	assert_int_equal(c.scrypt_p, 3);
	assert_int_equal(c.max_body, 8192);
	assert_int_equal(c.max_failures, 5);
	assert_int_equal(c.failure_window, 300);
	assert_int_equal(c.ban_time, 900);
	assert_int_equal(c.trusted_proxies_len, 0);
	for (i = 0; i < sizeof(c.trusted_proxies); i++)
		assert_int_equal(((unsigned char *)c.trusted_proxies)[i], 0);
	assert_int_equal(c.refresh_reuse_grace, 0);
	assert_int_equal(c.authorizer_token, CFG_AUTHZ_AUTHORIZATION);
	assert_int_equal(c.cors_origins_len, 0);
	assert_int_equal(c.cors_any, 0);
	for (i = 0; i < sizeof(c.cors_origins); i++)
		assert_int_equal(((unsigned char *)c.cors_origins)[i], 0);
}

static void
sample_conf_loads_as_defaults(void **state)
{
	struct cfg	 c, d;
	char		 err[ERR_MAX];

	(void)state;
	if (access(SAMPLE_CONF, R_OK) != 0)
		fail_msg("%s: %s (run from the repository root)", SAMPLE_CONF,
		    strerror(errno));
	cfg_defaults(&c);
	if (cfg_load(&c, SAMPLE_CONF, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	cfg_defaults(&d);
	assert_cfg_equal(&c, &d);
}

/*
 * The sample sets every key that has a default to it ("key = default",
 * uncommented) and shows every unset key commented ("#key = ..."), each
 * exactly once.
 */
static void
sample_conf_lists_every_key(void **state)
{
	FILE		*f;
	char		*line = NULL, want[512];
	size_t		 linesz = 0, i, nlen;
	ssize_t		 n;
	int		 found[CFG__MAX];

	(void)state;
	memset(found, 0, sizeof(found));
	f = fopen(SAMPLE_CONF, "r");
	if (f == NULL)
		fail_msg("%s: %s", SAMPLE_CONF, strerror(errno));
	while ((n = getline(&line, &linesz, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		for (i = 0; i < CFG__MAX; i++) {
			nlen = strlen(cfg_keys[i].name);
			if (cfg_keys[i].def != NULL) {
				snprintf(want, sizeof(want), "%s = %s",
				    cfg_keys[i].name, cfg_keys[i].def);
				if (strcmp(line, want) == 0)
					found[i]++;
			} else if (line[0] == '#' &&
			    strncmp(line + 1, cfg_keys[i].name, nlen) == 0 &&
			    strncmp(line + 1 + nlen, " = ", 3) == 0)
				found[i]++;
		}
	}
	free(line);
	fclose(f);
	for (i = 0; i < CFG__MAX; i++)
		if (found[i] != 1)
			fail_msg("%s: key %s shown %d times", SAMPLE_CONF,
			    cfg_keys[i].name, found[i]);
}

static void
path_from_environment(void **state)
{

	(void)state;
	assert_int_equal(setenv("AUTENTICACAO_CONF", "/x/y.conf", 1), 0);
	assert_string_equal(cfg_path(), "/x/y.conf");
	assert_int_equal(unsetenv("AUTENTICACAO_CONF"), 0);
}

static void
path_empty_environment_is_default(void **state)
{

	(void)state;
	assert_int_equal(setenv("AUTENTICACAO_CONF", "", 1), 0);
	assert_string_equal(cfg_path(), CFG_DEFAULT_PATH);
	assert_int_equal(unsetenv("AUTENTICACAO_CONF"), 0);
	assert_string_equal(cfg_path(), CFG_DEFAULT_PATH);
}

/* ---- keys and syntax ---- */

static void
every_key_parsed(void **state)
{
	struct cfg	 c;
	unsigned char	 a[16];

	(void)state;
	load_ok("redis_host = redis.example.org\n"
	    "redis_port = 6380\n"
	    "redis_socket = /run/redis/r.sock\n"
	    "redis_password = p#ss word=x\n"
	    "redis_username = svc\n"
	    "redis_db = 15\n"
	    "redis_timeout_ms = 250\n"
	    "key_prefix = app:auth:\n"
	    "access_ttl = 60\n"
	    "session_ttl = 3600\n"
	    "scrypt_n = 16384\n"
	    "scrypt_r = 4\n"
	    "scrypt_p = 2\n"
	    "max_body = 65536\n"
	    "max_failures = 10\n"
	    "failure_window = 600\n"
	    "ban_time = 1800\n"
	    "trusted_proxies = 192.0.2.1, 2001:db8::/32 10.1.2.3/8\n"
	    "refresh_reuse_grace = 5\n"
	    "authorizer_token = any\n"
	    "cors_origins = https://app.example.com,http://localhost:3000\n",
	    &c);
	assert_string_equal(c.redis_host, "redis.example.org");
	assert_int_equal(c.redis_port, 6380);
	assert_string_equal(c.redis_socket, "/run/redis/r.sock");
	assert_string_equal(c.redis_password, "p#ss word=x");
	assert_string_equal(c.redis_username, "svc");
	assert_int_equal(c.redis_db, 15);
	assert_int_equal(c.redis_timeout_ms, 250);
	assert_string_equal(c.key_prefix, "app:auth:");
	assert_int_equal(c.access_ttl, 60);
	assert_int_equal(c.session_ttl, 3600);
	assert_int_equal(c.scrypt_n, 16384);
	assert_int_equal(c.scrypt_r, 4);
	assert_int_equal(c.scrypt_p, 2);
	assert_int_equal(c.max_body, 65536);
	assert_int_equal(c.max_failures, 10);
	assert_int_equal(c.failure_window, 600);
	assert_int_equal(c.ban_time, 1800);
	assert_int_equal(c.refresh_reuse_grace, 5);
	assert_int_equal(c.authorizer_token, CFG_AUTHZ_ANY);
	assert_int_equal(c.cors_origins_len, 2);
	assert_string_equal(c.cors_origins[0], "https://app.example.com");
	assert_string_equal(c.cors_origins[1], "http://localhost:3000");
	assert_int_equal(c.cors_any, 0);

	assert_int_equal(c.trusted_proxies_len, 3);
	assert_int_equal(c.trusted_proxies[0].family, AF_INET);
	assert_int_equal(c.trusted_proxies[0].prefix, 32);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", a), 1);
	assert_memory_equal(c.trusted_proxies[0].addr, a, 4);
	assert_int_equal(c.trusted_proxies[1].family, AF_INET6);
	assert_int_equal(c.trusted_proxies[1].prefix, 32);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", a), 1);
	assert_memory_equal(c.trusted_proxies[1].addr, a, 16);
	/* Host bits beyond the prefix are cleared. */
	assert_int_equal(c.trusted_proxies[2].family, AF_INET);
	assert_int_equal(c.trusted_proxies[2].prefix, 8);
	assert_int_equal(inet_pton(AF_INET, "10.0.0.0", a), 1);
	assert_memory_equal(c.trusted_proxies[2].addr, a, 4);
}

static void
absent_keys_keep_defaults(void **state)
{
	struct cfg	 c, d;

	(void)state;
	load_ok("redis_port = 7000\n", &c);
	assert_int_equal(c.redis_port, 7000);
	cfg_defaults(&d);
	d.redis_port = 7000;
	assert_cfg_equal(&c, &d);
}

static void
empty_file_is_defaults(void **state)
{
	struct cfg	 c, d;

	(void)state;
	load_ok("", &c);
	cfg_defaults(&d);
	assert_cfg_equal(&c, &d);
}

static void
comments_blanks_and_whitespace(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("# comment\n"
	    "\n"
	    "   \t\n"
	    "\t  # indented comment = with equals\n"
	    "  redis_port\t=\t 7000 \r\n"
	    "key_prefix=p:\n"
	    "redis_db = 3", &c);	/* no final newline */
	assert_int_equal(c.redis_port, 7000);
	assert_string_equal(c.key_prefix, "p:");
	assert_int_equal(c.redis_db, 3);
}

static void
hash_inside_value_is_kept(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("redis_password =  #a b#  \n", &c);
	assert_string_equal(c.redis_password, "#a b#");
}

static void
empty_value_unsets_optional_string(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("redis_socket =\nredis_password = \ntrusted_proxies =\n"
	    "cors_origins =\n", &c);
	assert_string_equal(c.redis_socket, "");
	assert_string_equal(c.redis_password, "");
	assert_int_equal(c.trusted_proxies_len, 0);
	assert_int_equal(c.cors_origins_len, 0);
	assert_int_equal(c.cors_any, 0);
}

/*
 * cors_origins: blanks and/or commas between origins, kept as written;
 * "*" alone; every form of origin a browser sends (IPv4, IPv6, a port,
 * another scheme).
 */
static void
cors_origins_values(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("cors_origins = *\n", &c);
	assert_int_equal(c.cors_any, 1);
	assert_int_equal(c.cors_origins_len, 0);
	load_ok("cors_origins =  http://127.0.0.1:3000 ,,\thttp://[::1]:8080 "
	    "https://xn--bcher-kva.example capacitor://localhost\n", &c);
	assert_int_equal(c.cors_any, 0);
	assert_int_equal(c.cors_origins_len, 4);
	assert_string_equal(c.cors_origins[0], "http://127.0.0.1:3000");
	assert_string_equal(c.cors_origins[1], "http://[::1]:8080");
	assert_string_equal(c.cors_origins[2], "https://xn--bcher-kva.example");
	assert_string_equal(c.cors_origins[3], "capacitor://localhost");
	assert_true(cors_enabled(&c));
	load_ok("redis_port = 7000\n", &c);
	assert_false(cors_enabled(&c));
}

static void
authorizer_token_values(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("authorizer_token = authorizationCorban\n", &c);
	assert_int_equal(c.authorizer_token, CFG_AUTHZ_CORBAN);
	load_ok("authorizer_token = authorization\n", &c);
	assert_int_equal(c.authorizer_token, CFG_AUTHZ_AUTHORIZATION);
	load_ok("authorizer_token = any\n", &c);
	assert_int_equal(c.authorizer_token, CFG_AUTHZ_ANY);
}

static void
range_bounds_accepted(void **state)
{
	struct cfg	 c;
	char		*text;
	int		 n;

	(void)state;
	load_ok("redis_port = 1\nredis_timeout_ms = 60000\n"
	    "scrypt_n = 2\nscrypt_r = 1\nscrypt_p = 16\nmax_body = 64\n"
	    "refresh_reuse_grace = 0\nredis_db = 2147483647\n", &c);
	assert_int_equal(c.redis_port, 1);
	assert_int_equal(c.scrypt_n, 2);
	assert_int_equal(c.redis_db, 2147483647);
	/* 2^20 * 2 * 128 bytes is exactly the memory cap. */
	load_ok("redis_port = 65535\nscrypt_n = 1048576\nscrypt_r = 2\n"
	    "max_body = 1048576\naccess_ttl = 31536000\n"
	    "session_ttl = 31536000\n", &c);
	assert_int_equal(c.scrypt_n, 1048576);
	assert_int_equal(c.session_ttl, 31536000);
	/* A string of CFG_STR_MAX bytes fits. */
	n = asprintf(&text, "key_prefix = %0*d\n", CFG_STR_MAX, 7);
	assert_true(n > 0);
	load_ok(text, &c);
	free(text);
	assert_int_equal(strlen(c.key_prefix), CFG_STR_MAX);
}

static void
long_comment_within_limit_accepted(void **state)
{
	struct cfg	 c;
	char		*text;

	(void)state;
	text = malloc(CFG_LINE_MAX + 32);
	assert_non_null(text);
	memset(text, 'x', CFG_LINE_MAX);
	text[0] = '#';
	strcpy(text + CFG_LINE_MAX, "\nredis_db = 4\n");
	load_ok(text, &c);
	free(text);
	assert_int_equal(c.redis_db, 4);
}

/* ---- errors: "path:line: key: reason" ---- */

static void
error_unknown_key(void **state)
{

	(void)state;
	EXPECT_ERROR("# c\n\nredis_prot = 6379\n", ":3: redis_prot: unknown key");
}

static void
error_key_is_case_sensitive(void **state)
{

	(void)state;
	EXPECT_ERROR("Redis_Port = 6379\n", ":1: Redis_Port: unknown key");
}

static void
error_missing_equals(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_port = 1\nredis_db 3\n",
	    ":2: redis_db: missing '='");
}

static void
error_missing_key(void **state)
{

	(void)state;
	EXPECT_ERROR("\n  = 3\n", ":2: missing key before '='");
}

static void
error_bad_number(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_db = 1\n\nredis_port = 12x\n",
	    ":3: redis_port: not a decimal number, expected 1..65535");
}

static void
error_number_out_of_range(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_port = 65536\n",
	    ":1: redis_port: out of range, expected 1..65535");
	EXPECT_ERROR("redis_timeout_ms = 0\n",
	    ":1: redis_timeout_ms: out of range, expected 1..60000");
	EXPECT_ERROR("max_body = 63\n",
	    ":1: max_body: out of range, expected 64..1048576");
	EXPECT_ERROR("ban_time = 0\n",
	    ":1: ban_time: out of range, expected 1..31536000");
	EXPECT_ERROR("max_failures = 0\n",
	    ":1: max_failures: out of range, expected 1..1000000");
	EXPECT_ERROR("failure_window = 0\n",
	    ":1: failure_window: out of range, expected 1..31536000");
	EXPECT_ERROR("access_ttl = 0\n",
	    ":1: access_ttl: out of range, expected 1..31536000");
	EXPECT_ERROR("scrypt_r = 33\n",
	    ":1: scrypt_r: out of range, expected 1..32");
	EXPECT_ERROR("scrypt_p = 17\n",
	    ":1: scrypt_p: out of range, expected 1..16");
	EXPECT_ERROR("scrypt_p = 0\n",
	    ":1: scrypt_p: out of range, expected 1..16");
}

static void
error_empty_number(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_db =\n",
	    ":1: redis_db: not a decimal number, expected 0..2147483647");
}

static void
error_trailing_comment_is_part_of_value(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_port = 6379 # tcp\n",
	    ":1: redis_port: not a decimal number, expected 1..65535");
}

static void
error_strict_numbers_in_file(void **state)
{
	static const char *const bad[] = {
		"12x", "-1", "+1", "0x10", "1 2", "1e3", "1.0", "\xd9\xa3",
	};
	char	 text[64];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "\nredis_db = %s\n", bad[i]);
		expect_error(text, strlen(text), ":2: redis_db: not a "
		    "decimal number, expected 0..2147483647");
	}
	EXPECT_ERROR("redis_db = 99999999999999999999\n",
	    ":1: redis_db: out of range, expected 0..2147483647");
	EXPECT_ERROR("redis_db = 2147483648\n",
	    ":1: redis_db: out of range, expected 0..2147483647");
}

static void
error_duplicate_key(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_port = 1\nredis_db = 1\nredis_port = 1\n",
	    ":3: redis_port: duplicate key (first set on line 1)");
}

static void
error_line_too_long(void **state)
{
	char		*text, path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];
	char		 want[ERR_MAX];
	struct cfg	 c;
	size_t		 len;

	(void)state;
	len = strlen("redis_db = 1\nredis_password = ");
	text = malloc(len + CFG_LINE_MAX + 32);
	assert_non_null(text);
	memcpy(text, "redis_db = 1\nredis_password = ", len);
	memset(text + len, 'x', CFG_LINE_MAX);
	strcpy(text + len + CFG_LINE_MAX, "\nredis_port = 1\n");
	assert_int_equal(load_mem(text, strlen(text), &c, err, sizeof(err),
	    path), -1);
	free(text);
	snprintf(want, sizeof(want), "%s:2: redis_password: line longer "
	    "than %d bytes", path, CFG_LINE_MAX);
	assert_string_equal(err, want);
}

static void
error_value_too_long(void **state)
{
	char		*text, path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];
	char		 want[ERR_MAX];
	struct cfg	 c;
	int		 n;

	(void)state;
	n = asprintf(&text, "\n\nredis_password = %0*d\n", CFG_STR_MAX + 1,
	    1);
	assert_true(n > 0);
	assert_int_equal(load_mem(text, (size_t)n, &c, err, sizeof(err),
	    path), -1);
	free(text);
	snprintf(want, sizeof(want), "%s:3: redis_password: value longer "
	    "than %d bytes", path, CFG_STR_MAX);
	assert_string_equal(err, want);
}

static void
error_nul_byte(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_db = 1\nredis_port = 63\0" "79\n",
	    ":2: redis_port: NUL byte in line");
	EXPECT_ERROR("# a\0b\n", ":1: NUL byte in line");
	EXPECT_ERROR("redis_db = 1\n\0", ":2: NUL byte in line");
}

static void
error_bad_strings(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_host =\n", ":1: redis_host: empty value");
	EXPECT_ERROR("key_prefix =   \n", ":1: key_prefix: empty value");
	EXPECT_ERROR("key_prefix = a b\n", ":1: key_prefix: only printable "
	    "ASCII without spaces is allowed");
	EXPECT_ERROR("key_prefix = a\xc3\xa9\n", ":1: key_prefix: only "
	    "printable ASCII without spaces is allowed");
	EXPECT_ERROR("key_prefix = app{x}:\n", ":1: key_prefix: '{' and '}' "
	    "are not allowed");
	EXPECT_ERROR("redis_username = a b\n", ":1: redis_username: only "
	    "printable ASCII without spaces is allowed");
	EXPECT_ERROR("redis_password = a\tb\n",
	    ":1: redis_password: control character in value");
	EXPECT_ERROR("redis_socket = /a\x1b/b\n",
	    ":1: redis_socket: control character in value");
}

static void
error_authorizer_token(void **state)
{

	(void)state;
	EXPECT_ERROR("authorizer_token = Authorization\n",
	    ":1: authorizer_token: expected authorization, "
	    "authorizationCorban or any");
	EXPECT_ERROR("authorizer_token =\n",
	    ":1: authorizer_token: expected authorization, "
	    "authorizationCorban or any");
}

static void
error_scrypt_n(void **state)
{

	(void)state;
	EXPECT_ERROR("scrypt_n = 1000\n", ":1: scrypt_n: not a power of two");
	EXPECT_ERROR("scrypt_n = 1\n",
	    ":1: scrypt_n: out of range, expected 2..1048576");
	EXPECT_ERROR("scrypt_n = 2097152\n",
	    ":1: scrypt_n: out of range, expected 2..1048576");
}

static void
error_scrypt_memory_names_later_key(void **state)
{

	(void)state;
	/* 128 * 2^20 * 8 = 1 GiB. */
	EXPECT_ERROR("scrypt_r = 8\n# x\nscrypt_n = 1048576\n",
	    ":3: scrypt_n: scrypt memory 128 * scrypt_n * scrypt_r = "
	    "1073741824 bytes exceeds 268435456");
	EXPECT_ERROR("scrypt_n = 1048576\nscrypt_r = 3\n",
	    ":2: scrypt_r: scrypt memory 128 * scrypt_n * scrypt_r = "
	    "402653184 bytes exceeds 268435456");
	/* Only scrypt_n set: r is the default 8. */
	EXPECT_ERROR("\nscrypt_n = 524288\n",
	    ":2: scrypt_n: scrypt memory 128 * scrypt_n * scrypt_r = "
	    "536870912 bytes exceeds 268435456");
}

static void
error_access_ttl_exceeds_session_ttl(void **state)
{

	(void)state;
	EXPECT_ERROR("redis_db = 1\naccess_ttl = 30000\n",
	    ":2: access_ttl: access_ttl (30000) exceeds session_ttl (28800)");
	EXPECT_ERROR("\n\n\nsession_ttl = 600\n",
	    ":4: session_ttl: access_ttl (900) exceeds session_ttl (600)");
	EXPECT_ERROR("session_ttl = 60\naccess_ttl = 61\n",
	    ":2: access_ttl: access_ttl (61) exceeds session_ttl (60)");
	EXPECT_ERROR("access_ttl = 61\nsession_ttl = 60\n",
	    ":2: session_ttl: access_ttl (61) exceeds session_ttl (60)");
}

static void
equal_ttls_accepted(void **state)
{
	struct cfg	 c;

	(void)state;
	load_ok("access_ttl = 600\nsession_ttl = 600\n", &c);
	assert_int_equal(c.access_ttl, 600);
	assert_int_equal(c.session_ttl, 600);
}

static void
error_username_without_password(void **state)
{
	struct cfg	 c;

	(void)state;
	EXPECT_ERROR("\nredis_username = svc\n",
	    ":2: redis_username: redis_username needs redis_password");
	load_ok("redis_username = svc\nredis_password = pw\n", &c);
	assert_string_equal(c.redis_username, "svc");
}

/* redis_sentinels: host:port lists, IPv6 in brackets, the sentinel AUTH
 * pair, redis_min_replicas_ack's range. */
static void
sentinel_keys(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	assert_int_equal(c.redis_sentinels.len, 0);
	assert_string_equal(c.redis_master_name, "mymaster");
	assert_int_equal(c.redis_min_replicas_ack, 0);
	load_ok("redis_sentinels = s1.example.org:26379, 10.0.0.2:26380 "
	    "[2001:db8::1]:5000\n"
	    "redis_master_name = auth-main\n"
	    "redis_sentinel_username = sen\n"
	    "redis_sentinel_password = s#cret\n"
	    "redis_min_replicas_ack = 2\n", &c);
	assert_int_equal(c.redis_sentinels.len, 3);
	assert_string_equal(c.redis_sentinels.node[0].host, "s1.example.org");
	assert_int_equal(c.redis_sentinels.node[0].port, 26379);
	assert_string_equal(c.redis_sentinels.node[1].host, "10.0.0.2");
	assert_int_equal(c.redis_sentinels.node[1].port, 26380);
	assert_string_equal(c.redis_sentinels.node[2].host, "2001:db8::1");
	assert_int_equal(c.redis_sentinels.node[2].port, 5000);
	assert_string_equal(c.redis_master_name, "auth-main");
	assert_string_equal(c.redis_sentinel_username, "sen");
	assert_string_equal(c.redis_sentinel_password, "s#cret");
	assert_int_equal(c.redis_min_replicas_ack, 2);
	cfg_clear(&c);
	assert_string_equal(c.redis_sentinel_password, "");

	EXPECT_ERROR("redis_sentinels =\n",
	    ":1: redis_sentinels: empty list, expected host:port,...");
	EXPECT_ERROR("redis_sentinels = ,\n",
	    ":1: redis_sentinels: empty list, expected host:port,...");
	EXPECT_ERROR("redis_sentinels = a:1,b\n",
	    ":1: redis_sentinels: b: expected host:port");
	EXPECT_ERROR("redis_sentinels = a:0\n",
	    ":1: redis_sentinels: a:0: port out of range, expected 1..65535");
	EXPECT_ERROR("redis_sentinels = a:65536\n",
	    ":1: redis_sentinels: a:65536: port out of range, expected "
	    "1..65535");
	EXPECT_ERROR("redis_sentinels = a:+1\n",
	    ":1: redis_sentinels: a:+1: port is not a decimal number");
	EXPECT_ERROR("redis_sentinels = a:\n",
	    ":1: redis_sentinels: a:: missing port after ':'");
	EXPECT_ERROR("redis_sentinels = :26379\n",
	    ":1: redis_sentinels: :26379: missing host before ':'");
	EXPECT_ERROR("redis_sentinels = 2001:db8::1:26379\n",
	    ":1: redis_sentinels: 2001:db8::1:26379: an IPv6 address is "
	    "written [address]:port");
	EXPECT_ERROR("redis_sentinels = [2001:db8::x]:1\n",
	    ":1: redis_sentinels: [2001:db8::x]:1: not an IPv6 address in "
	    "brackets");
	EXPECT_ERROR("redis_sentinels = [::1]\n",
	    ":1: redis_sentinels: [::1]: expected [IPv6 address]:port");
	EXPECT_ERROR("redis_sentinels = a/b:1\n",
	    ":1: redis_sentinels: a/b:1: not a host name");
	EXPECT_ERROR("redis_sentinels = -a:1\n",
	    ":1: redis_sentinels: -a:1: not a host name");
	EXPECT_ERROR("redis_sentinels = a:1 b:2 c:3 d:4 e:5 f:6 g:7 h:8 i:9 "
	    "j:10 k:11 l:12 m:13 n:14 o:15 p:16 q:17\n",
	    ":1: redis_sentinels: more than 16 entries");
	EXPECT_ERROR("redis_master_name =\n",
	    ":1: redis_master_name: empty value");
	EXPECT_ERROR("redis_sentinels = a:1\n\nredis_sentinel_username = u\n",
	    ":3: redis_sentinel_username: redis_sentinel_username needs "
	    "redis_sentinel_password");
	EXPECT_ERROR("redis_min_replicas_ack = 65\n",
	    ":1: redis_min_replicas_ack: out of range, expected 0..64");
	EXPECT_ERROR("redis_min_replicas_ack = -1\n",
	    ":1: redis_min_replicas_ack: not a decimal number, expected "
	    "0..64");
}

/* redis_cluster_nodes: the same syntax; never with redis_sentinels (the
 * later line is named); on its own refused until Cluster routing exists. */
static void
cluster_keys(void **state)
{
	const struct cfg_key	*k = &cfg_keys[CFG_REDIS_CLUSTER_NODES];
	struct cfg		 c;
	char			 why[CFG_WHY_MAX];

	(void)state;
	cfg_defaults(&c);
	assert_int_equal(k->set(&c, k, "n1:7000,n2:7001 [::1]:7002", why,
	    sizeof(why)), 0);
	assert_int_equal(c.redis_cluster_nodes.len, 3);
	assert_string_equal(c.redis_cluster_nodes.node[1].host, "n2");
	assert_int_equal(c.redis_cluster_nodes.node[2].port, 7002);
	assert_int_equal(c.redis_sentinels.len, 0);

	EXPECT_ERROR("redis_cluster_nodes = \n",
	    ":1: redis_cluster_nodes: empty list, expected host:port,...");
	EXPECT_ERROR("redis_cluster_nodes = n1:7000 n2\n",
	    ":1: redis_cluster_nodes: n2: expected host:port");
	EXPECT_ERROR("redis_sentinels = a:1\nredis_cluster_nodes = n1:7000\n",
	    ":2: redis_cluster_nodes: redis_sentinels and redis_cluster_nodes "
	    "cannot be combined: a Cluster fails over by itself");
	EXPECT_ERROR("redis_cluster_nodes = n1:7000\n#\nredis_sentinels = a:1\n",
	    ":3: redis_sentinels: redis_sentinels and redis_cluster_nodes "
	    "cannot be combined: a Cluster fails over by itself");
	EXPECT_ERROR("\nredis_cluster_nodes = n1:7000\n",
	    ":2: redis_cluster_nodes: Redis Cluster is not supported yet");
}

static void
error_trusted_proxies(void **state)
{
	struct cfg	 c;
	char		 text[2048];
	size_t		 n, i;

	(void)state;
	EXPECT_ERROR("trusted_proxies = 10.0.0.1, 10.0.0\n",
	    ":1: trusted_proxies: 10.0.0: not an IPv4 or IPv6 address or "
	    "network");
	EXPECT_ERROR("trusted_proxies = 10.0.0.0/33\n",
	    ":1: trusted_proxies: 10.0.0.0/33: not an IPv4 or IPv6 address "
	    "or network");
	EXPECT_ERROR("trusted_proxies = ::1/129\n",
	    ":1: trusted_proxies: ::1/129: not an IPv4 or IPv6 address or "
	    "network");
	EXPECT_ERROR("trusted_proxies = 10.0.0.0/\n",
	    ":1: trusted_proxies: 10.0.0.0/: not an IPv4 or IPv6 address or "
	    "network");
	EXPECT_ERROR("trusted_proxies = /8\n",
	    ":1: trusted_proxies: /8: not an IPv4 or IPv6 address or "
	    "network");
	EXPECT_ERROR("trusted_proxies = 10.0.0.0/+8\n",
	    ":1: trusted_proxies: 10.0.0.0/+8: not an IPv4 or IPv6 address "
	    "or network");
	EXPECT_ERROR("trusted_proxies = localhost\n",
	    ":1: trusted_proxies: localhost: not an IPv4 or IPv6 address or "
	    "network");
	EXPECT_ERROR("trusted_proxies = unix:/run/nginx.sock\n",
	    ":1: trusted_proxies: unix:/run/nginx.sock: not an IPv4 or IPv6 "
	    "address or network");
	EXPECT_ERROR("trusted_proxies = fe80::1%eth0\n",
	    ":1: trusted_proxies: fe80::1%eth0: not an IPv4 or IPv6 address "
	    "or network");
	/* A long entry is quoted shortened. */
	EXPECT_ERROR("trusted_proxies = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    ":1: trusted_proxies: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "...: not an IPv4 or IPv6 address or network");

	/* CFG_PROXIES_MAX entries fit, one more does not. */
	n = (size_t)snprintf(text, sizeof(text), "trusted_proxies =");
	for (i = 0; i < CFG_PROXIES_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    " 10.0.0.%zu,", i);
	assert_true(n + 32 < sizeof(text));
	text[n] = '\n';
	text[n + 1] = '\0';
	load_ok(text, &c);
	assert_int_equal(c.trusted_proxies_len, CFG_PROXIES_MAX);
	snprintf(text + n, sizeof(text) - n, " 10.0.1.0\n");
	expect_error(text, strlen(text),
	    ":1: trusted_proxies: more than 32 entries");
}

/* cors_origins: every entry an origin's syntax, "*" alone, at most
 * CFG_CORS_MAX; the error quotes the entry and says what is wrong. */
static void
error_cors_origins(void **state)
{
	struct cfg	 c;
	char		 text[2048];
	size_t		 n, i;

	(void)state;
	EXPECT_ERROR("cors_origins = https://app.example.com/\n",
	    ":1: cors_origins: https://app.example.com/: a path (or a "
	    "trailing '/') is not part of an origin");
	EXPECT_ERROR("cors_origins = https://App.example.com\n",
	    ":1: cors_origins: https://App.example.com: host must be "
	    "lowercase letters, digits, '-', '_' and '.'");
	EXPECT_ERROR("cors_origins = HTTPS://app.example.com\n",
	    ":1: cors_origins: HTTPS://app.example.com: scheme must start "
	    "with a lowercase letter");
	EXPECT_ERROR("cors_origins = app.example.com\n",
	    ":1: cors_origins: app.example.com: not scheme://host[:port]");
	EXPECT_ERROR("cors_origins = null\n",
	    ":1: cors_origins: null: not scheme://host[:port]");
	EXPECT_ERROR("cors_origins = https://app.example.com:443\n",
	    ":1: cors_origins: https://app.example.com:443: default port of "
	    "the scheme (a browser leaves it out)");
	EXPECT_ERROR("cors_origins = http://localhost:80\n",
	    ":1: cors_origins: http://localhost:80: default port of the "
	    "scheme (a browser leaves it out)");
	EXPECT_ERROR("cors_origins = http://localhost:65536\n",
	    ":1: cors_origins: http://localhost:65536: port must be "
	    "1..65535");
	EXPECT_ERROR("cors_origins = http://localhost:03000\n",
	    ":1: cors_origins: http://localhost:03000: port with a leading "
	    "zero");
	EXPECT_ERROR("cors_origins = http://user@localhost\n",
	    ":1: cors_origins: http://user@localhost: host must be lowercase "
	    "letters, digits, '-', '_' and '.'");
	EXPECT_ERROR("cors_origins = http://[::1\n",
	    ":1: cors_origins: http://[::1: IPv6 host without its closing "
	    "']'");
	EXPECT_ERROR("cors_origins = http://[::g]\n",
	    ":1: cors_origins: http://[::g]: IPv6 host must be lowercase hex "
	    "digits, ':' and '.'");
	EXPECT_ERROR("cors_origins = http://localhost:3000 *\n",
	    ":1: cors_origins: '*' allows every origin: it cannot be listed "
	    "with others");
	EXPECT_ERROR("cors_origins = **\n",
	    ":1: cors_origins: **: not scheme://host[:port]");

	/* CFG_CORS_MAX entries fit, one more does not. */
	n = (size_t)snprintf(text, sizeof(text), "cors_origins =");
	for (i = 0; i < CFG_CORS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    " http://localhost:%zu,", 3000 + i);
	assert_true(n + 32 < sizeof(text));
	text[n] = '\n';
	text[n + 1] = '\0';
	load_ok(text, &c);
	assert_int_equal(c.cors_origins_len, CFG_CORS_MAX);
	assert_string_equal(c.cors_origins[CFG_CORS_MAX - 1],
	    "http://localhost:3015");
	snprintf(text + n, sizeof(text) - n, " http://localhost:4000\n");
	expect_error(text, strlen(text),
	    ":1: cors_origins: more than 16 entries");
}

static void
error_file_unreadable(void **state)
{
	struct cfg	 c;
	char		 err[ERR_MAX], want[ERR_MAX];

	(void)state;
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, "/nonexistent/autenticacao.conf", err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "/nonexistent/autenticacao.conf: %s",
	    strerror(ENOENT));
	assert_string_equal(err, want);

	assert_int_equal(cfg_load(&c, "/tmp", err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "/tmp: %s", strerror(EISDIR));
	assert_string_equal(err, want);
}

/* Only a regular file is read: a FIFO or a device neither blocks nor
 * spins (docs: autenticacao.conf(5)). */
static void
error_file_not_regular(void **state)
{
	struct cfg	 c;
	char		 dir[] = "/tmp/test_cfg.fifo.XXXXXX", fifo[64];
	char		 err[ERR_MAX], want[ERR_MAX];

	(void)state;
	cfg_defaults(&c);
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(cfg_load(&c, fifo, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	assert_string_equal(err, want);
	unlink(fifo);
	rmdir(dir);

	assert_int_equal(cfg_load(&c, "/dev/zero", err, sizeof(err)), -1);
	assert_string_equal(err, "/dev/zero: not a regular file");
}

/* A config others may write is refused; one they may read loads. */
static void
error_file_writable_by_others(void **state)
{
	struct cfg	 c;
	char		 path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];
	char		 want[ERR_MAX];
	static const mode_t	 bad[] = { 0620, 0602, 0666 };
	size_t		 i;
	int		 fd;

	(void)state;
	memcpy(path, TMP_TEMPLATE, sizeof(path));
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "redis_port = 7000\n", 18), 18);
	close(fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chmod(path, bad[i]), 0);
		cfg_defaults(&c);
		assert_int_equal(cfg_load(&c, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: writable by group or others "
		    "(chmod go-w)", path);
		assert_string_equal(err, want);
	}
	assert_int_equal(chmod(path, 0644), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.redis_port, 7000);
	unlink(path);
}

/* A config of more than CFG_FILE_MAX bytes is refused before it is read. */
static void
error_file_too_large(void **state)
{
	struct cfg	 c;
	char		 path[sizeof(TMP_TEMPLATE)], err[ERR_MAX];
	char		 want[ERR_MAX];
	int		 fd;

	(void)state;
	memcpy(path, TMP_TEMPLATE, sizeof(path));
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(ftruncate(fd, CFG_FILE_MAX + 1), 0);
	close(fd);
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: larger than %d bytes", path,
	    CFG_FILE_MAX);
	assert_string_equal(err, want);
	unlink(path);
}

static void
error_message_truncated_to_errsz(void **state)
{
	struct cfg	 c;
	char		 path[sizeof(TMP_TEMPLATE)], err[ERR_MAX], small[12];

	(void)state;
	memset(small, 'Z', sizeof(small));
	assert_int_equal(load_mem("bogus = 1\n", 10, &c, small, 8, path), -1);
	assert_int_equal(small[7], '\0');
	assert_int_equal(small[8], 'Z');
	assert_memory_equal(small, path, 7);

	/* errsz 0: nothing is written. */
	strcpy(err, "untouched");
	assert_int_equal(load_mem("bogus = 1\n", 10, &c, err, 0, path), -1);
	assert_string_equal(err, "untouched");
}

static void
error_key_quoted_in_message(void **state)
{

	(void)state;
	EXPECT_ERROR("k\x1b[2J = 1\n", ":1: k?[2J: unknown key");
	EXPECT_ERROR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1\n",
	    ":1: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: unknown key");
	/* The longest key quoted whole: CFG_QUOTE_MAX - 1 bytes. */
	EXPECT_ERROR("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb = 1\n",
	    ":1: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: unknown key");
}

/* ---- strict numbers ---- */

static void
strtonum_strict(void **state)
{
	static const struct {
		const char	*s;
		long long	 min, max;
		const char	*why;	/* NULL: accepted */
		long long	 v;
	} t[] = {
		{ "12", 0, 100, NULL, 12 },
		{ "0", 0, 100, NULL, 0 },
		{ "007", 0, 100, NULL, 7 },
		{ "100", 0, 100, NULL, 100 },
		{ "9223372036854775807", 0, LLONG_MAX, NULL, LLONG_MAX },
		{ " 12", 0, 100, "not a decimal number", 0 },
		{ "12 ", 0, 100, "not a decimal number", 0 },
		{ "12x", 0, 100, "not a decimal number", 0 },
		{ "-1", -5, 100, "not a decimal number", 0 },
		{ "+1", 0, 100, "not a decimal number", 0 },
		{ "0x10", 0, 100, "not a decimal number", 0 },
		{ "", 0, 100, "not a decimal number", 0 },
		{ "101", 0, 100, "out of range", 0 },
		{ "0", 1, 100, "out of range", 0 },
		{ "99999999999999999999", 0, LLONG_MAX, "out of range", 0 },
		{ "9223372036854775808", 0, LLONG_MAX, "out of range", 0 },
	};
	size_t		 i;
	long long	 v;
	const char	*why;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = -42;
		why = cfg_strtonum(t[i].s, t[i].min, t[i].max, &v);
		if (t[i].why == NULL) {
			if (why != NULL)
				fail_msg("\"%s\": %s", t[i].s, why);
			assert_int_equal(v, t[i].v);
		} else {
			if (why == NULL)
				fail_msg("\"%s\" accepted", t[i].s);
			assert_string_equal(why, t[i].why);
			assert_int_equal(v, -42);
		}
	}
}

/* ---- trusted_proxies matching ---- */

static void
proxy_ipv4_address(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "192.0.2.10");
	assert_true(cfg_proxy_trusted(&c, "192.0.2.10"));
	assert_false(cfg_proxy_trusted(&c, "192.0.2.11"));
	assert_false(cfg_proxy_trusted(&c, "192.0.3.10"));
}

static void
proxy_ipv4_network(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "10.20.0.0/14");
	assert_true(cfg_proxy_trusted(&c, "10.20.0.1"));
	assert_true(cfg_proxy_trusted(&c, "10.23.255.255"));
	assert_false(cfg_proxy_trusted(&c, "10.24.0.0"));
	assert_false(cfg_proxy_trusted(&c, "10.19.255.255"));
}

static void
proxy_ipv6_address_and_network(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "::1 2001:db8:1::/48");
	assert_true(cfg_proxy_trusted(&c, "::1"));
	assert_true(cfg_proxy_trusted(&c, "0:0:0:0:0:0:0:1"));
	assert_false(cfg_proxy_trusted(&c, "::2"));
	assert_true(cfg_proxy_trusted(&c, "2001:db8:1:ffff::5"));
	assert_false(cfg_proxy_trusted(&c, "2001:db8:2::5"));
	/* An IPv6 network does not take IPv4 clients. */
	assert_false(cfg_proxy_trusted(&c, "127.0.0.1"));
}

static void
proxy_ipv6_odd_prefix(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "2001:db8::/33");
	assert_true(cfg_proxy_trusted(&c, "2001:db8:7fff::1"));
	assert_false(cfg_proxy_trusted(&c, "2001:db8:8000::1"));
}

static void
proxy_mapped_ipv4_matches_ipv4_entry(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "192.0.2.0/24");
	assert_true(cfg_proxy_trusted(&c, "::ffff:192.0.2.7"));
	assert_true(cfg_proxy_trusted(&c, "::FFFF:c000:0207"));
	assert_false(cfg_proxy_trusted(&c, "::ffff:192.0.3.7"));
	/* IPv4-compatible (deprecated) and NAT64 forms are not mapped. */
	assert_false(cfg_proxy_trusted(&c, "::192.0.2.7"));
	assert_false(cfg_proxy_trusted(&c, "64:ff9b::192.0.2.7"));
}

static void
proxy_ipv4_matches_mapped_entry(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "::ffff:192.0.2.7");
	assert_true(cfg_proxy_trusted(&c, "192.0.2.7"));
	assert_true(cfg_proxy_trusted(&c, "::ffff:192.0.2.7"));
	assert_false(cfg_proxy_trusted(&c, "192.0.2.8"));
}

static void
proxy_zero_prefix_matches_family(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "0.0.0.0/0");
	assert_true(cfg_proxy_trusted(&c, "203.0.113.9"));
	assert_true(cfg_proxy_trusted(&c, "::ffff:203.0.113.9"));
	assert_false(cfg_proxy_trusted(&c, "2001:db8::1"));
}

static void
proxy_garbage_not_trusted(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, "0.0.0.0/0, ::/0");
	assert_true(cfg_proxy_trusted(&c, "1.2.3.4"));
	assert_false(cfg_proxy_trusted(&c, NULL));
	assert_false(cfg_proxy_trusted(&c, ""));
	assert_false(cfg_proxy_trusted(&c, "garbage"));
	assert_false(cfg_proxy_trusted(&c, "1.2.3"));
	assert_false(cfg_proxy_trusted(&c, "1.2.3.4 "));
	assert_false(cfg_proxy_trusted(&c, "1.2.3.4/32"));
	assert_false(cfg_proxy_trusted(&c, "[::1]"));
	assert_false(cfg_proxy_trusted(&c, "fe80::1%eth0"));
}

static void
proxy_empty_list_trusts_nobody(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	assert_false(cfg_proxy_trusted(&c, "127.0.0.1"));
	assert_false(cfg_proxy_trusted(&c, "::1"));
	set_proxies(&c, "127.0.0.1");
	set_proxies(&c, " , ,");
	assert_int_equal(c.trusted_proxies_len, 0);
	assert_false(cfg_proxy_trusted(&c, "127.0.0.1"));
}

static void
proxy_unix_socket_peer(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	assert_false(cfg_proxy_trusted(&c, "unix:"));
	set_proxies(&c, "127.0.0.1, unix:");
	assert_int_equal(c.trusted_proxies_len, 1);
	assert_true(c.trusted_proxies_unix);
	assert_true(cfg_proxy_trusted(&c, "unix:"));
	assert_true(cfg_proxy_trusted(&c, "127.0.0.1"));
	assert_false(cfg_proxy_trusted(&c, "unix"));
	set_proxies(&c, "127.0.0.1");
	assert_false(cfg_proxy_trusted(&c, "unix:"));
}

static void
proxy_list_separators(void **state)
{
	struct cfg	 c;

	(void)state;
	cfg_defaults(&c);
	set_proxies(&c, ",192.0.2.1,,198.51.100.0/24 \t2001:db8::1 ,");
	assert_int_equal(c.trusted_proxies_len, 3);
	assert_true(cfg_proxy_trusted(&c, "192.0.2.1"));
	assert_true(cfg_proxy_trusted(&c, "198.51.100.200"));
	assert_true(cfg_proxy_trusted(&c, "2001:db8::1"));
	assert_false(cfg_proxy_trusted(&c, "192.0.2.2"));
}

/* ---- secrets ---- */

static void
clear_wipes_password(void **state)
{
	struct cfg	 c;
	size_t		 i;

	(void)state;
	load_ok("redis_password = s3cret\n", &c);
	assert_string_equal(c.redis_password, "s3cret");
	cfg_clear(&c);
	for (i = 0; i < sizeof(c.redis_password); i++)
		assert_int_equal(c.redis_password[i], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_match_api_table),
		cmocka_unit_test(sample_conf_loads_as_defaults),
		cmocka_unit_test(sample_conf_lists_every_key),
		cmocka_unit_test(path_from_environment),
		cmocka_unit_test(path_empty_environment_is_default),
		cmocka_unit_test(every_key_parsed),
		cmocka_unit_test(absent_keys_keep_defaults),
		cmocka_unit_test(empty_file_is_defaults),
		cmocka_unit_test(comments_blanks_and_whitespace),
		cmocka_unit_test(hash_inside_value_is_kept),
		cmocka_unit_test(empty_value_unsets_optional_string),
		cmocka_unit_test(authorizer_token_values),
		cmocka_unit_test(cors_origins_values),
		cmocka_unit_test(range_bounds_accepted),
		cmocka_unit_test(long_comment_within_limit_accepted),
		cmocka_unit_test(error_unknown_key),
		cmocka_unit_test(error_key_is_case_sensitive),
		cmocka_unit_test(error_missing_equals),
		cmocka_unit_test(error_missing_key),
		cmocka_unit_test(error_bad_number),
		cmocka_unit_test(error_number_out_of_range),
		cmocka_unit_test(error_empty_number),
		cmocka_unit_test(error_trailing_comment_is_part_of_value),
		cmocka_unit_test(error_strict_numbers_in_file),
		cmocka_unit_test(error_duplicate_key),
		cmocka_unit_test(error_line_too_long),
		cmocka_unit_test(error_value_too_long),
		cmocka_unit_test(error_nul_byte),
		cmocka_unit_test(error_bad_strings),
		cmocka_unit_test(error_authorizer_token),
		cmocka_unit_test(error_scrypt_n),
		cmocka_unit_test(error_scrypt_memory_names_later_key),
		cmocka_unit_test(error_access_ttl_exceeds_session_ttl),
		cmocka_unit_test(equal_ttls_accepted),
		cmocka_unit_test(error_username_without_password),
		cmocka_unit_test(error_trusted_proxies),
		cmocka_unit_test(error_cors_origins),
		cmocka_unit_test(error_file_unreadable),
		cmocka_unit_test(error_file_not_regular),
		cmocka_unit_test(error_file_writable_by_others),
		cmocka_unit_test(error_file_too_large),
		cmocka_unit_test(error_message_truncated_to_errsz),
		cmocka_unit_test(error_key_quoted_in_message),
		cmocka_unit_test(strtonum_strict),
		cmocka_unit_test(proxy_ipv4_address),
		cmocka_unit_test(proxy_ipv4_network),
		cmocka_unit_test(proxy_ipv6_address_and_network),
		cmocka_unit_test(proxy_ipv6_odd_prefix),
		cmocka_unit_test(proxy_mapped_ipv4_matches_ipv4_entry),
		cmocka_unit_test(proxy_ipv4_matches_mapped_entry),
		cmocka_unit_test(proxy_zero_prefix_matches_family),
		cmocka_unit_test(proxy_garbage_not_trusted),
		cmocka_unit_test(proxy_empty_list_trusts_nobody),
		cmocka_unit_test(proxy_unix_socket_peer),
		cmocka_unit_test(proxy_list_separators),
		cmocka_unit_test(clear_wipes_password),
		cmocka_unit_test(sentinel_keys),
		cmocka_unit_test(cluster_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
