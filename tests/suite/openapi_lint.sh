# docs/openapi.yaml (OpenAPI 3.1) passes redocly lint with the recommended
# rules (tools/openapi/redocly.yaml), warnings included: @redocly/cli at the
# version of tools/openapi/package-lock.json, installed by make deps
# (npm ci).  tests/e2e/openapi.sh checks real answers against it.
. "$(dirname "$0")/../lib.sh"

REDOCLY=$ROOT_DIR/tools/openapi/node_modules/.bin/redocly
t_begin "docs/openapi.yaml: redocly lint finds no error and no warning"
if [ ! -x "$REDOCLY" ]; then
	t_fail "no $REDOCLY (make deps runs npm ci in tools/openapi)"
else
	out=$("$REDOCLY" lint --config "$ROOT_DIR/tools/openapi/redocly.yaml" \
	    "$ROOT_DIR/docs/openapi.yaml" 2>&1)
	rc=$?
	t_eq "exit" "$rc" 0
	t_nomatch "warnings" "$out" '[0-9]+ warnings?'
	t_match "valid" "$out" 'Your API description is valid'
fi
t_end

done_testing
