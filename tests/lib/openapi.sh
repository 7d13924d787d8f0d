# tests/lib/openapi.sh - the npm tools of tools/openapi/ (the OpenAPI
# linter @redocly/cli and the answer validator validate.mjs with Ajv), at
# the exact versions of tools/openapi/package-lock.json: openapi_tools
# installs them with `npm ci` when they are missing or the lockfile
# changed, once for any number of scripts at once (flock).

OPENAPI_DIR=$ROOT_DIR/tools/openapi
OPENAPI_DOC=$ROOT_DIR/docs/openapi.yaml

# openapi_tools: 0 when node_modules matches the lockfile (installing it
# if needed), else 1 with npm's last lines on stderr.
openapi_tools() {
	local stamp=$OPENAPI_DIR/node_modules/.aut-lock.sha256 want log rc
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
		echo "openapi_tools: node and npm are missing (make deps)" >&2
		return 1
	}
	want=$(sha256sum "$OPENAPI_DIR/package-lock.json" | cut -d' ' -f1)
	log=$T/npm-ci.log
	(
		flock 9
		[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
		npm ci --prefix "$OPENAPI_DIR" --no-audit --no-fund --loglevel=error \
		    >"$log" 2>&1 || exit 1
		printf '%s\n' "$want" >"$stamp"
	) 9>"$ROOT_DIR/tests/tmp/.openapi-npm.lock"
	rc=$?
	[ $rc -eq 0 ] || { echo "openapi_tools: npm ci failed:" >&2; tail -n 20 "$log" >&2; }
	return $rc
}
