#!/bin/sh
# scripts/deps.sh - `make deps`: install the Debian 12 packages that the build,
# `make run` and `make test` need, and only those that are missing.
# `sh scripts/deps.sh fuzz` (`make fuzz`) adds clang and its libFuzzer and
# sanitizer runtimes, which nothing else needs: `make test` replays the
# fuzz inputs with the ordinary compiler.  `sh scripts/deps.sh bench`
# (`make bench`) adds the load generator wrk (ab comes with apache2-utils,
# which the tests need anyway), gnuplot for the chart and strace (`make
# profile`).
#
# One line when everything is present.  Otherwise one `apt-get update` and
# one `apt-get install` of the missing packages (through sudo when not
# root).  Installing never leaves a system service running: a temporary
# policy-rc.d (exit 101) stops Debian's maintainer scripts from starting
# redis-server, lighttpd or apache2, and if one was started anyway and now
# listens on 6379 or 80 where nothing did before, it is stopped again.
#
# Exit status: 0 all present (or installed), 1 something is missing and
# could not be installed (the list goes to stderr).

# libssl-dev: lib/scrypt.c's PBKDF2-HMAC-SHA256 is libcrypto's.
# libcrypt-dev (libxcrypt) and libaprutil1-dev check the password hashes of
# other systems; apache2-utils (htpasswd), whois (mkpasswd), argon2 and
# openssl make the tests' fixtures in those formats.  dpkg-dev (its
# dpkg-buildpackage), debhelper and lintian build and check the Debian
# package (make deb, tests/e2e/deb.sh); every Build-Depends of
# debian/control is in this list too.
# prometheus brings promtool, which checks GET /metrics
# (tests/cgi/metrics.sh).
PKGS="build-essential pkg-config libfcgi-dev libjson-c-dev libscrypt-dev
libunistring-dev libhiredis-dev libsodium-dev libcmocka-dev libcrypt-dev
libaprutil1-dev redis-server redis-tools redis-sentinel lighttpd spawn-fcgi libfcgi-bin
curl jq apache2 libapache2-mod-fcgid nginx systemd valgrind mandoc chromium
apache2-utils whois argon2 openssl libssl-dev dpkg-dev debhelper lintian
prometheus"
# clang -fsanitize=fuzzer links libclang_rt.fuzzer from libclang-rt-14-dev,
# only a Recommends of clang-14 (not installed with --no-install-recommends).
FUZZ_PKGS="clang libclang-rt-14-dev"
BENCH_PKGS="wrk gnuplot-nox strace"
case ${1:-} in
'') ;;
fuzz) PKGS="$PKGS $FUZZ_PKGS" ;;
bench) PKGS="$PKGS $BENCH_PKGS" ;;
*) echo "usage: sh scripts/deps.sh [fuzz|bench]" >&2; exit 2 ;;
esac

# docs/openapi.yaml is linted and the service's answers checked against it
# with npm packages (tools/openapi/, installed by the tests from its
# lockfile): Debian's nodejs and npm, unless a Node.js with npm is there
# already (a nodejs package of another origin bundles npm).
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi

# Services whose package's postinst may try to start them, and the TCP port
# each listens on by default.
SERVICES="redis-server:6379 redis-sentinel:26379 lighttpd:80 apache2:80 nginx:80 prometheus:9090"

POLICY=/usr/sbin/policy-rc.d
POLICY_MARK="# autenticacao scripts/deps.sh: temporary, no service starts"

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: %s\n' "$*" >&2; exit 1; }

# listening PORT: true if some socket listens on TCP PORT (IPv4 or IPv6),
# read from /proc so that neither ss nor netstat is needed.
listening() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$(printf ':%04X' "$1")" '
		$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
		END { exit !found }'
}

# inlist WORD LIST: true if WORD is one of the words of LIST.
inlist() { case " $2 " in *" $1 "*) true ;; *) false ;; esac; }

# active SERVICE: true if the service runs (systemd or sysvinit).
active() {
	if [ -d /run/systemd/system ]; then
		systemctl is-active --quiet "$1" 2>/dev/null
	else
		service "$1" status >/dev/null 2>&1
	fi
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	# Not Debian: say what is needed and let the build find out the rest.
	# shellcheck disable=SC2086 # one line out of the word list
	say "no dpkg-query: not Debian; install the equivalents of:" $PKGS
	for c in cc pkg-config redis-server redis-cli lighttpd curl jq; do
		command -v "$c" >/dev/null 2>&1 ||
		    [ -x "/usr/sbin/$c" ] || die "missing command: $c"
	done
	exit 0
fi

missing=''
n=0
for p in $PKGS; do
	n=$((n + 1))
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	say "all $n packages present"
	exit 0
fi
missing=${missing# }

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 ||
	    die "missing, and not root and no sudo to install them: $missing"
	SUDO=sudo
fi
command -v apt-get >/dev/null 2>&1 ||
    die "missing, and no apt-get to install them: $missing"

# What listened and what ran before, so that only what the install started
# gets stopped.
ports_before=''
active_before=
for s in $SERVICES; do
	name=${s%:*} port=${s#*:}
	listening "$port" && ports_before="$ports_before $port"
	active "$name" && active_before="$active_before $name"
done

own_policy=0
cleanup() {
	if [ "$own_policy" -eq 1 ]; then
		$SUDO rm -f "$POLICY"
		own_policy=0
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM HUP
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" |
	    $SUDO sh -c "cat > '$POLICY' && chmod 0755 '$POLICY'" ||
	    die "cannot write $POLICY"
	own_policy=1
fi

say "installing: $missing"
$SUDO apt-get update || die "apt-get update failed; still missing: $missing"
# shellcheck disable=SC2086 # $missing is a word list on purpose
$SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends $missing ||
    die "apt-get install failed; still missing: $missing"
cleanup

# Anything the install started (a policy-rc.d of our own blocks it, one that
# was already there may not) is stopped again: a service that runs now and
# did not before, or one whose port listens now and did not before.
stop() {
	say "stopping $1, started by the install"
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl stop "$1" >/dev/null 2>&1
	else
		$SUDO service "$1" stop >/dev/null 2>&1
	fi
}
for s in $SERVICES; do
	name=${s%:*} port=${s#*:}
	inlist "$name" "$missing" || continue
	inlist "$name" "$active_before" && continue
	if active "$name" ||
	    { ! inlist "$port" "$ports_before" && listening "$port"; }; then
		stop "$name"
	fi
done
for port in 6379 80; do
	inlist "$port" "$ports_before" && continue
	listening "$port" &&
	    say "warning: something listens on port $port since the install"
done

still=
for p in $missing; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	*"install ok installed"*) ;;
	*) still="$still $p" ;;
	esac
done
[ -z "$still" ] || die "still missing after the install:$still"
say "installed: $missing"
exit 0
