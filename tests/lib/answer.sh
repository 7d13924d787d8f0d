# tests/lib/answer.sh - the last answer, of cgi (tests/lib/cgi.sh) or http
# (tests/lib/http.sh), both of which set STATUS, HEADERS/$HDRF and
# BODY/$BODYF: its headers, its JSON, the contract's error body, and the
# tokens of a 200.

# hdr NAME: the value of header NAME in the last answer (case-insensitive
# name, first occurrence, surrounding blanks stripped).  hdr_count NAME:
# how many times it occurs.
hdr() {
	local line n v k
	n=${1,,}
	while IFS= read -r line; do
		[[ $line == *:* ]] || continue
		k=${line%%:*}
		if [ "${k,,}" = "$n" ]; then
			v=${line#*:}
			v=${v#"${v%%[![:space:]]*}"}
			v=${v%"${v##*[![:space:]]}"}
			printf '%s\n' "$v"
			return 0
		fi
	done <<<"$HEADERS"
}
hdr_count() {
	local line c=0 n=${1,,} k
	while IFS= read -r line; do
		[[ $line == *:* ]] || continue
		k=${line%%:*}
		[ "${k,,}" = "$n" ] && c=$((c + 1))
	done <<<"$HEADERS"
	printf '%s\n' "$c"
}

# jget FILTER [FILE]: jq -r FILTER on the last body (or FILE); prints
# "<invalid json>" when the body does not parse.
jget() {
	jq -r "$1" <"${2:-$BODYF}" 2>/dev/null || echo "<invalid json>"
}

# json_str STRING: STRING as a JSON string literal.
json_str() {
	jq -Rn --arg s "$1" '$s'
}

# t_status WANT: the last answer's status.
t_status() {
	t_eq "status" "$STATUS" "$1"
}

# t_json_ct: the last answer is JSON with the contract's Content-Type.
t_json_ct() {
	t_match "Content-Type" "$(hdr Content-Type)" '^application/json; *charset=utf-8$'
}

# jsum: one jq pass over the last body into J_* variables (cached per
# answer): J_OK (1 if it parses), J_SUCCESS, J_CODE, J_MESSAGE (type
# checked), J_FIELD ("<absent>" if none), J_KEYS, J_EKEYS.
jsum() {
	[ "$JSUM_OF" = "$BODYF:$STATUS:$BODY" ] && return 0
	JSUM_OF="$BODYF:$STATUS:$BODY"
	local -a v=()
	mapfile -t v <<<"$(jq -r '(.success|tojson),
	    (.error.code // "<absent>" | tostring | gsub("[\r\n]"; " ")),
	    (.error.message | if type == "string" then gsub("[\r\n]"; " ") else "<not a string>" end),
	    (if (.error|type) == "object" and (.error|has("field")) then .error.field|tostring|gsub("[\r\n]"; " ") else "<absent>" end),
	    (keys|tojson), (.error|if type == "object" then keys|tojson else "<none>" end)' \
	    <"$BODYF" 2>/dev/null)"
	if [ ${#v[@]} -eq 6 ]; then
		J_OK=1
	else
		J_OK=0
		v=("<invalid json>" "<invalid json>" "" "" "" "")
	fi
	J_SUCCESS=${v[0]} J_CODE=${v[1]} J_MESSAGE=${v[2]} J_FIELD=${v[3]}
	J_KEYS=${v[4]} J_EKEYS=${v[5]}
}

# t_error STATUS CODE [FIELD]: the last answer is the contract's error body
# with that status and code; FIELD given means error.field must be it,
# absent means there must be no error.field.  MISSING_FIELD and
# INVALID_FIELD messages are the decided ones (docs/design.md).
t_error() {
	local st=$1 code=$2 field=${3-} keys
	t_status "$st"
	t_json_ct
	jsum
	if [ "$J_OK" != 1 ]; then
		t_fail "body is not JSON: '$(short "$BODY")'"
		return
	fi
	t_eq "body.success" "$J_SUCCESS" false
	t_eq "error.code" "$J_CODE" "$code"
	t_match "error.message" "$J_MESSAGE" '^[^<].'
	if [ $# -ge 3 ]; then
		t_eq "error.field" "$J_FIELD" "$field"
		keys='["code","field","message"]'
	else
		t_eq "error.field (absent)" "$J_FIELD" "<absent>"
		keys='["code","message"]'
	fi
	t_eq "top-level keys" "$J_KEYS" '["error","success"]'
	t_eq "error keys" "$J_EKEYS" "$keys"
	case $code in
	MISSING_FIELD) t_eq "message" "$J_MESSAGE" "Campo obrigatório ausente: $field" ;;
	INVALID_FIELD) t_eq "message" "$J_MESSAGE" "Campo inválido: $field" ;;
	esac
}

# bare TOKEN: TOKEN without its "Bearer " prefix.
bare() {
	printf '%s' "${1#Bearer }"
}

# secret_of TOKEN: the secret part of a token (after its last '.').
secret_of() {
	local t
	t=$(bare "$1")
	printf '%s' "${t##*.}"
}

# take_tokens: after a 200, SID, AUTH, CORBAN, REFRESH from the last
# answer's data (its strings, "Bearer " included).
take_tokens() {
	if [ "$STATUS" = 200 ]; then
		SID=$(jget .data.sessionId)
		AUTH=$(jget .data.authorization)
		CORBAN=$(jget .data.authorizationCorban)
		REFRESH=$(jget .data.refreshToken)
	fi
}

# t_token_shape WHAT VALUE: "Bearer " + a URL-safe token of at most 256
# bytes whose secret part (after its last '.', or all of it) is at least
# 22 base64url characters (128 bits).
t_token_shape() {
	local val=$2 t
	t_match "$1 prefix" "$val" '^Bearer '
	t=$(bare "$val")
	t_match "$1 charset" "$t" '^[A-Za-z0-9._~-]{1,256}$'
	t_match "$1 secret" "${t##*.}" '^[A-Za-z0-9_-]{22,}$'
}
