#!/bin/sh
# scripts/deb.sh - `make deb`: the Debian package, built by
# dpkg-buildpackage -b -us -uc (debhelper 13, debian/) on a copy of the
# tree in build-deb/src/, so that the work tree keeps no build leftovers.
#
# Leaves in build-deb/ (DEB_OUT=DIR: in DIR; tests/e2e/deb.sh) what dpkg-buildpackage writes
# next to the source: autenticacao_VERSION_ARCH.deb, its .buildinfo and
# .changes, and build.log (the whole build output).  The copy holds the
# files git tracks plus the untracked ones it does not ignore, so a build
# sees uncommitted work.  Builds only what the package needs and runs the
# unit tests (debian/rules); DEB_BUILD_OPTIONS=nocheck skips them.
#
# Needs dpkg-dev and debhelper (make deps installs them) and the
# Build-Depends of debian/control, which dpkg-buildpackage checks.
# Exit status: dpkg-buildpackage's; the last line names the .deb.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DEB_OUT:-$ROOT/build-deb}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
SRC=$OUT/src/autenticacao

# Nothing of the caller's make (make test runs this through tests/e2e/deb.sh)
# or of its build settings reaches the package build: debian/rules sets
# its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES BUILD SANITIZE FUZZ VALGRIND \
    CPPFLAGS CFLAGS LDFLAGS

cd "$ROOT"
rm -rf "$OUT"
mkdir -p "$SRC"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (a file deleted but not yet committed is left out)
	git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done; true' sh |
	    tar --null -T - -cf - | tar -xf - -C "$SRC"
else
	tar --exclude=./build --exclude='./build-*' --exclude=./tests/tmp \
	    -cf - . | tar -xf - -C "$SRC"
fi

echo "deb: dpkg-buildpackage -b -us -uc in ${SRC#$ROOT/} (log: ${OUT#$ROOT/}/build.log)"
rc=0
(cd "$SRC" && dpkg-buildpackage -b -us -uc) >"$OUT/build.log" 2>&1 || rc=$?
# dpkg-buildpackage writes its results in the parent of the source tree.
for f in "$OUT"/src/*.deb "$OUT"/src/*.buildinfo "$OUT"/src/*.changes; do
	[ -e "$f" ] && mv "$f" "$OUT"/
done
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed (exit $rc); see ${OUT#$ROOT/}/build.log" >&2
	exit "$rc"
fi
grep -E '^(unit/|[0-9]+ passed)' "$OUT/build.log" | tail -n 1 | sed 's/^/deb: unit tests: /'
ls "$OUT"/*.deb | sed "s|^$ROOT/|deb: |"
