# tests/lib/cases.sh - the validation cases of docs/API.md, each a whole
# test of one plain CGI run: field_cases for one field, body_cases for the
# whole body (tests/cgi/validation_*.sh).

lib_use cgi answer

# field_cases EP BASE FIELD MAX KIND: every per-field validation case of
# docs/API.md for FIELD of endpoint EP (path under $API), BASE being a valid
# body.  KIND is "text" (username, password: any UTF-8 without control
# characters) or "id" (sessionId: URL-safe characters only).
field_cases() {
	local ep=$1 base=$2 f=$3 max=$4 kind=$5 b long
	local P="$ep $f"
	expect_error "$P missing -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" "del(.$f)")"
	expect_error "$P null -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = null")"
	expect_error "$P empty string -> MISSING_FIELD" 400 MISSING_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"\"")"
	expect_error "$P number -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = 12345")"
	expect_error "$P zero -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = 0")"
	expect_error "$P array -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = [\"abc\"]")"
	expect_error "$P empty array -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = []")"
	expect_error "$P object -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = {\"a\":\"b\"}")"
	expect_error "$P bool true -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = true")"
	expect_error "$P bool false -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = false")"
	long=$(repeat a $((max + 1)))
	expect_error "$P of $((max + 1)) bytes -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	long=$(repeat a $((max * 4)))
	expect_error "$P of $((max * 4)) bytes -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	expect_error "$P with \\u0001 -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\u0001cd\"")"
	expect_error "$P with \\n -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\ncd\"")"
	expect_error "$P with \\r\\n -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\r\\nX-Injected: 1\"")"
	expect_error "$P with \\t -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\tcd\"")"
	expect_error "$P with \\u001f -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "$(with "$base" ".$f = \"ab\\u001fcd\"")"
	# jq cannot make a NUL inside a string: write the escape by hand.
	b=$(with "$base" ".$f = \"NULHERE\"")
	expect_error "$P with \\u0000 inside -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/ab\\u0000cd}"
	expect_error "$P with \\u0000 at the end -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/abcd\\u0000}"
	expect_error "$P of only \\u0000 -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
	    POST "$API/$ep" "${b/NULHERE/\\u0000}"
	if [ "$kind" = text ]; then
		# limits are in bytes: "é" is two
		long=$(repeat é $((max / 2 + 1)))
		expect_error "$P of $((max / 2 + 1)) two-byte characters ($((max + 2)) bytes) -> INVALID_FIELD" \
		    400 INVALID_FIELD "$f" -- POST "$API/$ep" "$(with "$base" ".$f = \"$long\"")"
	else
		local bad
		for bad in 'abc/def' 'abc def' 'abc+def' 'abc=' 'abc%41' 'abcé' 'abc"q' 'a:b' 'Bearer abc'; do
			expect_error "$P with non-URL-safe '$bad' -> INVALID_FIELD" 400 INVALID_FIELD "$f" -- \
			    POST "$API/$ep" "$(jq -c --arg v "$bad" ".$f = \$v" <<<"$base")"
		done
	fi
}

# body_cases EP BASE FIRSTFIELD: every whole-body validation case of
# docs/API.md for endpoint EP: INVALID_JSON cases and field order.
body_cases() {
	local ep=$1 base=$2 first=$3 inner deep
	local P="$ep body"
	inner=${base#\{}
	inner=${inner%\}}
	expect_error "$P empty (CONTENT_LENGTH 0) -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" ""
	expect_error "$P only whitespace -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "   "
	expect_error "$P truncated -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base%\}}"
	expect_error "$P cut inside a string -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base:0:$((${#base} / 2))}"
	expect_error "$P only '{' -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{"
	expect_error "$P trailing garbage -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base}xyz"
	expect_error "$P two objects -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base}${base}"
	expect_error "$P trailing comma-object -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "${base},{}"
	expect_error "$P array -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "[$base]"
	expect_error "$P string -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" '"username"'
	expect_error "$P number -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" '42'
	expect_error "$P null -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'null'
	expect_error "$P true -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'true'
	expect_error "$P form-encoded -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" 'username=a&password=b'
	expect_error "$P single quotes -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "$(printf '%s' "$base" | tr '"' "'")"
	expect_error "$P unquoted keys -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "$(printf '%s' "$base" | sed 's/"\([A-Za-z]*\)":/\1:/g')"
	expect_error "$P trailing comma -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,}"
	expect_error "$P with a /* comment */ -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{/* c */$inner}"
	expect_error "$P NaN in an unknown field -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":NaN}"
	expect_error "$P duplicate key $first -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"$first\":\"other\"}"
	expect_error "$P duplicate key $first with the same value -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"$first\":$(jq -c ".$first" <<<"$base")}"
	expect_error "$P duplicate unknown key -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{\"x\":1,$inner,\"x\":2}"
	deep=$(repeat '[' 20)1$(repeat ']' 20)
	expect_error "$P nested 20 deep -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	deep=$(repeat '{"a":' 12)1$(repeat '}' 12)
	expect_error "$P objects nested 13 deep -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	deep=$(repeat '[' 4000)$(repeat ']' 4000)
	expect_error "$P nested 4000 deep (no stack overflow) -> INVALID_JSON" 400 INVALID_JSON -- \
	    POST "$API/$ep" "{$inner,\"x\":$deep}"
	# invalid UTF-8, raw bytes in a value and in a key
	local seq name
	for seq in 'ff:\xff' 'c0af-overlong:\xc0\xaf' 'surrogate-ed-a0-80:\xed\xa0\x80' \
	    'truncated-e2-82:\xe2\x82' 'lone-continuation-80:\x80' 'f5-beyond-unicode:\xf5\x80\x80\x80'; do
		name=${seq%%:*}
		printf "{\"%s\":\"ab${seq#*:}cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
		CGI_BODY_FILE=$T/raw.json expect_error "$P invalid UTF-8 ($name) in $first -> INVALID_JSON" \
		    400 INVALID_JSON -- POST "$API/$ep"
	done
	printf "{\"k\xffk\":1,%s}" "$inner" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P invalid UTF-8 in a key -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	# exact bytes with NULs: a C-string reader would stop at the NUL
	printf '%s\0garbage' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P raw NUL byte after the object -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	printf '%s\0' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P trailing raw NUL byte -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	printf '\0%s' "$base" >"$T/raw.json"
	CGI_BODY_FILE=$T/raw.json expect_error "$P leading raw NUL byte -> INVALID_JSON" \
	    400 INVALID_JSON -- POST "$API/$ep"
	# a raw (unescaped) control byte inside a string is not JSON
	# (RFC 8259 section 7); INVALID_FIELD would also name the problem
	printf "{\"%s\":\"ab\001cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
	t_begin "$P raw control byte in $first -> 400 INVALID_JSON or INVALID_FIELD"
	CGI_BODY_FILE=$T/raw.json cgi POST "$API/$ep"
	t_status 400
	t_match "error.code" "$(jget .error.code)" '^(INVALID_JSON|INVALID_FIELD)$'
	t_end
	printf "{\"%s\":\"ab\0cd\",%s}" "$first" "$(with "$base" "del(.$first)" | sed 's/^{//; s/}$//')" >"$T/raw.json"
	t_begin "$P raw NUL byte inside $first -> 400 INVALID_JSON or INVALID_FIELD"
	CGI_BODY_FILE=$T/raw.json cgi POST "$API/$ep"
	t_status 400
	t_match "error.code" "$(jget .error.code)" '^(INVALID_JSON|INVALID_FIELD)$'
	t_end
	expect_error "$P {} -> MISSING_FIELD $first (the first field of the table)" \
	    400 MISSING_FIELD "$first" -- POST "$API/$ep" '{}'
	expect_error "$P only unknown fields -> MISSING_FIELD $first" \
	    400 MISSING_FIELD "$first" -- POST "$API/$ep" '{"foo":"bar","n":1}'
	expect_error "$P invalid JSON wins over missing fields" \
	    400 INVALID_JSON -- POST "$API/$ep" '{"foo":'
}
