/*
 * contract.h - the contract's limits on what a request may carry
 * (docs/API.md, "Errors": the limits of username, password, sessionId and tokens), in one place.  Every buffer that holds one
 * of these values is sized from here.
 */
#ifndef AUTENTICACAO_CONTRACT_H
#define AUTENTICACAO_CONTRACT_H

#define LIM_USER_MAX		64	/* bytes of a user name */
#define LIM_PASSWORD_MAX	1024	/* bytes of a password */
#define LIM_TOKEN_MAX		256	/* bytes of a session id or token */

#endif
