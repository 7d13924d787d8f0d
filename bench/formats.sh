#!/bin/sh
# bench/formats.sh - the time of one password check for a stored hash of
# each format autenticacao accepts, made here by the real tools
# (htpasswd, mkpasswd, argon2) at their defaults and at the costs noted,
# and the costliest hash some caps let through; first the service's own
# $s1$ at N=1024 r=8 p=1 and at conf/autenticacao.conf's N=32768 r=8 p=3
# (the cost of a re-hashed password and of the unknown-user check).
#
#	sh bench/formats.sh [K]		K checks per hash (default 5)
#
# Builds $BUILD/bench_formats (BUILD defaults to build) and prints its
# lines: format, median and minimum ms, the hash's settings.
set -eu
K=${1:-5}
BUILD=${BUILD:-build}
make --no-print-directory "$BUILD/bench_formats" >/dev/null
PW=bench-formats-pw

hp() { htpasswd -nb "$@" u "$PW" | sed -n 's/^u://p'; }
a2() { s=$1; shift; printf %s "$PW" | argon2 "saltsaltsalt$s" -id -e "$@"; }
# The costliest hashes the caps let through (bcrypt 14, rounds=2500000,
# yescrypt -R 9: 256 MiB, argon2id 256 MiB twice).
b14=$(mkpasswd -m bcrypt -R 14 "$PW")
y256=$(mkpasswd -m yescrypt -R 9 "$PW")
exec "$BUILD/bench_formats" "$K" "$PW" scrypt:1024:8:1 scrypt:32768:8:3 \
    "$(hp -B)" "$(hp -B -C 10)" "$(hp -B -C 12)" "$b14" \
    "$(hp -m)" "$(hp -s)" \
    "$(mkpasswd -m sha-512 "$PW")" "$(mkpasswd -m sha-512 -R 656000 "$PW")" \
    "$(mkpasswd -m sha-512 -R 2500000 "$PW")" \
    "$(mkpasswd -m yescrypt "$PW")" "$y256" \
    "$(a2 1)" "$(a2 2 -t 2 -k 19456)" "$(a2 3 -t 3 -k 65536 -p 4)" \
    "$(a2 4 -t 2 -k 262144)"
