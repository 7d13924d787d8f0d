# docs/openapi.yaml: Redocly's linter (@redocly/cli at the version of
# tools/openapi/package-lock.json, the recommended-strict rules of
# tools/openapi/redocly.yaml) finds nothing, and the document is in step
# with the code: every route of lib/serve.c's table is a path with its
# method, and the error codes are exactly those of lib/err.c.  The answers
# themselves are checked against it by tests/e2e/openapi_answers.sh.
. "$(dirname "$0")/../lib.sh"
lib_use openapi

if openapi_tools; then
	ok "openapi: npm ci installs tools/openapi at its lockfile's versions"
else
	notok "openapi: npm ci installs tools/openapi at its lockfile's versions" "see stderr"
	done_testing
fi
REDOCLY=$OPENAPI_DIR/node_modules/.bin/redocly

t_begin "openapi: redocly lint (recommended-strict) reports no problem"
out=$(cd "$OPENAPI_DIR" && "$REDOCLY" lint --config redocly.yaml "$OPENAPI_DOC" 2>&1)
rc=$?
[ $rc -eq 0 ] || t_fail "exit $rc: $(printf '%s' "$out" | grep -v '^$' | tail -n 15)"
printf '%s' "$out" | grep -qi 'warning' && t_fail "warnings: $(printf '%s' "$out" | grep -i -B2 -A6 warning | head -n 20)"
t_end

# The linter must be able to fail: a copy with a reference to nothing.
t_begin "openapi: the same lint refuses a document with a dangling \$ref"
sed 's|#/components/schemas/TokensAnswer|#/components/schemas/NoSuchSchema|' \
    "$OPENAPI_DOC" >"$T/broken.yaml"
(cd "$OPENAPI_DIR" && "$REDOCLY" lint --config redocly.yaml "$T/broken.yaml") >"$T/broken.out" 2>&1 &&
    t_fail "exit 0 on $T/broken.yaml: $(tail -n 5 "$T/broken.out")"
t_end

# paths: "  /api/v1/autenticacao/NAME:" lines, methods below them
doc_ops() {
	awk '
		/^  \/api\/v1\/autenticacao\// { p = $1; sub(/:$/, "", p); sub(/^\/api\/v1\/autenticacao\//, "", p); next }
		/^  [^ ]/ { p = "" }
		/^[^ ]/ { p = "" }
		p != "" && /^    (get|post|delete|put|patch):$/ { m = $1; sub(/:$/, "", m); print toupper(m) " " p }
	' "$OPENAPI_DOC" | sort
}
# lib/serve.c's route table: { "NAME", "METHOD", ... }; a prefix route
# "sessions/" takes an id.
code_ops() {
	sed -n '/^const struct serve_route serve_routes\[\] = {/,/^};/p' "$ROOT_DIR/lib/serve.c" |
	    tr -d '\n\t' | grep -o '{ *"[^"]*", *"[A-Z]*"' |
	    sed 's/{ *"\([^"]*\)", *"\([A-Z]*\)"/\2 \1/; s|/$|/{sessionId}|' | sort
}
t_begin "openapi: every route of lib/serve.c is a path and method of the document, and no other"
d=$(doc_ops | grep -v ' metrics$')
c=$(code_ops | grep -v " metrics$")
[ -n "$c" ] || t_fail "no routes read from lib/serve.c"
[ "$d" = "$c" ] || t_fail "document: $(echo $d) / code: $(echo $c)"
t_end

t_begin "openapi: GET /metrics is in the document"
doc_ops | grep -qx 'GET metrics' || t_fail "no GET metrics"
t_end

t_begin "openapi: the ErrorCode enum is exactly lib/err.c's codes"
d=$(sed -n '/^    ErrorCode:/,/^    [A-Z][A-Za-z]*:$/p' "$OPENAPI_DOC" | sed -n 's/^        - \([A-Z_]*\)$/\1/p' | sort -u)
c=$(grep -o '{ [0-9]*, "[A-Z_]*"' "$ROOT_DIR/lib/err.c" | sed 's/.*"\(.*\)"/\1/' | grep -vx OK | sort -u)
[ -n "$c" ] || t_fail "no codes read from lib/err.c"
[ "$d" = "$c" ] || t_fail "document: $(echo $d) / code: $(echo $c)"
t_end

done_testing
