/*
 * reply.c - status lines, headers and JSON bodies of every answer.
 *
 * Out of memory while building a body is answered with a fixed 500 body
 * (no allocation needed), so the client always gets a JSON answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "cors.h"
#include "reply.h"

#define JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char	*reason(int status);

static const char internal_body[] =
    "{\"success\":false,\"error\":{\"code\":\"INTERNAL_ERROR\","
    "\"message\":\"Erro interno\"}}";

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" }, { 204, "No Content" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" }, { 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

static const char *
reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

/*
 * The CORS lines of an answer for io->allow_origin (docs/API.md "Browsers
 * on other origins"), into buf: "" when the answer is for no allowed
 * origin.  The origin is checked again here, so that only an origin's
 * syntax can ever reach a header line.  Never
 * Access-Control-Allow-Credentials: tokens travel in headers, not cookies.
 */
static void
cors_lines(const struct http_io *io, int preflight, const char *methods,
    char *buf, size_t bufsz)
{
	const char	*o = io->allow_origin;
	int		 n;

	buf[0] = '\0';
	if (o == NULL || cors_origin_check(o, strlen(o)) != NULL)
		return;
	if (preflight)
		n = snprintf(buf, bufsz,
		    "Access-Control-Allow-Origin: %s\r\n"
		    "Access-Control-Allow-Methods: %s\r\n"
		    "Access-Control-Allow-Headers: Authorization, "
		    "Content-Type\r\n"
		    "Access-Control-Max-Age: 600\r\n"
		    "Vary: Origin\r\n", o, methods);
	else
		n = snprintf(buf, bufsz,
		    "Access-Control-Allow-Origin: %s\r\n"
		    "Vary: Origin\r\n"
		    "Access-Control-Expose-Headers: Retry-After, "
		    "WWW-Authenticate, X-Auth-User, X-Auth-Session-Id\r\n", o);
	if (n < 0 || (size_t)n >= bufsz)
		buf[0] = '\0';
}

/*
 * Write status, the fixed JSON headers, the CORS lines, extra (zero or
 * more complete "Name: value\r\n" lines made by this module) and body.
 */
static int
emit(const struct http_io *io, int status, const char *extra,
    const char *body, size_t bodylen)
{
	char	 head[1024], cors[CORS_ORIGIN_MAX + 256];
	int	 n;

	cors_lines(io, 0, NULL, cors, sizeof(cors));
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "%s%s\r\n", status, reason(status), cors, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (io->write(io->ctx, head, (size_t)n) == -1)
		return -1;
	return io->write(io->ctx, body, bodylen);
}

/* Write status and the JSON text of root (which is released). */
static int
emit_json(const struct http_io *io, int status, const char *extra,
    struct json_object *root)
{
	const char	*s;
	size_t		 len;
	int		 rc;

	s = root ? json_object_to_json_string_length(root, JSON_FLAGS, &len)
	    : NULL;
	if (s == NULL)
		rc = emit(io, 500, NULL, internal_body,
		    sizeof(internal_body) - 1);
	else
		rc = emit(io, status, extra, s, len);
	if (root != NULL)
		json_object_put(root);
	return rc;
}

/*
 * Add key => string value to o.  Returns 0, or -1 when out of memory (o
 * keeps whatever was added so far and is released by the caller).
 */
static int
add_str(struct json_object *o, const char *key, const char *val)
{
	struct json_object	*v;

	if ((v = json_object_new_string(val)) == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
add_int(struct json_object *o, const char *key, long val)
{
	struct json_object	*v;

	if ((v = json_object_new_int64(val)) == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/*
 * A success envelope {"success":true,"data":{}}; *data receives the
 * (borrowed) data object.  NULL when out of memory.
 */
static struct json_object *
success_new(struct json_object **data)
{
	struct json_object	*root, *b;

	if ((root = json_object_new_object()) == NULL)
		return NULL;
	if ((b = json_object_new_boolean(1)) == NULL ||
	    json_object_object_add(root, "success", b) != 0)
		goto fail;
	if ((*data = json_object_new_object()) == NULL)
		goto fail;
	if (json_object_object_add(root, "data", *data) != 0) {
		json_object_put(*data);
		goto fail;
	}
	return root;
fail:
	json_object_put(root);
	return NULL;
}

int
reply_error(const struct http_io *io, enum err e, const char *field,
    const char *allow, long retry_after)
{
	struct json_object	*root, *error = NULL, *b;
	char			 extra[128], msg[160];
	int			 status = err_status(e);

	extra[0] = '\0';
	if (e == ERR_METHOD_NOT_ALLOWED && allow != NULL &&
	    (strcmp(allow, "GET") == 0 || strcmp(allow, "POST") == 0 ||
	    strcmp(allow, "DELETE") == 0))
		snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
	else if (e == ERR_INVALID_TOKEN)
		snprintf(extra, sizeof(extra),
		    "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n");
	else if (e == ERR_TOO_MANY_ATTEMPTS || e == ERR_BUSY)
		snprintf(extra, sizeof(extra), "Retry-After: %ld\r\n",
		    retry_after > 0 ? retry_after : 1);

	/* field is always one of http.c's static field names. */
	if (field != NULL &&
	    (e == ERR_MISSING_FIELD || e == ERR_INVALID_FIELD))
		snprintf(msg, sizeof(msg), "%s: %s", err_message(e), field);
	else {
		snprintf(msg, sizeof(msg), "%s", err_message(e));
		field = NULL;
	}

	if ((root = json_object_new_object()) == NULL)
		goto fail;
	if ((b = json_object_new_boolean(0)) == NULL ||
	    json_object_object_add(root, "success", b) != 0)
		goto fail;
	if ((error = json_object_new_object()) == NULL)
		goto fail;
	if (json_object_object_add(root, "error", error) != 0) {
		json_object_put(error);
		goto fail;
	}
	if (add_str(error, "code", err_code(e)) == -1 ||
	    add_str(error, "message", msg) == -1 ||
	    (field != NULL && add_str(error, "field", field) == -1))
		goto fail;
	return emit_json(io, status, extra, root);
fail:
	if (root != NULL)
		json_object_put(root);
	return emit_json(io, 500, NULL, NULL);
}

int
reply_tokens(const struct http_io *io, const struct reply_tokens *t)
{
	struct json_object	*root, *data;
	char			 bearer[3][LIM_TOKEN_MAX + 8];
	int			 rc;

	snprintf(bearer[0], sizeof(bearer[0]), "Bearer %s", t->authorization);
	snprintf(bearer[1], sizeof(bearer[1]), "Bearer %s", t->corban);
	snprintf(bearer[2], sizeof(bearer[2]), "Bearer %s", t->refresh);
	if ((root = success_new(&data)) != NULL &&
	    (add_str(data, "sessionId", t->session_id) == -1 ||
	    add_str(data, "authorization", bearer[0]) == -1 ||
	    add_str(data, "authorizationCorban", bearer[1]) == -1 ||
	    add_str(data, "refreshToken", bearer[2]) == -1 ||
	    add_int(data, "expiresIn", t->expires_in) == -1 ||
	    add_int(data, "refreshExpiresIn", t->refresh_expires_in) == -1)) {
		json_object_put(root);
		root = NULL;
	}
	rc = emit_json(io, 200, NULL, root);
	tok_wipe(bearer, sizeof(bearer));
	return rc;
}

int
reply_logout(const struct http_io *io, const char *sid)
{
	struct json_object	*root, *data;

	if ((root = success_new(&data)) != NULL &&
	    add_str(data, "sessionId", sid) == -1) {
		json_object_put(root);
		root = NULL;
	}
	return emit_json(io, 200, NULL, root);
}

int
reply_revoked(const struct http_io *io, long n)
{
	struct json_object	*root, *data;

	if ((root = success_new(&data)) != NULL &&
	    add_int(data, "revoked", n) == -1) {
		json_object_put(root);
		root = NULL;
	}
	return emit_json(io, 200, NULL, root);
}

void
reply_time(long t, char buf[32])
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "1970-01-01T00:00:00Z");
}

/*
 * No other header goes with an authorizer's 200: Apache mod_authnz_fcgi
 * adds them to the protected page's own response.
 *
 * 1 if s may stand as a header value: non-empty, no control byte (so no
 * CR or LF), no leading blank.  Bytes of UTF-8 user names pass (RFC 9110
 * 5.5 obs-text).
 */
static int
header_safe(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (*u == '\0' || *u == ' ')
		return 0;
	for (; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

int
reply_session(const struct http_io *io, const char *sid,
    const struct store_session *s, const char *token_type)
{
	struct json_object	*root, *data;
	char			 exp[32], sexp[32];
	char			 extra[LIM_USER_MAX + LIM_TOKEN_MAX + 64];
	int			 n;

	reply_time(s->access_expires, exp);
	reply_time(s->expires, sexp);
	/* The identity for nginx auth_request (auth_request_set): values
	 * from Redis, left out when one could break the header block. */
	extra[0] = '\0';
	if (header_safe(s->user) && header_safe(sid)) {
		n = snprintf(extra, sizeof(extra), "X-Auth-User: %s\r\n"
		    "X-Auth-Session-Id: %s\r\n", s->user, sid);
		if (n < 0 || (size_t)n >= sizeof(extra))
			extra[0] = '\0';
	}
	if ((root = success_new(&data)) != NULL &&
	    (add_str(data, "sessionId", sid) == -1 ||
	    add_str(data, "username", s->user) == -1 ||
	    add_str(data, "tokenType", token_type) == -1 ||
	    add_str(data, "expiresAt", exp) == -1 ||
	    add_str(data, "sessionExpiresAt", sexp) == -1)) {
		json_object_put(root);
		root = NULL;
	}
	return emit_json(io, 200, extra, root);
}

/* The list is a json-c array; the type stays private to this file. */
struct reply_list {
	struct json_object	*arr;
};

struct reply_list *
reply_list_new(void)
{
	struct reply_list	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->arr = json_object_new_array()) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
reply_list_free(struct reply_list *l)
{

	if (l == NULL)
		return;
	json_object_put(l->arr);
	free(l);
}

/* Add key => val to o, or JSON null when val is "". */
static int
add_str_or_null(struct json_object *o, const char *key, const char *val)
{

	if (val[0] != '\0')
		return add_str(o, key, val);
	return json_object_object_add(o, key, NULL) == 0 ? 0 : -1;
}

int
reply_list_add(struct reply_list *l, const char *sid, int current,
    const struct store_session *s)
{
	struct json_object	*o, *b;
	char			 created[32], used[32], sexp[32];

	if ((o = json_object_new_object()) == NULL)
		return -1;
	reply_time(s->created, created);
	reply_time(s->used, used);
	reply_time(s->expires, sexp);
	if ((b = json_object_new_boolean(current)) == NULL ||
	    add_str(o, "sessionId", sid) == -1 ||
	    json_object_object_add(o, "current", b) != 0 ||
	    add_str(o, "createdAt", created) == -1 ||
	    add_str(o, "lastUsedAt", used) == -1 ||
	    add_str(o, "sessionExpiresAt", sexp) == -1 ||
	    add_str_or_null(o, "address", s->addr) == -1 ||
	    add_str_or_null(o, "userAgent", s->ua) == -1 ||
	    json_object_array_add(l->arr, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

int
reply_sessions(const struct http_io *io, struct reply_list *l)
{
	struct json_object	*root, *data, *arr = NULL;
	size_t			 i, n;

	n = json_object_array_length(l->arr);
	if ((root = success_new(&data)) != NULL &&
	    ((arr = json_object_new_array_ext((int)n)) == NULL ||
	    json_object_object_add(data, "sessions", arr) != 0)) {
		json_object_put(arr);
		json_object_put(root);
		root = NULL;
	}
	for (i = n; root != NULL && i > 0; i--)
		if (json_object_array_add(arr, json_object_get(
		    json_object_array_get_idx(l->arr, i - 1))) != 0) {
			json_object_put(root);
			root = NULL;
		}
	reply_list_free(l);
	return emit_json(io, 200, NULL, root);
}

int
reply_health(const struct http_io *io)
{
	struct json_object	*root, *data;

	if ((root = success_new(&data)) != NULL &&
	    add_str(data, "redis", "ok") == -1) {
		json_object_put(root);
		root = NULL;
	}
	return emit_json(io, 200, NULL, root);
}

int
reply_preflight(const struct http_io *io, const char *methods)
{
	char	 head[1024], cors[CORS_ORIGIN_MAX + 256];
	int	 n;

	cors[0] = '\0';
	if (methods != NULL && (strcmp(methods, "GET") == 0 ||
	    strcmp(methods, "POST") == 0 || strcmp(methods, "DELETE") == 0))
		cors_lines(io, 1, methods, cors, sizeof(cors));
	n = snprintf(head, sizeof(head),
	    "Status: 204 No Content\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "%s\r\n", cors);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	return io->write(io->ctx, head, (size_t)n);
}

int
reply_metrics(const struct http_io *io, const char *text, size_t len)
{
	char	 head[1024], cors[CORS_ORIGIN_MAX + 256];
	int	 n;

	cors_lines(io, 0, NULL, cors, sizeof(cors));
	n = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s\r\n", cors);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (io->write(io->ctx, head, (size_t)n) == -1)
		return -1;
	return io->write(io->ctx, text, len);
}

int
reply_authorized(const struct http_io *io, const char *user, const char *sid)
{
	char	 head[LIM_TOKEN_MAX + LIM_USER_MAX + 160];
	int	 n;

	if (!header_safe(user) || !header_safe(sid))
		return -1;
	n = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Variable-AUTH_USER: %s\r\n"
	    "Variable-AUTH_SESSION_ID: %s\r\n"
	    "\r\n", user, sid);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	return io->write(io->ctx, head, (size_t)n);
}
