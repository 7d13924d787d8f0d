# Secrets stay secret (docs/API.md "Semantics": tokens never stored in the
# clear; log.h/notes: never a password or token in a log line).
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write max_failures=3
PW='Pw-Segredo-9f8e7d'
PW2='Outra-Senha-1a2b3c'
user_add alice "$PW"
SECRETS=()
add_tokens() {
	SECRETS+=("$(bare "$AUTH")" "$(bare "$CORBAN")" "$(bare "$REFRESH")"
	    "$(secret_of "$AUTH")" "$(secret_of "$CORBAN")" "$(secret_of "$REFRESH")")
}
login alice "$PW"; S=$SID; add_tokens
login alice "$PW"; add_tokens
refresh_session "$S" alice "$PW"; add_tokens
cgi POST "$API/refresh-token" "$(jq -cn --arg s "$S" --arg r "$REFRESH" '{sessionId:$s,refreshToken:$r}')"
take_tokens; add_tokens
session_get "$AUTH"
session_get "$CORBAN"
login alice wrong-password-xyz REMOTE_ADDR=10.0.0.1
refresh_session "$S" alice wrong-password-xyz REMOTE_ADDR=10.0.0.2
login nosuchuser "$PW" REMOTE_ADDR=10.0.0.3
cgi POST "$API/login" "{\"username\":\"alice\",\"password\":\"$PW\",\"extra\":\"$PW\"}" CONTENT_TYPE=text/plain
cgi POST "$API/login" "{\"username\":\"alice\",\"password\":\"$PW\"" 
cgi POST "$API/login" "{\"username\":\"alice\",\"password\":\"$PW\",\"username\":\"x\"}"
cgi GET "$API/session" "" "HTTP_AUTHORIZATION=Bearer ${SECRETS[0]}x"
adm_in "$PW2"$'\n' passwd alice
login alice "$PW2"; add_tokens
cgi POST "$API/logout" "" "HTTP_AUTHORIZATION=$AUTH"

t_begin "the test made tokens to look for"
t_ge "tokens collected" "${#SECRETS[@]}" 30
t_end

redis_dump "$T/dump.txt"
t_begin "no token and no token secret is stored in Redis in the clear (all keys, all values)"
n=0
for s in "${SECRETS[@]}"; do
	[ -n "$s" ] || continue
	if grep -qF -- "$s" "$T/dump.txt"; then
		n=$((n + 1))
		t_fail "found in Redis: $(short "$s")"
	fi
done
t_end
t_begin "no password is stored in Redis in the clear"
for s in "$PW" "$PW2" wrong-password-xyz; do
	grep -qF -- "$s" "$T/dump.txt" && t_fail "found in Redis: $s"
done
t_end
t_begin "the user's stored password is a libscrypt \$s1\$ hash"
t_match mcf "$(rcli HGET "$(ukey user "alice")" mcf)" '^\$s1\$[0-9a-f]{6}\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$'
t_end
t_begin "Redis was really dumped (the dump holds the user's hash)"
t_match dump "$(<"$T/dump.txt")" '\$s1\$'
t_end

t_begin "no token and no token secret appears in the responder's or admin's stderr"
for s in "${SECRETS[@]}"; do
	[ -n "$s" ] || continue
	grep -qF -- "$s" "$T/all-stderr" && t_fail "found in stderr: $(short "$s")"
done
t_end
t_begin "no password appears in the responder's or admin's stderr"
for s in "$PW" "$PW2" wrong-password-xyz; do
	grep -qF -- "$s" "$T/all-stderr" && t_fail "found in stderr: $s"
done
t_end
t_begin "stderr held the requests' log lines (the scan looked at something)"
t_ge "log lines" "$(grep -c . "$T/all-stderr")" 10
t_end
t_begin "error answers never echo a password"
cgi POST "$API/login" "{\"username\":\"alice\",\"password\":\"$PW\",\"password\":\"$PW\"}"
t_nomatch body "$BODY" "$PW"
cgi POST "$API/login" "{\"username\":\"alice\",\"password\":1,\"x\":\"$PW\"}"
t_nomatch body "$BODY" "$PW"
t_end
done_testing
