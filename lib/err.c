/*
 * err.c - docs/API.md's error table: status, code and message of every error.
 */
#include "err.h"

static const struct {
	int		 status;
	const char	*code;
	const char	*message;
} err_table[ERR__MAX] = {
	[ERR_OK] = { 200, "OK", "OK" },
	[ERR_INVALID_JSON] = { 400, "INVALID_JSON",
	    "Corpo da requisição não é um JSON válido" },
	[ERR_MISSING_FIELD] = { 400, "MISSING_FIELD",
	    "Campo obrigatório ausente" },
	[ERR_INVALID_FIELD] = { 400, "INVALID_FIELD", "Campo inválido" },
	[ERR_INVALID_CREDENTIALS] = { 401, "INVALID_CREDENTIALS",
	    "Usuário ou senha inválidos" },
	[ERR_INVALID_TOKEN] = { 401, "INVALID_TOKEN",
	    "Token inválido ou expirado" },
	[ERR_SESSION_NOT_FOUND] = { 404, "SESSION_NOT_FOUND",
	    "Sessão não encontrada" },
	[ERR_NOT_FOUND] = { 404, "NOT_FOUND", "Endpoint não encontrado" },
	[ERR_METHOD_NOT_ALLOWED] = { 405, "METHOD_NOT_ALLOWED",
	    "Método não permitido" },
	[ERR_REFRESH_CONFLICT] = { 409, "REFRESH_CONFLICT",
	    "Token de renovação já utilizado; use os tokens mais recentes" },
	[ERR_SESSION_LIMIT] = { 409, "SESSION_LIMIT_REACHED",
	    "Limite de sessões do usuário atingido" },
	[ERR_PAYLOAD_TOO_LARGE] = { 413, "PAYLOAD_TOO_LARGE",
	    "Corpo da requisição grande demais" },
	[ERR_UNSUPPORTED_MEDIA_TYPE] = { 415, "UNSUPPORTED_MEDIA_TYPE",
	    "Content-Type deve ser application/json" },
	[ERR_TOO_MANY_ATTEMPTS] = { 429, "TOO_MANY_ATTEMPTS",
	    "Muitas tentativas; tente novamente mais tarde" },
	[ERR_UNAVAILABLE] = { 503, "SERVICE_UNAVAILABLE",
	    "Serviço temporariamente indisponível" },
	[ERR_BUSY] = { 503, "SERVICE_UNAVAILABLE",
	    "Serviço temporariamente indisponível" },
	[ERR_INTERNAL] = { 500, "INTERNAL_ERROR", "Erro interno" },
	[ERR_EXISTS] = { 500, "INTERNAL_ERROR", "Erro interno" },
	[ERR_NO_USER] = { 500, "INTERNAL_ERROR", "Erro interno" },
	[ERR_CHANGED] = { 500, "INTERNAL_ERROR", "Erro interno" },
};

int
err_status(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_table[e].status : 500;
}

const char *
err_code(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_table[e].code : "INTERNAL_ERROR";
}

const char *
err_message(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_table[e].message : "Erro interno";
}
