/*
 * token.h - session ids, tokens, their hashes, constant-time comparison.
 *
 * A session id is 16 random bytes in unpadded base64url (22 characters)
 * followed by a tag of TOK_SID_TAG_LEN characters that the caller chooses
 * (the store's slot tag of the session's user: lowercase hex, so the id
 * stays URL-safe).  Ids minted before the tag existed are the 22 random
 * characters alone; they still name their sessions.
 * A token is "<sessionId>.<secret>", the secret 32 random bytes in unpadded
 * base64url (43 characters), so a token names its session and a check needs
 * one Redis read of one key.  Redis keeps only tok_hash() of a token: the
 * lowercase hex SHA-256 of the whole token string.  Randomness is libsodium's
 * randombytes_buf (getrandom(2) on Linux).
 */
#ifndef AUTENTICACAO_TOKEN_H
#define AUTENTICACAO_TOKEN_H

#include <stddef.h>

#include "contract.h"

#define TOK_SID_RAND_LEN	22	/* random chars of a session id */
#define TOK_SID_TAG_LEN	4		/* tag chars after them */
#define TOK_SID_LEN	(TOK_SID_RAND_LEN + TOK_SID_TAG_LEN) /* we mint */
#define TOK_SECRET_LEN	43		/* chars of a token's secret part */
#define TOK_LEN		(TOK_SID_LEN + 1 + TOK_SECRET_LEN)
#define TOK_HASH_LEN	64		/* hex SHA-256 */

/* Write a new random session id ending in tag (TOK_SID_TAG_LEN characters
 * of tok_charset_ok()'s set) and its NUL into sid.  No failure. */
void	 tok_sid_new(char sid[TOK_SID_LEN + 1],
	    const char tag[TOK_SID_TAG_LEN]);

/* Write a new token "<sid>.<secret>" of session sid (sidlen bytes, at most
 * LIM_TOKEN_MAX) into out, NUL-terminated; out must hold sidlen + 1 +
 * TOK_SECRET_LEN + 1 bytes.  Returns 0, or -1 when sid is too long. */
int	 tok_new(const char *sid, size_t sidlen, char *out, size_t outsz);

#define TOK_SET_MAX	3		/* tokens tok_new_set() mints at once */

/* As tok_new() for n (1..TOK_SET_MAX) tokens of session sid at once, into
 * out[0..n-1], each of outsz bytes, from one draw of the CSPRNG (one
 * getrandom(2) for a login's three tokens, not three).  Returns 0, or -1
 * (no out[] touched) on a bad sid, n or outsz. */
int	 tok_new_set(const char *sid, size_t sidlen, char *const out[],
		    size_t n, size_t outsz);

/* Hash of the token t (len bytes) into out as 64 lowercase hex chars and a
 * NUL. */
void	 tok_hash(const char *t, size_t len, char out[TOK_HASH_LEN + 1]);

/* 1 if a and b (each TOK_HASH_LEN chars) are equal, in constant time. */
int	 tok_hash_eq(const char *a, const char *b);

/* 1 if s (len bytes) is 1..LIM_TOKEN_MAX bytes of the URL-safe set A-Z a-z 0-9
 * '-' '_' '.' '~'. */
int	 tok_charset_ok(const char *s, size_t len);

/*
 * Split token t (len bytes) at its last '.': on success writes the session
 * id part into sid (NUL-terminated, sidsz bytes at least len) and returns
 * 0; returns -1 when t has no '.', an empty part, or a bad character.
 */
int	 tok_session(const char *t, size_t len, char *sid, size_t sidsz);

/* Wipe n bytes at p so the compiler cannot elide it (sodium_memzero). */
void	 tok_wipe(void *p, size_t n);

#endif
