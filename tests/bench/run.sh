#!/bin/sh
# tests/bench/run.sh - run every benchmark listed below from "$BUILD" (make
# bench builds them) and print their "ratio ..." lines as a summary.
# Benchmarks report ratios of side-by-side runs, not absolute times.
# Exit status: 0 when every benchmark ran, 1 otherwise.

BUILD=${BUILD:-build}

out=$(mktemp "${TMPDIR:-/tmp}/bench.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
trap 'exit 1' INT TERM

summary=
failed=0

# One benchmark a line: program in $BUILD, then its arguments.
while read -r name args; do
	case $name in ''|'#'*) continue ;; esac
	echo "== $name $args"
	# $args is split into words on purpose.
	# shellcheck disable=SC2086
	if "$BUILD/$name" $args >"$out" </dev/null; then
		cat "$out"
		summary="$summary$(sed -n "s/^ratio /$name: /p" "$out")
"
	else
		cat "$out"
		summary="$summary$name: FAILED
"
		failed=$((failed + 1))
	fi
	echo
done <<EOF
bench_scrypt 20
EOF

echo "== summary"
printf '%s' "$summary"
echo "$failed failed"
[ "$failed" -eq 0 ]
