# Reuse detection of refresh tokens (RFC 9700 4.14.2, docs/API.md): a
# spent refresh token presented again revokes the whole session; within
# refresh_reuse_grace it answers 409 REFRESH_CONFLICT instead and changes
# nothing.  Spent tokens are never forgotten while the session lives: after
# 64 rotations without a password check the next rotation is refused, so a
# thief cannot rotate a victim's spent token out of memory, and a
# refresh-session (a password check) lets the session rotate again.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200
user_add alice alice-pw

# rt SID REFRESH [VAR=VALUE...]: POST /refresh-token
rt() { cgi POST "$API/refresh-token" "$(jq -cn --arg s "$1" --arg r "$2" '{sessionId:$s,refreshToken:$r}')" "${@:3}"; }

# a session rotated twice: R1 spent, A2 and R2 its newest tokens
login alice alice-pw
S=$SID R0=$REFRESH
rt "$S" "$R0"
[ "$STATUS" = 200 ] || notok "setup: first rotation answers 200" "status $STATUS"
R1=$(jget .data.refreshToken)
rt "$S" "$R1"
[ "$STATUS" = 200 ] || notok "setup: second rotation answers 200" "status $STATUS"
A2=$(jget .data.authorization) R2=$(jget .data.refreshToken)
t_begin "refresh-token: a spent refresh token revokes the whole session (401)"
rt "$S" "$R1"
t_error 401 INVALID_TOKEN
session_get "$A2"
t_eq "newest authorization after the reuse" "$STATUS" 401
rt "$S" "$R2"
t_eq "newest refresh token after the reuse" "$STATUS" 401
t_end

GR=$T/grace.conf
conf_write "$GR" refresh_reuse_grace=30
CONF=$GR login alice alice-pw
SG=$SID RG0=$REFRESH
CONF=$GR rt "$SG" "$RG0"
AG1=$(jget .data.authorization) RG1=$(jget .data.refreshToken)
t_begin "refresh_reuse_grace: a just-spent refresh token -> 409 REFRESH_CONFLICT"
CONF=$GR rt "$SG" "$RG0"
t_error 409 REFRESH_CONFLICT
t_end
t_begin "refresh_reuse_grace: the 409 mints nothing and revokes nothing"
CONF=$GR session_get "$AG1"
t_eq "current authorization" "$STATUS" 200
CONF=$GR rt "$SG" "$RG1"
t_eq "current refresh token" "$STATUS" 200
t_end

# ---- after 64 rotations without a password check
login alice alice-pw
SR=$SID R0=$REFRESH cur=$REFRESH
for i in $(seq 1 64); do
	VG_SKIP=1 rt "$SR" "$cur"	# set-up: not under valgrind (tests/lib/cgi.sh)
	[ "$STATUS" = 200 ] || { notok "rotation $i of 64 answers 200" "status $STATUS"; break; }
	cur=$(jget .data.refreshToken) curauth=$(jget .data.authorization)
done
t_begin "after 64 rotations without a password check the next one is refused (401) and changes nothing"
rt "$SR" "$cur"
t_error 401 INVALID_TOKEN
session_get "$curauth"
t_eq "latest authorization still live" "$STATUS" 200
t_end
t_begin "the first spent refresh token still revokes the session after 64 rotations"
rt "$SR" "$R0"
t_error 401 INVALID_TOKEN
session_get "$curauth"
t_eq "latest authorization after the reuse" "$STATUS" 401
t_end
login alice alice-pw
SP=$SID cur=$REFRESH
for i in $(seq 1 64); do
	VG_SKIP=1 rt "$SP" "$cur"
	cur=$(jget .data.refreshToken)
done
t_begin "refresh-session (a password check) lets a session rotate again after 64 rotations"
refresh_session "$SP" alice alice-pw
t_status 200
rt "$SP" "$REFRESH"
t_status 200
t_end
done_testing
