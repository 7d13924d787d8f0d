/*
 * fake_io.h - a struct http_io in memory, for tests that drive lib/serve.c
 * or lib/http.c without a web server: CGI variables as name/value pairs,
 * the body as bytes, the answer collected into a buffer.  Shared by the
 * unit tests (tests/unit/test_serve.c) and the fuzz target
 * (tests/fuzz/fuzz_request.c); header only, every function static inline.
 *
 *	struct fake_io	f;
 *	struct http_io	io = FAKE_IO(&f);
 *	fake_io_reset(&f);
 *	fake_io_set(&f, "REQUEST_METHOD", "POST");
 *	serve(&cfg, st, &io);		-> f.out, f.outlen
 *
 * Values are borrowed: the strings passed to fake_io_set and the body
 * must outlive the request.
 */
#ifndef AUTENTICACAO_FAKE_IO_H
#define AUTENTICACAO_FAKE_IO_H

#include <stddef.h>
#include <string.h>

#include "http.h"

#define FAKE_IO_VARS	24

/* One request: its variables, its body and the answer written so far. */
struct fake_io {
	const char	*name[FAKE_IO_VARS];
	const char	*value[FAKE_IO_VARS];
	size_t		 nvars;
	const char	*body;
	size_t		 bodylen;
	size_t		 pos;
	char		 out[16384];
	size_t		 outlen;
};

static inline const char *
fake_io_param(void *ctx, const char *name)
{
	struct fake_io	*f = ctx;
	size_t		 i;

	for (i = 0; i < f->nvars; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

static inline size_t
fake_io_read(void *ctx, char *buf, size_t n)
{
	struct fake_io	*f = ctx;
	size_t		 left = f->bodylen - f->pos;

	if (n > left)
		n = left;
	memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return n;
}

/* Appends to f->out, NUL-terminated; -1 (nothing written) when full. */
static inline int
fake_io_write(void *ctx, const char *buf, size_t n)
{
	struct fake_io	*f = ctx;

	if (n >= sizeof(f->out) - f->outlen)
		return -1;
	memcpy(f->out + f->outlen, buf, n);
	f->outlen += n;
	f->out[f->outlen] = '\0';
	return 0;
}

/* Set variable name to value; a NULL value leaves it absent. */
static inline void
fake_io_set(struct fake_io *f, const char *name, const char *value)
{
	if (value == NULL || f->nvars == FAKE_IO_VARS)
		return;
	f->name[f->nvars] = name;
	f->value[f->nvars] = value;
	f->nvars++;
}

/* Forget every variable, the body and the answer. */
static inline void
fake_io_reset(struct fake_io *f)
{
	memset(f, 0, sizeof(*f));
}

#define FAKE_IO(f) \
	{ (f), fake_io_param, fake_io_read, fake_io_write }

#endif
