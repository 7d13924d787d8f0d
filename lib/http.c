/*
 * http.c - front-line checks of a request: route, media type, body length,
 * strict JSON, field rules, bearer header, client address.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>
#include <printbuf.h>

#include "addr.h"
#include "http.h"
#include "log.h"
#include "text.h"

#define API_PREFIX	"/api/v1/autenticacao/"

/* Body fields in the order errors are reported, with their limits. */
enum field_kind { KIND_TEXT, KIND_TOKEN };
static const struct {
	enum http_field	 bit;
	const char	*name;		/* JSON key */
	enum field_kind	 kind;
	size_t		 max;		/* bytes */
	size_t		 buf_off;	/* offsetof(struct req, buffer) */
	size_t		 len_off;	/* offsetof(struct req, length) */
} fields[] = {
	{ FIELD_SESSION_ID, "sessionId", KIND_TOKEN, LIM_TOKEN_MAX,
	    offsetof(struct req, session_id),
	    offsetof(struct req, session_id_len) },
	{ FIELD_USERNAME, "username", KIND_TEXT, LIM_USER_MAX,
	    offsetof(struct req, username),
	    offsetof(struct req, username_len) },
	{ FIELD_PASSWORD, "password", KIND_TEXT, LIM_PASSWORD_MAX,
	    offsetof(struct req, password),
	    offsetof(struct req, password_len) },
	{ FIELD_REFRESH_TOKEN, "refreshToken", KIND_TOKEN, LIM_TOKEN_MAX,
	    offsetof(struct req, refresh_token),
	    offsetof(struct req, refresh_token_len) },
};

/*
 * Find the route segment in path: what follows its last API_PREFIX.  NULL
 * when path has none.
 */
static const char *
route_segment(const char *path)
{
	const char	*p, *seg = NULL;

	for (p = path; (p = strstr(p, API_PREFIX)) != NULL; p++)
		seg = p + strlen(API_PREFIX);
	return seg;
}

enum err
http_path(const struct http_io *io, struct req *r, char *seg, size_t segsz)
{
	const char	*method, *script, *info, *uri, *found;
	char		 path[HTTP_PATH_MAX * 2 + 2], upath[HTTP_PATH_MAX + 1];
	size_t		 slen, ilen, ulen, seglen;

	method = io->param(io->ctx, "REQUEST_METHOD");
	text_log_copy(r->method, sizeof(r->method), method ? method : "-");

	/* The mapped path, SCRIPT_NAME + PATH_INFO (RFC 3875 4.1.5, 4.1.13),
	 * or, when a rewrite sent the request to the program under another
	 * name (shared hosting), the path the client asked for. */
	script = io->param(io->ctx, "SCRIPT_NAME");
	info = io->param(io->ctx, "PATH_INFO");
	uri = io->param(io->ctx, "REQUEST_URI");
	slen = script ? strlen(script) : 0;
	ilen = info ? strlen(info) : 0;
	ulen = uri ? strcspn(uri, "?#") : 0;
	if (slen > HTTP_PATH_MAX || ilen > HTTP_PATH_MAX ||
	    ulen > HTTP_PATH_MAX) {
		text_log_copy(r->path, sizeof(r->path), "(too long)");
		return ERR_NOT_FOUND;
	}
	if (slen > 0)
		memcpy(path, script, slen);
	if (ilen > 0)
		memcpy(path + slen, info, ilen);
	path[slen + ilen] = '\0';
	if (ulen > 0)
		memcpy(upath, uri, ulen);
	upath[ulen] = '\0';

	if ((found = route_segment(path)) != NULL || slen + ilen > 0)
		text_log_copy(r->path, sizeof(r->path), path);
	if (found == NULL && (found = route_segment(upath)) != NULL)
		text_log_copy(r->path, sizeof(r->path), upath);
	if (r->path[0] == '\0')
		text_log_copy(r->path, sizeof(r->path), upath);
	if (found == NULL || (seglen = strlen(found)) >= segsz)
		return ERR_NOT_FOUND;
	memcpy(seg, found, seglen + 1);
	return ERR_OK;
}

/*
 * 1 if the media type ct is application/json, optionally followed by
 * parameters (RFC 9110 8.3.1: type and subtype are case-insensitive).
 */
static int
media_type_ok(const char *ct)
{
	static const char	 want[] = "application/json";
	const char		*p;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return 0;
	for (p = ct + sizeof(want) - 1; *p == ' ' || *p == '\t'; p++)
		continue;
	return *p == '\0' || *p == ';';
}

/*
 * Parse CONTENT_LENGTH strictly (RFC 3875 4.1.2: 1*digit).  Absent or empty
 * is 0.  Returns ERR_OK with *len set, ERR_PAYLOAD_TOO_LARGE when it is
 * above max (however many digits), ERR_INVALID_JSON when it is not a
 * number.
 */
static enum err
content_length(const char *s, size_t max, size_t *len)
{
	uint64_t	 v = 0;
	int		 big = 0;

	*len = 0;
	if (s == NULL || *s == '\0')
		return ERR_OK;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return ERR_INVALID_JSON;
		if (v > max)
			big = 1;
		else
			v = v * 10 + (uint64_t)(*s - '0');
	}
	if (big || v > max)
		return ERR_PAYLOAD_TOO_LARGE;
	*len = (size_t)v;
	return ERR_OK;
}

/*
 * Count the object keys in the JSON text buf (already accepted by json-c):
 * every string that opens an object member.  Comparing this with the keys
 * json-c kept reveals repeated keys, which json-c silently merges.  -1
 * when a key escapes a NUL: json-c keeps keys as C strings, so it would
 * read "username\u0000x" as "username".
 */
static long
count_keys(const char *buf, size_t len)
{
	/* Container stack: 1 = object, 0 = array; depth is capped by the
	 * tokener before this runs. */
	unsigned char	 stack[HTTP_JSON_DEPTH + 2];
	size_t		 i;
	long		 n = 0;
	int		 depth = 0, want_key = 0, in_str = 0, in_key = 0;

	for (i = 0; i < len; i++) {
		char ch = buf[i];

		if (in_str) {
			if (ch == '\\') {
				if (in_key && i + 5 < len &&
				    memcmp(buf + i + 1, "u0000", 5) == 0)
					return -1;
				i++;
			} else if (ch == '"')
				in_str = 0;
			continue;
		}
		switch (ch) {
		case '"':
			in_str = 1;
			in_key = want_key;
			if (want_key) {
				n++;
				want_key = 0;
			}
			break;
		case '{':
		case '[':
			if (depth < (int)sizeof(stack))
				stack[depth] = ch == '{';
			depth++;
			want_key = ch == '{';
			break;
		case '}':
		case ']':
			depth--;
			want_key = 0;
			break;
		case ',':
			want_key = depth > 0 && depth <= (int)sizeof(stack) &&
			    stack[depth - 1];
			break;
		default:
			break;
		}
	}
	return n;
}

/* Value of the four hex digits at p, or -1. */
static long
hex4(const char *p)
{
	long	 v = 0;
	int	 i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * 1 unless the JSON text buf (NUL-terminated, already accepted by json-c)
 * escapes a lone UTF-16 surrogate, which json-c silently turns into
 * U+FFFD: a high surrogate must be followed by an escaped low one, and a
 * low one must not stand alone (RFC 8259 section 8.2).
 */
static int
surrogates_ok(const char *buf, size_t len)
{
	size_t	 i;
	long	 v, w;
	int	 in_str = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == '"') {
			in_str = !in_str;
			continue;
		}
		if (!in_str || buf[i] != '\\')
			continue;
		i++;
		if (buf[i] != 'u' || i + 4 >= len)
			continue;
		v = hex4(buf + i + 1);
		i += 4;
		if (v >= 0xdc00 && v <= 0xdfff)
			return 0;
		if (v < 0xd800 || v > 0xdbff)
			continue;
		if (i + 6 >= len || buf[i + 1] != '\\' || buf[i + 2] != 'u')
			return 0;
		w = hex4(buf + i + 3);
		if (w < 0xdc00 || w > 0xdfff)
			return 0;
		i += 6;
	}
	return 1;
}

/*
 * Keys json-c kept in o and everything under it, or -1 when o holds a
 * number that JSON cannot spell (json-c takes NaN and Infinity).
 */
static long
count_kept(struct json_object *o)
{
	long	 n = 0, sub;
	size_t	 i, len;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if ((sub = count_kept(val)) == -1)
				return -1;
			n += 1 + sub;
		}
		break;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (i = 0; i < len; i++) {
			sub = count_kept(json_object_array_get_idx(o, i));
			if (sub == -1)
				return -1;
			n += sub;
		}
		break;
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			return -1;
		break;
	default:
		break;
	}
	return n;
}

/*
 * Wipe every string json-c holds in o (its copies of the password and the
 * tokens) before the object is released: freed heap must not keep them
 * in a long-lived FastCGI worker.
 */
static void
wipe_strings(struct json_object *o)
{
	size_t	 i, len;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			wipe_strings(val);
		}
		break;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			wipe_strings(json_object_array_get_idx(o, i));
		break;
	case json_type_string:
		tok_wipe((char *)json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
		break;
	default:
		break;
	}
}

/*
 * Check one declared field of object o and copy it into r.  A refresh
 * token may carry the "Bearer " prefix of the responses.
 */
static enum err
field_copy(struct json_object *o, size_t fi, struct req *r)
{
	struct json_object	*v;
	const char		*s;
	size_t			 len;
	char			*buf;

	r->field = fields[fi].name;
	if (!json_object_object_get_ex(o, fields[fi].name, &v) || v == NULL)
		return ERR_MISSING_FIELD;
	if (!json_object_is_type(v, json_type_string))
		return ERR_INVALID_FIELD;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0)
		return ERR_MISSING_FIELD;
	if (memchr(s, '\0', len) != NULL || !text_utf8_ok(s, len) ||
	    !text_no_ctrl(s, len))
		return ERR_INVALID_FIELD;
	if (fields[fi].bit == FIELD_REFRESH_TOKEN && len > 7 &&
	    strncasecmp(s, "Bearer ", 7) == 0) {
		s += 7;
		len -= 7;
	}
	if (len > fields[fi].max)
		return ERR_INVALID_FIELD;
	if (fields[fi].kind == KIND_TOKEN && !tok_charset_ok(s, len))
		return ERR_INVALID_FIELD;
	buf = (char *)r + fields[fi].buf_off;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*(size_t *)((char *)r + fields[fi].len_off) = len;
	r->field = NULL;
	return ERR_OK;
}

enum err
http_body(const struct http_io *io, const struct cfg *c, unsigned mask,
    struct req *r)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL;
	const char		*cl, *te;
	char			*buf = NULL;
	size_t			 len = 0, got, i;
	long			 keys;
	enum err		 e;
	int			 chunked = 0;

	if (!media_type_ok(io->param(io->ctx, "CONTENT_TYPE"))) {
		e = ERR_UNSUPPORTED_MEDIA_TYPE;
		goto out;
	}
	cl = io->param(io->ctx, "CONTENT_LENGTH");
	te = io->param(io->ctx, "HTTP_TRANSFER_ENCODING");
	if ((cl == NULL || *cl == '\0') && te != NULL &&
	    strcasestr(te, "chunked") != NULL) {
		/* A chunked body without CONTENT_LENGTH (Apache mod_cgi
		 * passes it so, against RFC 3875 4.1.2): read to its end,
		 * but never more than max_body + 1 bytes. */
		len = c->max_body + 1;
		chunked = 1;
	} else if ((e = content_length(cl, c->max_body, &len)) != ERR_OK)
		goto out;
	if ((buf = malloc(len + 1)) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	/* Read exactly CONTENT_LENGTH bytes, never to EOF (RFC 3875 4.2). */
	got = len > 0 ? io->read(io->ctx, buf, len) : 0;
	buf[got] = '\0';
	if (chunked) {
		if (got > c->max_body) {
			e = ERR_PAYLOAD_TOO_LARGE;
			goto out;
		}
		len = got;
	}
	e = ERR_INVALID_JSON;
	if (got != len || len == 0 || memchr(buf, '\0', len) != NULL ||
	    !text_utf8_ok(buf, len))
		goto out;

	if ((tok = json_tokener_new_ex(HTTP_JSON_DEPTH)) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success)
		goto out;
	/* Only whitespace may follow the value. */
	for (i = json_tokener_get_parse_end(tok); i < len; i++)
		if (strchr(" \t\r\n", buf[i]) == NULL)
			goto out;
	if (!json_object_is_type(o, json_type_object))
		goto out;
	if ((keys = count_keys(buf, len)) == -1 || keys != count_kept(o) ||
	    !surrogates_ok(buf, len))
		goto out;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((mask & fields[i].bit) &&
		    (e = field_copy(o, i, r)) != ERR_OK)
			goto out;
	e = ERR_OK;
out:
	if (o != NULL) {
		wipe_strings(o);
		json_object_put(o);
	}
	if (tok != NULL) {
		/* The tokener's work buffer held the last string it read;
		 * json-c has no call to wipe it, so reach in (the struct is
		 * public in json-c 0.16, though marked internal). */
		if (tok->pb != NULL && tok->pb->buf != NULL)
			tok_wipe(tok->pb->buf, (size_t)tok->pb->size);
		json_tokener_free(tok);
	}
	if (buf != NULL) {
		tok_wipe(buf, chunked ? c->max_body + 2 : len + 1);
		free(buf);
	}
	return e;
}

enum err
http_bearer(const struct http_io *io, struct req *r)
{
	const char	*h;
	size_t		 len;

	h = io->param(io->ctx, "HTTP_AUTHORIZATION");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return ERR_INVALID_TOKEN;
	for (h += 7; *h == ' '; h++)
		continue;
	len = strlen(h);
	while (len > 0 && h[len - 1] == ' ')
		len--;
	if (!tok_charset_ok(h, len))
		return ERR_INVALID_TOKEN;
	memcpy(r->bearer, h, len);
	r->bearer[len] = '\0';
	r->bearer_len = len;
	return ERR_OK;
}

/*
 * REMOTE_ADDR is absent or not an IP address ("unix:" from nginx's
 * unix-socket listener, "localhost"): per-address regulation is off for
 * such requests.  Said once per process, not once per request.
 */
static int	 remote_warned;

static void
remote_warn(const char *remote)
{
	char	 v[64];

	if (remote_warned)
		return;
	remote_warned = 1;
	text_log_copy(v, sizeof(v), remote != NULL ? remote : "(absent)");
	log_warn("REMOTE_ADDR %s is not an IP address: brute-force "
	    "regulation counts user names only (trusted_proxies = unix: "
	    "takes X-Forwarded-For from a unix-socket peer)", v);
}

void
http_client_addr(const struct http_io *io, const struct cfg *c, struct req *r)
{
	const char	*remote, *xff, *end, *comma;
	char		 cand[ADDR_TEXT_MAX + 1];

	remote = io->param(io->ctx, "REMOTE_ADDR");
	if (remote != NULL &&
	    addr_copy(remote, strlen(remote), r->addr, sizeof(r->addr))) {
		if (!cfg_proxy_trusted(c, r->addr))
			return;
	} else {
		/* No client address: regulation counts the user name only,
		 * unless a trusted unix-socket peer forwards one. */
		strcpy(r->addr, "-");
		if (remote == NULL || !cfg_proxy_trusted(c, remote)) {
			remote_warn(remote);
			return;
		}
	}
	xff = io->param(io->ctx, "HTTP_X_FORWARDED_FOR");
	if (xff == NULL || strlen(xff) > 4096)
		return;
	/* Walk from the right: the first entry not a trusted proxy is the
	 * client; a malformed entry ends the walk at the last good one. */
	end = xff + strlen(xff);
	while (end > xff) {
		for (comma = end; comma > xff && comma[-1] != ','; comma--)
			continue;
		if (!addr_copy_forwarded(comma, (size_t)(end - comma), cand,
		    sizeof(cand)))
			return;
		memcpy(r->addr, cand, strlen(cand) + 1);
		if (!cfg_proxy_trusted(c, cand))
			return;
		end = comma > xff ? comma - 1 : xff;
	}
}

void
http_req_clear(struct req *r)
{
	tok_wipe(r, sizeof(*r));
}
