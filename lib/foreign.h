/*
 * foreign.h - the password hash formats of other systems that libxcrypt
 * and apr-util compute: bcrypt ($2y$, $2b$, $2a$), sha512crypt ($6$) and
 * yescrypt ($y$) with libxcrypt's crypt_rn, Apache's $apr1$ and {SHA}
 * with apr-util's apr_md5_encode and apr_sha1_base64.  The only module
 * that includes crypt.h and apr-util's headers.  passwd.c's table of
 * formats calls it; argon2id is in passwd.c, with the rest of libsodium.
 *
 * For each format: a strict check of its shape and its cost caps
 * (passwd.h's PW_*_MAX), which does no hashing, and the string the
 * format's library makes of a password with the settings (salt, cost) of
 * a stored hash.  The stored hash matches when that string equals it;
 * passwd.c compares the two in constant time.  apr-util's own
 * apr_password_validate is not used: it compares with strcmp, and hands
 * any hash it does not recognise to crypt(3).
 */
#ifndef AUTENTICACAO_FOREIGN_H
#define AUTENTICACAO_FOREIGN_H

#include <stddef.h>

#include "passwd.h"

/*
 * Shape and caps of a stored hash h (NUL-terminated) of each format.
 * Return 0 when h is one well-formed hash of the format within its caps,
 * else -1 with the reason in why (whysz bytes, NUL-terminated), e.g.
 * "bcrypt: cost 31 is over the cap of 14".
 */
int	foreign_bcrypt_ok(const char *h, char *why, size_t whysz);
int	foreign_sha512_ok(const char *h, char *why, size_t whysz);
int	foreign_yescrypt_ok(const char *h, char *why, size_t whysz);
int	foreign_apr1_ok(const char *h, char *why, size_t whysz);
int	foreign_sha1_ok(const char *h, char *why, size_t whysz);

/*
 * The string each library makes of password pw (NUL-terminated) with the
 * settings of stored hash h, which passed its _ok check, into out
 * (NUL-terminated).  Return 0; -1 when the library refused h (out is
 * ""); -2 when it ran out of memory.  Buffers that held derived bytes are
 * wiped before they are freed.
 */
int	foreign_crypt(const char *pw, const char *h, char out[PW_MCF_MAX]);
int	foreign_apr1(const char *pw, const char *h, char out[PW_MCF_MAX]);
int	foreign_sha1(const char *pw, size_t len, char out[PW_MCF_MAX]);

#endif
