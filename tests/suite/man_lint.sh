# The man pages: each one clean under mandoc -Tlint at level warning, and
# the reference pages in step with the tables of the code they describe:
# every key of lib/cfg.c's key table is an item of autenticacao.conf.5,
# every command of cgi/autenticacao-admin.c's command table an item of
# autenticacao-admin.8, and neither page has an item the code lacks.
#
#	bash tests/suite/man_lint.sh
#
# Self-contained: one "ok - NAME" or "not ok - NAME: WHY" line per test,
# then "# counts PASSED FAILED" (what tests/run.sh reads); exits 1 when a
# test failed.  Needs mandoc (make deps installs it); nothing else runs.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PASSED=0
FAILED=0

ok() {
	PASSED=$((PASSED + 1))
	printf 'ok - %s\n' "$1"
}
notok() {
	FAILED=$((FAILED + 1))
	printf 'not ok - %s: %s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | cut -c1-1500)"
}

# lint PAGE: mandoc -Tlint -W warning prints nothing and exits 0.
lint() {
	local page=$1 name out rc
	name="man/$page: mandoc -Tlint -W warning reports nothing"
	if ! command -v mandoc >/dev/null 2>&1; then
		notok "$name" "mandoc is not installed (make deps installs it)"
		return
	fi
	if [ ! -f "$ROOT/man/$page" ]; then
		notok "$name" "no such file"
		return
	fi
	out=$(cd "$ROOT" && mandoc -Tlint -W warning "man/$page" 2>&1)
	rc=$?
	if [ -n "$out" ] || [ "$rc" -ne 0 ]; then
		notok "$name" "exit $rc: $out"
	else
		ok "$name"
	fi
}

# table_names FILE TABLE: the first string of every row of the C array
# initializer TABLE[...] = { ... }; in FILE, one a line.
table_names() {
	awk -v t="$2" '
		!f && index($0, t "[") && $0 ~ /\][ \t]*=[ \t]*\{/ { f = 1 }
		f { print }
		f && /^\};/ { exit }' "$1" 2>/dev/null |
	    grep -o '{[[:space:]]*"[^"]*"' | sed 's/^{[[:space:]]*"//; s/"$//'
}

# items PAGE: the names of the page's ".It Cm NAME ..." items, one a line.
items() {
	sed -n 's/^\.It Cm \([^ ]*\).*/\1/p' "$1"
}

# in_list WORD LIST: true if WORD is a line of LIST.
in_list() {
	printf '%s\n' "$2" | grep -qxF -- "$1"
}

lint autenticacao.fcgi.8
lint autenticacao-admin.8
lint autenticacao.conf.5

name="the keys of lib/cfg.c and the commands of cgi/autenticacao-admin.c are exactly the items of autenticacao.conf.5 and autenticacao-admin.8"
why=
keys=$(table_names "$ROOT/lib/cfg.c" cfg_keys)
cmds=$(table_names "$ROOT/cgi/autenticacao-admin.c" cmds)
conf_items=$(items "$ROOT/man/autenticacao.conf.5")
admin_items=$(items "$ROOT/man/autenticacao-admin.8")
[ -n "$keys" ] || why="$why; no key found in lib/cfg.c's cfg_keys[] (has the table moved?)"
[ -n "$cmds" ] || why="$why; no command found in cgi/autenticacao-admin.c's cmds[] (has the table moved?)"
for k in $keys; do
	in_list "$k" "$conf_items" ||
	    why="$why; key $k is not documented in autenticacao.conf.5 (.It Cm $k)"
done
for c in $cmds; do
	in_list "$c" "$admin_items" ||
	    why="$why; command $c is not documented in autenticacao-admin.8 (.It Cm $c)"
done
if [ -n "$keys" ]; then
	for k in $conf_items; do
		in_list "$k" "$keys" ||
		    why="$why; autenticacao.conf.5 documents $k, which lib/cfg.c does not accept"
	done
fi
if [ -n "$cmds" ]; then
	for c in $admin_items; do
		in_list "$c" "$cmds" ||
		    why="$why; autenticacao-admin.8 documents $c, which cgi/autenticacao-admin.c does not have"
	done
fi
if [ -z "$why" ]; then ok "$name"; else notok "$name" "${why#; }"; fi

printf '# counts %d %d\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
