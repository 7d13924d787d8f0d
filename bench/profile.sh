#!/usr/bin/env bash
# bench/profile.sh - Redis round trips per request type, measured through
# the shipped lighttpd recipe (two long-lived FastCGI workers) against a
# private redis-server:
#
#	BUILD=build bash bench/profile.sh [N]
#
# Each request type (login, refresh-session, refresh-token, GET /session)
# is sent N times (default 10) one after another, after a warm-up that
# makes both workers load their scripts.  A round trip is one read Redis
# processed (INFO's total_reads_processed; a pipelined pair written at once
# is one read), less the reads of the INFO calls themselves and of any
# SCRIPT LOAD that still happened.  Prints one line per type:
#
#	login             2.00 round trips/request  (evalsha=2.00 ...)
#
# The commands in brackets are per request, those run inside scripts
# included (Redis counts them too).
#
# Exit 0 when every request answered 200, else 1.
. "$(dirname "$0")/../tests/lib.sh"
lib_use redis cgi http lighttpd answer

N=${1:-10}
BUILD=${BUILD:-$ROOT_DIR/build}
case $BUILD in /*) ;; *) BUILD=$ROOT_DIR/$BUILD ;; esac
API=/api/v1/autenticacao
PW=profile-password-0

redis_start || exit 1
conf_write
user_add prof "$PW" || exit 1
lighttpd_start || exit 1

BAD=0
# snap FILE: reads processed and command counts, in one INFO.
snap() { rcli INFO all | tr -d '\r' >"$1"; }
# rt NAME BEFORE AFTER: print the line of NAME.
rt() {
	awk -F'[:=,]' -v n="$N" -v name="$1" '
		FNR == 1 { file++ }
		/^total_reads_processed:/ { reads[file] = $2 }
		/^cmdstat_/ { c = substr($1, 9); if (c != "info") calls[file, c] = $3; cmds[c] = 1 }
		END {
			loads = calls[2, "script"] - calls[1, "script"]
			out = ""
			for (c in cmds) {
				d = calls[2, c] - calls[1, c]
				if (d > 0 && c != "script") out = out sprintf(" %s=%.2f", c, d / n)
			}
			printf "%-16s %5.2f round trips/request  (%s)\n", name,
			    (reads[2] - reads[1] - 2 - loads) / n, substr(out, 2)
		}' "$2" "$3"
}
j() { jq -cn "$@"; }
post() { http POST "$API/$1" "$2"; [ "$STATUS" = 200 ] || { BAD=1; echo "$1: $STATUS $BODY" >&2; }; }
login_body=$(j --arg p "$PW" '{username:"prof",password:$p}')

# warm-up: every script on both workers
for i in 1 2 3 4 5 6; do
	post login "$login_body"
	SID=$(jq -r .data.sessionId "$BODYF") REF=$(jq -r .data.refreshToken "$BODYF")
	AUTH=$(jq -r .data.authorization "$BODYF")
	post refresh-session "$(j --arg s "$SID" --arg p "$PW" '{sessionId:$s,username:"prof",password:$p}')"
	REF=$(jq -r .data.refreshToken "$BODYF") AUTH=$(jq -r .data.authorization "$BODYF")
	post refresh-token "$(j --arg s "$SID" --arg r "$REF" '{sessionId:$s,refreshToken:$r}')"
	REF=$(jq -r .data.refreshToken "$BODYF") AUTH=$(jq -r .data.authorization "$BODYF")
	http GET "$API/session" "" -H "Authorization: $AUTH"
done

snap "$T/a"
for i in $(seq 1 "$N"); do post login "$login_body"; done
snap "$T/b"
rt login "$T/a" "$T/b"
SID=$(jq -r .data.sessionId "$BODYF")

snap "$T/a"
for i in $(seq 1 "$N"); do
	post refresh-session "$(j --arg s "$SID" --arg p "$PW" '{sessionId:$s,username:"prof",password:$p}')"
done
snap "$T/b"
rt refresh-session "$T/a" "$T/b"
REF=$(jq -r .data.refreshToken "$BODYF") AUTH=$(jq -r .data.authorization "$BODYF")

# The bodies are built before the first snapshot's INFO only in part: jq
# runs between requests, which Redis does not see.
snap "$T/a"
for i in $(seq 1 "$N"); do
	post refresh-token "$(j --arg s "$SID" --arg r "$REF" '{sessionId:$s,refreshToken:$r}')"
	REF=$(jq -r .data.refreshToken "$BODYF")
done
snap "$T/b"
rt refresh-token "$T/a" "$T/b"
AUTH=$(jq -r .data.authorization "$BODYF")

snap "$T/a"
for i in $(seq 1 "$N"); do
	http GET "$API/session" "" -H "Authorization: $AUTH"
	[ "$STATUS" = 200 ] || BAD=1
done
snap "$T/b"
rt "GET /session" "$T/a" "$T/b"

DONE_TESTING=1
AUT_LIB_NO_COUNTS=1
exit "$BAD"
