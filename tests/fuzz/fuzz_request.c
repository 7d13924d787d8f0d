/*
 * fuzz_request.c - libFuzzer target for the front line of a request: the
 * CGI variables and the body go through lib/http.c as the responder's
 * serve() takes them (client address, route, body, bearer header), and the
 * answer is written by lib/reply.c into memory.  Nothing talks to Redis:
 * each route stops where its handler would reach the store.
 *
 * Built with clang -fsanitize=fuzzer by `make fuzz`, and with gcc plus
 * tests/fuzz/replay.c by `make unit`, which replays the committed corpus
 * and regressions (tests/fuzz/replay.sh).
 *
 * Input framing:
 *
 *	byte 0	bits 0-2  route: 0..5 one of the first six rows of
 *			  serve_routes[], 6..7 the path comes from the
 *			  SCRIPT_NAME, PATH_INFO and REQUEST_URI fields as
 *			  they are (which reach every row, the later ones
 *			  included)
 *		bit 3	  the route is in REQUEST_URI (a rewrite) rather than in
 *			  SCRIPT_NAME + PATH_INFO
 *		bit 4	  REQUEST_METHOD is the route's own method, not the field
 *		bit 5	  FCGI_ROLE=AUTHORIZER
 *		bit 6	  trusted_proxies is the field, read through cfg_load()
 *		bit 7	  max_body is 64 instead of the default
 *	byte 1	bits 0-1  CONTENT_LENGTH: 0 the body's length, 1 the field,
 *			  2 absent with "Transfer-Encoding: chunked", 3 absent
 *		bits 2-3  CONTENT_TYPE: 0 application/json, 1 with parameters
 *			  and odd case, 2 the field, 3 absent
 *		bits 4-5  preset trusted_proxies (when bit 6 of byte 0 is 0)
 *		bits 6-7  extra error answer written (see extra_error())
 *	then NFIELDS NUL-terminated fields (enum fld), then the body.
 *
 * A field that is empty is an absent variable; a field of the one byte 0x01
 * is a variable set to "".  Missing fields are absent, a missing body is
 * empty.
 *
 * Beyond the sanitizers, the target aborts when an answer is malformed
 * (status line, header lines, JSON body that does not parse or does not
 * carry back what went in), when a value http.c accepted breaks the rule
 * it was accepted under, when text_utf8_ok()/text_no_ctrl() disagree
 * with the independent decoder below, or when a field that
 * cors_origin_check() takes for an origin holds anything but the bytes of
 * "scheme://host[:port]".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "cfg.h"
#include "cors.h"
#include "err.h"
#include "http.h"
#include "regulation.h"
#include "reply.h"
#include "serve.h"
#include "store.h"
#include "text.h"
#include "token.h"

#include "../fake_io.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by replay -v: print the outcome of each input on stderr. */
int	 fuzz_verbose;

#define API	"/api/v1/autenticacao"

/* Rows of serve_routes[] that byte 0 names (its values 6 and 7 are the
 * raw path); the framing of the committed corpus depends on it. */
#define FUZZ_TABLE_ROUTES	6
#define RAW_ROUTE		((unsigned)-1)

/* The fields of the input, in order. */
enum fld {
	FLD_METHOD,
	FLD_SCRIPT_NAME,
	FLD_PATH_INFO,
	FLD_REQUEST_URI,
	FLD_CONTENT_LENGTH,
	FLD_CONTENT_TYPE,
	FLD_AUTHORIZATION,
	FLD_REMOTE_ADDR,
	FLD_X_FORWARDED_FOR,
	FLD_TRUSTED_PROXIES,
	FLD_TRANSFER_ENCODING,
	NFIELDS
};

static const char *const proxy_presets[4] = {
	"",
	"127.0.0.1 ::1",
	"10.0.0.0/8, ::ffff:192.168.0.0/112 2001:db8::/32",
	"0.0.0.0/0 ::/0",
};

#define CHECK(cond)	do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_request.c:%d: check failed: %s\n",\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

/*
 * The code point of the UTF-8 sequence at s (len bytes left) into *cp and
 * its length, or 0 when it is not a well-formed sequence (RFC 3629: no
 * overlong form, no surrogate, nothing past U+10FFFF).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t	 min[4] = { 0, 0x80, 0x800, 0x10000 };
	size_t			 n, i;
	uint32_t		 v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[n - 1] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* 1 if s is well-formed UTF-8; *ctl set when it holds a control
 * character (C0, DEL, C1). */
static int
ref_utf8(const char *s, size_t len, int *ctl)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 cp;

	*ctl = 0;
	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(u + i, len - i, &cp)) == 0)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			*ctl = 1;
	}
	return 1;
}

/* text_utf8_ok() and text_no_ctrl() agree with the decoder above. */
static void
check_text_rules(const char *s, size_t len)
{
	int	 ok, ctl;

	ok = ref_utf8(s, len, &ctl);
	CHECK(text_utf8_ok(s, len) == ok);
	if (ok)
		CHECK(text_no_ctrl(s, len) == !ctl);
}

/*
 * A value cors.c takes for an origin (which reply.c would write back as
 * a header value): one "://" and no '/' after it, and nothing but the
 * bytes of lowercase schemes, hosts, IPv6 brackets and ports.
 */
static void
check_origin(const char *s, size_t len)
{
	static const char	 allowed[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789+-._:/[]";
	const char		*sep;
	size_t			 i;

	if (cors_origin_check(s, len) != NULL)
		return;
	CHECK(len > 0 && len <= CORS_ORIGIN_MAX);
	for (i = 0; i < len; i++)
		CHECK(s[i] != '\0' && strchr(allowed, s[i]) != NULL);
	sep = memmem(s, len, "://", 3);
	CHECK(sep != NULL && sep > s);
	CHECK(memchr(sep + 3, '/', len - (size_t)(sep + 3 - s)) == NULL);
}

/* A value http.c kept for the log: printable ASCII only, no blank. */
static void
check_log_value(const char *s, size_t size)
{
	size_t	 i;

	for (i = 0; i < size && s[i] != '\0'; i++) {
		CHECK(s[i] > 0x20 && s[i] < 0x7f);
		/* text_log_field: every '%' opens a whole %XX escape. */
		if (s[i] == '%')
			CHECK(i + 2 < size && isxdigit((unsigned char)s[i + 1]) &&
			    isxdigit((unsigned char)s[i + 2]));
	}
	CHECK(i < size);
}

/* An address http.c accepted: "-" or an IPv4/IPv6 address. */
static void
check_addr(const char *a, size_t size)
{
	unsigned char	 bin[16];

	CHECK(memchr(a, '\0', size) != NULL);
	if (strcmp(a, "-") == 0)
		return;
	CHECK(inet_pton(AF_INET, a, bin) == 1 ||
	    inet_pton(AF_INET6, a, bin) == 1);
}

/* A body field accepted by http_body(). */
static void
check_field(const char *buf, size_t len, size_t max, int token)
{
	CHECK(len >= 1 && len <= max);
	CHECK(strlen(buf) == len);
	CHECK(text_utf8_ok(buf, len) && text_no_ctrl(buf, len));
	if (token)
		CHECK(tok_charset_ok(buf, len));
}

/*
 * A second reading of a body http_body() accepted, independent of json-c:
 * keys and string values are decoded here (escapes, surrogate pairs, NUL
 * bytes kept), no object may repeat a decoded key, and the top-level
 * string values of the four body fields are kept for comparison with what
 * http_body() copied.  The body is valid JSON at this point, so the
 * scanner only needs to follow it; nesting is at most HTTP_JSON_DEPTH.
 */
static const char *const body_keys[4] = {
	"sessionId", "username", "password", "refreshToken"
};
static const unsigned body_bits[4] = {
	FIELD_SESSION_ID, FIELD_USERNAME, FIELD_PASSWORD, FIELD_REFRESH_TOKEN
};

struct jscan {
	const char	*p, *end;
	char		*val[4];	/* decoded top-level string values */
	size_t		 len[4];
};

static void
js_ws(struct jscan *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p) != NULL && *j->p)
		j->p++;
}

static unsigned
js_hex4(const char *p)
{
	unsigned	 v = 0;
	int		 i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= (unsigned)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= (unsigned)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= (unsigned)(p[i] - 'A' + 10);
		else
			CHECK(0);
	}
	return v;
}

/* Decode the string at j->p into a malloc'd buffer (*len bytes, NULs
 * allowed, NUL-terminated). */
static char *
js_str(struct jscan *j, size_t *len)
{
	char		*out, *o;
	unsigned	 cp, lo;

	CHECK(j->p < j->end && *j->p == '"');
	j->p++;
	CHECK((out = malloc((size_t)(j->end - j->p) + 1)) != NULL);
	for (o = out; ; ) {
		CHECK(j->p < j->end);
		if (*j->p == '"') {
			j->p++;
			break;
		}
		if (*j->p != '\\') {
			*o++ = *j->p++;
			continue;
		}
		CHECK(j->p + 1 < j->end);
		j->p += 2;
		switch (j->p[-1]) {
		case '"': *o++ = '"'; continue;
		case '\\': *o++ = '\\'; continue;
		case '/': *o++ = '/'; continue;
		case 'b': *o++ = '\b'; continue;
		case 'f': *o++ = '\f'; continue;
		case 'n': *o++ = '\n'; continue;
		case 'r': *o++ = '\r'; continue;
		case 't': *o++ = '\t'; continue;
		case 'u': break;
		default: CHECK(0);
		}
		CHECK(j->end - j->p >= 4);
		cp = js_hex4(j->p);
		j->p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && j->end - j->p >= 6 &&
		    j->p[0] == '\\' && j->p[1] == 'u' &&
		    (lo = js_hex4(j->p + 2)) >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			j->p += 6;
		}
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xc0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xe0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xf0 | cp >> 18);
			*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*len = (size_t)(o - out);
	*o = '\0';
	return out;
}

static void
js_value(struct jscan *j, int top)
{
	char		*key, **keys = NULL, *v;
	size_t		 klen, vlen, *lens = NULL, n = 0, i;
	int		 k;

	CHECK(j->p < j->end);
	switch (*j->p) {
	case '{':
		j->p++;
		js_ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		for (;;) {
			key = js_str(j, &klen);
			/* No object repeats a key. */
			for (i = 0; i < n; i++)
				CHECK(lens[i] != klen ||
				    memcmp(keys[i], key, klen) != 0);
			CHECK((keys = realloc(keys, (n + 1) *
			    sizeof(*keys))) != NULL);
			CHECK((lens = realloc(lens, (n + 1) *
			    sizeof(*lens))) != NULL);
			keys[n] = key;
			lens[n++] = klen;
			js_ws(j);
			CHECK(j->p < j->end && *j->p == ':');
			j->p++;
			js_ws(j);
			for (k = 0; top && k < 4; k++)
				if (strlen(body_keys[k]) == klen &&
				    memcmp(body_keys[k], key, klen) == 0)
					break;
			if (top && k < 4 && j->p < j->end && *j->p == '"') {
				v = js_str(j, &vlen);
				j->val[k] = v;
				j->len[k] = vlen;
			} else
				js_value(j, 0);
			js_ws(j);
			CHECK(j->p < j->end);
			if (*j->p == ',') {
				j->p++;
				js_ws(j);
				continue;
			}
			CHECK(*j->p == '}');
			j->p++;
			break;
		}
		for (i = 0; i < n; i++)
			free(keys[i]);
		free(keys);
		free(lens);
		break;
	case '[':
		j->p++;
		js_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			break;
		}
		for (;;) {
			js_value(j, 0);
			js_ws(j);
			CHECK(j->p < j->end);
			if (*j->p == ',') {
				j->p++;
				js_ws(j);
				continue;
			}
			CHECK(*j->p == ']');
			j->p++;
			break;
		}
		break;
	case '"':
		free(js_str(j, &vlen));
		break;
	default:
		/* Number or literal. */
		while (j->p < j->end && strchr(",]} \t\r\n", *j->p) == NULL)
			j->p++;
		break;
	}
}

/* The body accepted for mask agrees with the second reading. */
static void
check_body(const struct fake_io *f, unsigned mask, const struct req *r)
{
	struct jscan	 j;
	const char	*got[4], *v;
	size_t		 gotlen[4], vlen;
	int		 k;

	memset(&j, 0, sizeof(j));
	j.p = f->body;
	j.end = f->body + f->bodylen;
	js_ws(&j);
	CHECK(j.p < j.end && *j.p == '{');
	js_value(&j, 1);
	js_ws(&j);
	CHECK(j.p == j.end);

	got[0] = r->session_id;
	gotlen[0] = r->session_id_len;
	got[1] = r->username;
	gotlen[1] = r->username_len;
	got[2] = r->password;
	gotlen[2] = r->password_len;
	got[3] = r->refresh_token;
	gotlen[3] = r->refresh_token_len;
	for (k = 0; k < 4; k++) {
		if (mask & body_bits[k]) {
			/* The field is there under its exact name. */
			CHECK(j.val[k] != NULL);
			v = j.val[k];
			vlen = j.len[k];
			if (body_bits[k] == FIELD_REFRESH_TOKEN && vlen > 7 &&
			    strncasecmp(v, "Bearer ", 7) == 0) {
				v += 7;
				vlen -= 7;
			}
			CHECK(vlen == gotlen[k] && memcmp(v, got[k], vlen) == 0);
		}
		free(j.val[k]);
	}
}

/*
 * The answer in f->out: a status line, header lines of this module's own
 * names, a blank line, and (unless bodyless) one JSON object.  Returns the
 * parsed body (the caller releases it) or NULL when there is none.
 */
static struct json_object *
check_answer(const struct fake_io *f, int bodyless)
{
	static const char *const names[] = {
		"Content-Type", "Cache-Control", "Pragma", "Allow",
		"WWW-Authenticate", "Retry-After", "Variable-AUTH_USER",
		"Variable-AUTH_SESSION_ID", "X-Auth-User", "X-Auth-Session-Id",
	};
	struct json_tokener	*tok;
	struct json_object	*o;
	const char		*p, *eol, *colon, *end;
	size_t			 i;
	int			 status, known;

	CHECK(f->outlen > 0);
	CHECK(strlen(f->out) == f->outlen);
	CHECK(sscanf(f->out, "Status: %3d ", &status) == 1);
	CHECK(status >= 200 && status <= 599);
	end = strstr(f->out, "\r\n\r\n");
	CHECK(end != NULL);
	for (p = strstr(f->out, "\r\n") + 2; p < end + 2; p = eol + 2) {
		eol = strstr(p, "\r\n");
		CHECK(memchr(p, '\n', (size_t)(eol - p)) == NULL);
		CHECK(memchr(p, '\r', (size_t)(eol - p)) == NULL);
		colon = memchr(p, ':', (size_t)(eol - p));
		CHECK(colon != NULL && colon[1] == ' ');
		known = 0;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == (size_t)(colon - p) &&
			    memcmp(names[i], p, (size_t)(colon - p)) == 0)
				known = 1;
		CHECK(known);
	}
	p = end + 4;
	if (bodyless) {
		CHECK(*p == '\0');
		return NULL;
	}
	tok = json_tokener_new();
	CHECK(tok != NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, p, (int)strlen(p));
	CHECK(o != NULL && json_tokener_get_error(tok) == json_tokener_success);
	CHECK(json_tokener_get_parse_end(tok) == strlen(p));
	json_tokener_free(tok);
	CHECK(json_object_is_type(o, json_type_object));
	return o;
}

/* The string at o.data.key equals want. */
static void
check_data(struct json_object *o, const char *key, const char *want)
{
	struct json_object	*d, *v;

	CHECK(json_object_object_get_ex(o, "data", &d));
	CHECK(json_object_object_get_ex(d, key, &v));
	CHECK(json_object_is_type(v, json_type_string));
	CHECK(strcmp(json_object_get_string(v), want) == 0);
}

/* Write an error answer for e and check it. */
static void
answer_error(struct fake_io *f, const struct http_io *io, enum err e,
    const char *field, const char *allow, long retry_after)
{
	struct json_object	*o, *er, *v;

	f->outlen = 0;
	f->out[0] = '\0';
	CHECK(reply_error(io, e, field, allow, retry_after) == 0);
	o = check_answer(f, 0);
	CHECK(json_object_object_get_ex(o, "error", &er));
	CHECK(json_object_object_get_ex(er, "code", &v));
	CHECK(strcmp(json_object_get_string(v), err_code(e)) == 0);
	json_object_put(o);
}

/*
 * The success answer of the route, with what the request carried: the
 * store would supply the rest, so fixed values stand in for it.
 */
static void
answer_ok(struct fake_io *f, const struct http_io *io, const struct req *r,
    const struct serve_route *rt, int authorizer)
{
	static const char	 sid[] = "AAAAAAAAAAAAAAAAAAAAAA";
	struct store_session	 s;
	struct reply_tokens	 t;
	struct json_object	*o;
	const char		*user;
	int			 rc;

	f->outlen = 0;
	f->out[0] = '\0';
	if (authorizer) {
		/* The store would name the user; a name off the wire stands
		 * in for it when there is one. */
		user = r->username_len > 0 ? r->username : "ana";
		rc = reply_authorized(io, user, r->session_id);
		CHECK(rc == 0 || rc == -1);
		if (rc == 0)
			(void)check_answer(f, 1);
		return;
	}
	CHECK(rt != NULL);
	if (strcmp(rt->name, "login") == 0 ||
	    strcmp(rt->name, "refresh-session") == 0 ||
	    strcmp(rt->name, "refresh-token") == 0) {
		memset(&t, 0, sizeof(t));
		t.session_id = r->session_id_len > 0 ? r->session_id : sid;
		t.authorization = r->refresh_token_len > 0 ?
		    r->refresh_token : sid;
		t.corban = sid;
		t.refresh = sid;
		t.expires_in = 900;
		t.refresh_expires_in = 28800;
		CHECK(reply_tokens(io, &t) == 0);
		o = check_answer(f, 0);
		check_data(o, "sessionId", t.session_id);
		json_object_put(o);
		if (r->username_len == 0)
			return;
		/* The name as GET /session would show it. */
		f->outlen = 0;
		memset(&s, 0, sizeof(s));
		memcpy(s.user, r->username, r->username_len + 1);
		s.user_len = r->username_len;
		s.access_expires = 1700000000;
		s.expires = 1700028800;
		CHECK(reply_session(io, t.session_id, &s, "authorization") == 0);
		o = check_answer(f, 0);
		check_data(o, "username", r->username);
		json_object_put(o);
	} else if (strcmp(rt->name, "logout") == 0) {
		CHECK(reply_logout(io, r->session_id) == 0);
		o = check_answer(f, 0);
		check_data(o, "sessionId", r->session_id);
		json_object_put(o);
	} else if (strcmp(rt->name, "session") == 0) {
		memset(&s, 0, sizeof(s));
		strcpy(s.user, "ana");
		s.user_len = 3;
		CHECK(reply_session(io, r->session_id, &s,
		    "authorizationCorban") == 0);
		o = check_answer(f, 0);
		check_data(o, "sessionId", r->session_id);
		json_object_put(o);
	} else if (strcmp(rt->name, "health") == 0) {
		CHECK(reply_health(io) == 0);
		json_object_put(check_answer(f, 0));
	} else
		CHECK(0);
}

/*
 * A configuration with trusted_proxies = v read the way the responder
 * reads its file (cfg_load), from a memory file.  Returns 0, or -1 when
 * cfg_load refused it (c then holds the defaults).
 */
static int
cfg_with_proxies(struct cfg *c, const char *v)
{
	static int	 fd = -1;
	char		 path[64], err[512];
	const char	*head = "trusted_proxies = ";
	size_t		 hl = strlen(head), vl = strlen(v);

	cfg_defaults(c);
	/* A memfd is born 0777: cfg_load refuses a file others may write. */
	if (fd == -1 && ((fd = memfd_create("fuzz_request.conf", 0)) == -1 ||
	    fchmod(fd, 0600) == -1)) {
		perror("memfd_create");
		abort();
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, head, hl, 0) != (ssize_t)hl ||
	    pwrite(fd, v, vl, (off_t)hl) != (ssize_t)vl ||
	    pwrite(fd, "\n", 1, (off_t)(hl + vl)) != 1) {
		perror("memfd write");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (cfg_load(c, path, err, sizeof(err)) == -1) {
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		cfg_defaults(c);
		return -1;
	}
	return 0;
}

/* Error answers the parsing path does not produce, written as well: 429
 * with Retry-After (from the body's length, so also 0 and negative), 503,
 * and a value outside the error table. */
static void
extra_error(struct fake_io *f, const struct http_io *io, unsigned sel,
    const struct req *r, size_t bodylen)
{
	enum err	 e;

	switch (sel) {
	case 1:
		e = ERR_TOO_MANY_ATTEMPTS;
		break;
	case 2:
		e = ERR_UNAVAILABLE;
		break;
	case 3:
		e = (enum err)(ERR__MAX + 1);
		break;
	default:
		return;
	}
	answer_error(f, io, e, r->field, r->allow, (long)bodylen - 4096);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg	 presets[4];
	static int		 ready;
	static char		 copy[65536];
	static struct fake_io	 f;
	static struct req	 r;
	static const char	 zero[sizeof(struct req)];
	struct http_io		 io = FAKE_IO(&f);
	struct cfg		 c;
	const char		*fld[NFIELDS];
	char			 cl[32], script[HTTP_PATH_MAX * 2 + 64];
	char			 uri[HTTP_PATH_MAX * 2 + 64];
	char			 sid[LIM_TOKEN_MAX + 1], net[ADDR_TEXT_MAX + 1];
	unsigned		 b0, b1, route;
	size_t			 i, pos, len;
	const struct serve_route *rt = NULL;
	char			 subj[ADDR_TEXT_MAX + 1];
	enum err		 e;
	int			 authorizer;

	if (!ready) {
		for (i = 0; i < 4; i++)
			CHECK(cfg_with_proxies(&presets[i],
			    proxy_presets[i]) == 0);
		ready = 1;
	}
	if (size < 2 || size >= sizeof(copy))
		return 0;
	b0 = data[0];
	b1 = data[1];

	/* Split the fields (NUL-terminated in the copy) from the body. */
	memcpy(copy, data, size);
	copy[size] = '\0';
	pos = 2;
	for (i = 0; i < NFIELDS; i++) {
		if (pos >= size) {
			fld[i] = NULL;
			continue;
		}
		len = strlen(copy + pos);
		if (len == 0)
			fld[i] = NULL;
		else if (len == 1 && copy[pos] == '\x01')
			fld[i] = "";
		else
			fld[i] = copy + pos;
		pos += len + 1;
	}
	if (pos > size)
		pos = size;

	memset(&f, 0, sizeof(f));
	f.body = copy + pos;
	f.bodylen = size - pos;

	/* Configuration. */
	if ((b0 & 0x40) && fld[FLD_TRUSTED_PROXIES] != NULL &&
	    strpbrk(fld[FLD_TRUSTED_PROXIES], "\n") == NULL) {
		if (cfg_with_proxies(&c, fld[FLD_TRUSTED_PROXIES]) == -1)
			c = presets[0];
	} else
		c = presets[(b1 >> 4) & 3];
	if (b0 & 0x80)
		c.max_body = 64;

	/* Method and path. */
	route = b0 & 7;
	if (route >= FUZZ_TABLE_ROUTES || route >= serve_nroutes)
		route = RAW_ROUTE;
	if ((b0 & 0x10) != 0)
		fake_io_set(&f, "REQUEST_METHOD", route != RAW_ROUTE ?
		    serve_routes[route].method : "POST");
	else
		fake_io_set(&f, "REQUEST_METHOD", fld[FLD_METHOD]);
	if (route == RAW_ROUTE) {
		fake_io_set(&f, "SCRIPT_NAME", fld[FLD_SCRIPT_NAME]);
		fake_io_set(&f, "PATH_INFO", fld[FLD_PATH_INFO]);
		fake_io_set(&f, "REQUEST_URI", fld[FLD_REQUEST_URI]);
	} else if ((b0 & 0x08) == 0) {
		fake_io_set(&f, "SCRIPT_NAME", API);
		snprintf(script, sizeof(script), "/%s",
		    serve_routes[route].name);
		fake_io_set(&f, "PATH_INFO", script);
		fake_io_set(&f, "REQUEST_URI", fld[FLD_REQUEST_URI]);
	} else {
		/* A rewrite: the program's own name in SCRIPT_NAME, the
		 * route in REQUEST_URI followed by the field (a query...). */
		fake_io_set(&f, "SCRIPT_NAME", fld[FLD_SCRIPT_NAME]);
		fake_io_set(&f, "PATH_INFO", fld[FLD_PATH_INFO]);
		snprintf(uri, sizeof(uri), "/~u" API "/%s%s",
		    serve_routes[route].name,
		    fld[FLD_REQUEST_URI] ? fld[FLD_REQUEST_URI] : "");
		fake_io_set(&f, "REQUEST_URI", uri);
	}

	/* Body headers. */
	switch (b1 & 3) {
	case 0:
		snprintf(cl, sizeof(cl), "%zu", f.bodylen);
		fake_io_set(&f, "CONTENT_LENGTH", cl);
		fake_io_set(&f, "HTTP_TRANSFER_ENCODING",
		    fld[FLD_TRANSFER_ENCODING]);
		break;
	case 1:
		fake_io_set(&f, "CONTENT_LENGTH", fld[FLD_CONTENT_LENGTH]);
		fake_io_set(&f, "HTTP_TRANSFER_ENCODING",
		    fld[FLD_TRANSFER_ENCODING]);
		break;
	case 2:
		fake_io_set(&f, "HTTP_TRANSFER_ENCODING", "chunked");
		break;
	default:
		break;
	}
	switch ((b1 >> 2) & 3) {
	case 0:
		fake_io_set(&f, "CONTENT_TYPE", "application/json");
		break;
	case 1:
		fake_io_set(&f, "CONTENT_TYPE", "Application/JSON ; charset=UTF-8");
		break;
	case 2:
		fake_io_set(&f, "CONTENT_TYPE", fld[FLD_CONTENT_TYPE]);
		break;
	default:
		break;
	}
	fake_io_set(&f, "HTTP_AUTHORIZATION", fld[FLD_AUTHORIZATION]);
	fake_io_set(&f, "REMOTE_ADDR", fld[FLD_REMOTE_ADDR]);
	fake_io_set(&f, "HTTP_X_FORWARDED_FOR", fld[FLD_X_FORWARDED_FOR]);
	authorizer = (b0 & 0x20) != 0;
	if (authorizer)
		fake_io_set(&f, "FCGI_ROLE", "AUTHORIZER");

	/* The text rules on the raw body and on every field. */
	check_text_rules(f.body, f.bodylen);
	for (i = 0; i < NFIELDS; i++)
		if (fld[i] != NULL) {
			check_text_rules(fld[i], strlen(fld[i]));
			check_origin(fld[i], strlen(fld[i]));
		}

	/* The client address, first thing serve() does. */
	memset(&r, 0, sizeof(r));
	http_client_addr(&io, &c, &r);
	check_addr(r.addr, sizeof(r.addr));
	/* The subject regulation counts for it. */
	reg_subject(r.addr, subj);
	if (strcmp(r.addr, "-") == 0)
		CHECK(strcmp(subj, "-") == 0);
	else
		CHECK(memchr(subj, '\0', sizeof(subj)) != NULL);
	/* The address is REMOTE_ADDR, or, behind a trusted proxy, a
	 * X-Forwarded-For entry. */
	if (strcmp(r.addr, "-") != 0) {
		CHECK(fld[FLD_REMOTE_ADDR] != NULL);
		if (strstr(fld[FLD_REMOTE_ADDR], r.addr) == NULL) {
			CHECK(fld[FLD_X_FORWARDED_FOR] != NULL);
			CHECK(strstr(fld[FLD_X_FORWARDED_FOR], r.addr) != NULL);
			CHECK(cfg_proxy_trusted(&c, fld[FLD_REMOTE_ADDR] +
			    strspn(fld[FLD_REMOTE_ADDR], " \t")) ||
			    strpbrk(fld[FLD_REMOTE_ADDR], " \t") != NULL);
		}
	}
	if (fld[FLD_REMOTE_ADDR] != NULL &&
	    strlen(fld[FLD_REMOTE_ADDR]) <= ADDR_TEXT_MAX) {
		addr_net64(fld[FLD_REMOTE_ADDR], net);
		CHECK(memchr(net, '\0', sizeof(net)) != NULL);
	}

	/* Route, body, bearer: where each handler would call the store. */
	if (authorizer) {
		strcpy(r.method, "AUTHZ");
		e = http_bearer(&io, &r);
	} else if ((rt = serve_route(&io, &r, &e)) != NULL) {
		CHECK(e == ERR_OK);
		CHECK(rt >= serve_routes && rt < serve_routes + serve_nroutes);
		if (rt->fields != 0)
			e = http_body(&io, &c, rt->fields, &r);
		else if (rt->bearer)
			e = http_bearer(&io, &r);
	} else if (e == ERR_METHOD_NOT_ALLOWED)
		CHECK(r.allow != NULL);
	else
		CHECK(e == ERR_NOT_FOUND);
	check_log_value(r.method, sizeof(r.method));
	check_log_value(r.path, sizeof(r.path));

	if (e == ERR_OK && (authorizer || rt->bearer)) {
		CHECK(r.bearer_len == strlen(r.bearer));
		CHECK(tok_charset_ok(r.bearer, r.bearer_len));
		if (tok_session(r.bearer, r.bearer_len, sid,
		    sizeof(sid)) == -1)
			e = ERR_INVALID_TOKEN;
		else {
			CHECK(strlen(sid) < r.bearer_len);
			CHECK(tok_charset_ok(sid, strlen(sid)));
			memcpy(r.session_id, sid, strlen(sid) + 1);
			r.session_id_len = strlen(sid);
		}
	}
	if (e == ERR_OK && !authorizer && rt->fields != 0) {
		if (rt->fields & FIELD_SESSION_ID)
			check_field(r.session_id, r.session_id_len, LIM_TOKEN_MAX, 1);
		if (rt->fields & FIELD_USERNAME)
			check_field(r.username, r.username_len,
			    LIM_USER_MAX, 0);
		if (rt->fields & FIELD_PASSWORD)
			check_field(r.password, r.password_len,
			    LIM_PASSWORD_MAX, 0);
		if (rt->fields & FIELD_REFRESH_TOKEN)
			check_field(r.refresh_token, r.refresh_token_len,
			    LIM_TOKEN_MAX, 1);
		check_body(&f, rt->fields, &r);
	}
	if (e == ERR_MISSING_FIELD || e == ERR_INVALID_FIELD)
		CHECK(r.field != NULL);

	if (e != ERR_OK)
		answer_error(&f, &io, e, r.field, r.allow, 0);
	else
		answer_ok(&f, &io, &r, rt, authorizer);
	if (fuzz_verbose)
		fprintf(stderr, "%s field=%s addr=%s addr_net=%s | %.*s\n",
		    err_code(e), r.field ? r.field : "-", r.addr, subj,
		    (int)strcspn(f.out, "\r\n"), f.out);
	extra_error(&f, &io, b1 >> 6, &r, f.bodylen);

	http_req_clear(&r);
	CHECK(memcmp(&r, zero, sizeof(r)) == 0);
	return 0;
}
