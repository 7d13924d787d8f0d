# An admin change that lands while a login is still running scrypt: the
# login must not leave a session that outlives `passwd` or `disable`
# (they revoke only the sessions that exist when they run), nor write the
# re-hash of an old password over the new one.  The user's
# stored hash is made expensive (N=65536, p=16: about a second even with
# the p chains interleaved four at a time) so the admin command runs, with
# a wide margin, while the login checks it.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write
SLOW=$T/slow.conf
conf_write "$SLOW" scrypt_n=65536 scrypt_p=16

# slow_user NAME PASSWORD: a user whose hash costs most of a second.
slow_user() {
	CONF=$SLOW adm_in "$2"$'\n' useradd "$1"
	[ "$ADM_RC" = 0 ] || notok "setup: useradd $1 with the slow cost" "$ADM_ERR"
}

# login_during NAME PASSWORD ADMIN-ARGS...: start a login, run the admin
# command a quarter second later (stdin: ADMIN_IN), wait for the login.
# Sets STATUS, BODYF and the token variables from the login.
login_during() {
	local u=$1 p=$2 pid
	shift 2
	(
		login "$u" "$p"
		printf '%s\n' "$STATUS" >"$T/race.status"
		cp "$BODYF" "$T/race.body"
	) &
	pid=$!
	sleep 0.25
	adm_in "${ADMIN_IN:-}" "$@"
	wait "$pid"
	STATUS=$(<"$T/race.status")
	BODYF=$T/race.body
	take_tokens
}

slow_user ana ana-pw
t_begin "passwd during a login with the old password: the login answers 401"
ADMIN_IN=$'ana-new\n' login_during ana ana-pw passwd ana
t_eq "admin exit" "$ADM_RC" 0
t_status 401
t_eq code "$(jget .error.code)" INVALID_CREDENTIALS
t_end
t_begin "passwd during a login: no session of the old password is left"
adm sessions ana
t_eq "sessions of ana" "$ADM_OUT" ""
t_end

slow_user bia bia-pw
t_begin "passwd to the same password during a login: the login stands (200)"
ADMIN_IN=$'bia-pw\n' login_during bia bia-pw passwd bia
t_eq "admin exit" "$ADM_RC" 0
t_status 200
session_get "$AUTH"
t_status 200
t_end

# A foreign hash is replaced by the first login that matches it; the
# replacement is written only over the hash that matched, so a passwd that
# lands during the check keeps its hash.  bcrypt at cost 13 takes most of
# a second.
t_begin "passwd during the first login of a bcrypt user: passwd wins, the login answers 401"
h=$(htpasswd -nbB -C 13 u bia-old-pw | sed -n 's/^u://p')
adm useradd --hash "$h" bela
[ "$ADM_RC" = 0 ] || t_fail "setup: useradd --hash bela: $ADM_ERR"
ADMIN_IN=$'bela-new-pw\n' login_during bela bia-old-pw passwd bela
t_eq "admin exit" "$ADM_RC" 0
t_status 401
t_eq code "$(jget .error.code)" INVALID_CREDENTIALS
adm sessions bela
t_eq "sessions of bela" "$ADM_OUT" ""
login bela bela-new-pw
t_status 200
login bela bia-old-pw
t_status 401
t_end

slow_user caio caio-pw
t_begin "disable during a login: the login answers 401 and leaves no session"
ADMIN_IN= login_during caio caio-pw disable caio
t_eq "admin exit" "$ADM_RC" 0
t_status 401
adm sessions caio
t_eq "sessions of caio" "$ADM_OUT" ""
t_end

slow_user duda duda-pw
login duda duda-pw
DSID=$SID
t_begin "passwd during a refresh-session: no new tokens (401, or 404 when the revoke came first), the session is gone"
(
	refresh_session "$DSID" duda duda-pw
	printf '%s\n' "$STATUS" >"$T/rs.status"
) &
rs=$!
sleep 0.25
adm_in $'duda-new\n' passwd duda
wait "$rs"
t_match "refresh-session status" "$(<"$T/rs.status")" '^(401|404)$'
t_eq "session key" "$(rcli EXISTS "$(skey "$DSID")")" 0
t_end
done_testing
