# autenticacao-admin (docs/API.md "Programs"): every command, exit status 0
# done / 1 failed / 2 usage error, and what each does to logins and
# sessions.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write
ADMIN=$(bin_path autenticacao-admin)

t_begin "useradd reads the password from the first line of stdin and exits 0"
adm_in $'first-pw\nsecond-line\n' useradd alice
t_eq exit "$ADM_RC" 0
login alice first-pw
t_status 200
t_end
t_begin "useradd: only the first line is the password"
login alice $'first-pw\nsecond-line'
t_ne status "$STATUS" 200
login alice second-line
t_ne status "$STATUS" 200
t_end
t_begin "useradd of an existing user exits 1 with a reason and keeps the old password"
adm_in $'other-pw\n' useradd alice
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" .
login alice first-pw
t_status 200
t_end
t_begin "useradd without a trailing newline on stdin works"
adm_in 'no-newline-pw' useradd bob
t_eq exit "$ADM_RC" 0
login bob no-newline-pw
t_status 200
t_end
t_begin "useradd with an empty password fails and creates no user"
adm_in $'\n' useradd emptypw
t_ne exit "$ADM_RC" 0
adm list
t_nomatch list "$ADM_OUT" '(^|'"$NL"')emptypw($|'"$NL"')'
t_end
t_begin "useradd with nothing on stdin fails and creates no user"
adm useradd nopw
t_ne exit "$ADM_RC" 0
adm list
t_nomatch list "$ADM_OUT" '(^|'"$NL"')nopw($|'"$NL"')'
t_end
t_begin "useradd of a 65-byte name fails (API limit 64)"
adm_in $'pw\n' useradd "$(repeat n 65)"
t_ne exit "$ADM_RC" 0
t_end
t_begin "useradd of a name with a space anywhere is a usage error (exit 2)"
for n in " lead" "trail " "in side" "a user=root"; do
	adm_in $'pw\n' useradd "$n"
	t_eq "'$n': exit" "$ADM_RC" 2
	t_match "'$n': stderr" "$ADM_ERR" 'contains a space or other white space'
done
adm list
t_nomatch list "$ADM_OUT" 'lead|trail|side|root'
t_end
# The name profile (autenticacao-admin(8), after RFC 8265
# UsernameCasePreserved): a new name cannot look like another.
t_begin "useradd refuses Unicode white space, invisible and bidi characters"
for n in $'no\u00a0break' $'ideo\u3000graphic' $'zero\u200bwidth' \
    $'\ufeffbom' $'right\u202eleft' $'iso\u2066late' $'soft\u00adhyphen' \
    $'private\ue000use'; do
	adm_in $'pw\n' useradd "$n"
	t_eq "$(printf '%q' "$n"): exit" "$ADM_RC" 2
	t_match "$(printf '%q' "$n"): stderr" "$ADM_ERR" 'white space|invisible or direction-changing'
done
t_end
t_begin "useradd refuses compatibility characters and names not in NFC"
adm_in $'pw\n' useradd $'\uff41dmin'
t_eq "fullwidth: exit" "$ADM_RC" 2
t_match "fullwidth: stderr" "$ADM_ERR" 'compatibility character'
adm_in $'pw\n' useradd $'\ufb01nance'
t_eq "ligature: exit" "$ADM_RC" 2
adm_in $'pw\n' useradd $'jose\u0301'
t_eq "decomposed: exit" "$ADM_RC" 2
t_match "decomposed: stderr" "$ADM_ERR" 'normalization form C'
adm_in $'pw\n' useradd 'josé'
t_eq "composed: exit" "$ADM_RC" 0
t_end
t_begin "useradd refuses a name that differs from a user's only in case; names keep their case"
adm_in $'pw\n' useradd 'Maria'
t_eq "Maria: exit" "$ADM_RC" 0
adm_in $'pw\n' useradd 'MARIA'
t_eq "MARIA: exit" "$ADM_RC" 1
t_match "MARIA: stderr" "$ADM_ERR" 'differs only in case exists: Maria'
adm_in $'pw\n' useradd 'JOSÉ'
t_eq "JOSÉ after josé: exit" "$ADM_RC" 1
login maria pw
t_status 401
login Maria pw
t_status 200
# the users of the list tests below are the ones before these
adm userdel Maria
adm userdel 'josé'
t_end
t_begin "useradd of a 64-byte name works and that user logs in"
adm_in $'pw64\n' useradd "$(repeat n 64)"
t_eq exit "$ADM_RC" 0
login "$(repeat n 64)" pw64
t_status 200
t_end
t_begin "useradd of a 1025-byte password fails (API limit 1024)"
adm_in "$(repeat p 1025)"$'\n' useradd longpw
t_ne exit "$ADM_RC" 0
t_end
user_add carol carol-pw

t_begin "list prints every user, one a line"
adm list
t_eq exit "$ADM_RC" 0
t_eq users "$(printf '%s\n' "$ADM_OUT" | sort)" "$(printf '%s\n' alice bob carol "$(repeat n 64)" | sort)"
t_eq "sorted" "$ADM_OUT" "$(printf '%s\n' "$ADM_OUT" | LC_ALL=C sort)"
t_end

# ---- sessions, revoke
user_add dora dora-pw
login dora dora-pw; SA1=$SID AA1=$AUTH
login dora dora-pw; SA2=$SID AA2=$AUTH
t_begin "sessions NAME lists each live session once: id, created, expires, last use, address, User-Agent"
adm sessions dora
t_eq exit "$ADM_RC" 0
t_eq lines "$(printf '%s\n' "$ADM_OUT" | grep -c .)" 2
t_eq ids "$(printf '%s\n' "$ADM_OUT" | awk '{ sub(/,$/, "", $1); print $1 }' | sort)" "$(printf '%s\n' "$SA1" "$SA2" | sort)"
t_match "six fields a line" "$(printf '%s\n' "$ADM_OUT" | head -n 1)" '^[^ ]+ [0-9T:Z-]+ [0-9T:Z-]+ [0-9T:Z-]+ 127\.0\.0\.1 -$'
t_end
t_begin "sessions NAME prints the address and User-Agent of the login, controls as '?'"
login dora dora-pw "HTTP_USER_AGENT=curl/7.88.1 (x)" REMOTE_ADDR=198.51.100.4
SA3=$SID
adm sessions dora
t_eq line "$(printf '%s\n' "$ADM_OUT" | grep "^$SA3 " | cut -d' ' -f5-)" "198.51.100.4 curl/7.88.1 (x)"
rcli HSET "$(skey "$SA3")" ua $'evil\x1b[2J' used 1700000000 >/dev/null
adm sessions dora
t_eq "control byte" "$(printf '%s\n' "$ADM_OUT" | grep "^$SA3 " | cut -d' ' -f4-)" "2023-11-14T22:13:20Z 198.51.100.4 evil?[2J"
adm revoke "$SA3"
t_end
t_begin "revoke-user NAME ends every session of NAME at once; others stay"
user_add erik erik-pw
login erik erik-pw; SE1=$SID AE1=$AUTH
login erik erik-pw; SE2=$SID AE2=$CORBAN
adm revoke-user erik
t_eq exit "$ADM_RC" 0
t_eq out "$ADM_OUT" "revoked 2 sessions of erik"
session_get "$AE1"
t_eq "first" "$STATUS" 401
session_get "$AE2"
t_eq "second" "$STATUS" 401
cgi GET /protected/x "" FCGI_ROLE=AUTHORIZER "HTTP_AUTHORIZATION=$AE1"
t_eq "authorizer" "$STATUS" 401
t_eq "index" "$(rcli EXISTS "$(ukey user-sessions "erik")")" 0
session_get "$AA2"
t_eq "dora's session" "$STATUS" 200
login erik erik-pw
t_eq "erik logs in again" "$STATUS" 200
t_end
t_begin "revoke-user of a user without sessions exits 0; of an unknown user exits 1"
adm revoke-user carol
t_eq exit "$ADM_RC" 0
t_eq out "$ADM_OUT" "revoked 0 sessions of carol"
adm revoke-user nobody-here
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "no such user"
t_end
t_begin "sessions of a user without sessions prints nothing, exit 0"
adm sessions carol
t_eq exit "$ADM_RC" 0
t_eq out "$ADM_OUT" ""
t_end
t_begin "revoke SESSIONID exits 0 and ends that session only"
adm revoke "$SA1"
t_eq exit "$ADM_RC" 0
session_get "$AA1"
t_error 401 INVALID_TOKEN
session_get "$AA2"
t_eq "other session" "$STATUS" 200
adm sessions dora
t_eq "sessions left" "$(printf '%s\n' "$ADM_OUT" | awk '{ sub(/,$/, "", $1); print $1 }')" "$SA2"
t_end
t_begin "revoke of an unknown session exits 1"
adm revoke AAAAAAAAAAAAAAAAAAAAAA
t_eq exit "$ADM_RC" 1
t_end

# ---- passwd
login alice first-pw; AA2=$AUTH
login alice first-pw; SA3=$SID AA3=$AUTH
t_begin "passwd sets the password read from stdin, exit 0"
adm_in $'new-alice-pw\n' passwd alice
t_eq exit "$ADM_RC" 0
login alice new-alice-pw
t_status 200
t_end
SA4=$SID AA4=$AUTH
t_begin "after passwd the old password is refused"
login alice first-pw
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "passwd revokes the user's sessions (their tokens answer 401)"
session_get "$AA2"
t_eq "session 2" "$STATUS" 401
session_get "$AA3"
t_eq "session 3" "$STATUS" 401
refresh_session "$SA3" alice new-alice-pw
t_error 404 SESSION_NOT_FOUND
t_end
t_begin "passwd leaves sessions made after it alone"
session_get "$AA4"
t_status 200
t_end
t_begin "passwd of an unknown user exits 1"
adm_in $'x\n' passwd nosuchuser
t_eq exit "$ADM_RC" 1
t_end

# ---- disable / enable
login bob no-newline-pw; SB=$SID AB=$AUTH
t_begin "disable exits 0 and refuses the user's logins"
adm disable bob
t_eq exit "$ADM_RC" 0
login bob no-newline-pw
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "a disabled user cannot refresh-session"
refresh_session "$SB" bob no-newline-pw
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "enable exits 0 and accepts the user's logins again"
adm enable bob
t_eq exit "$ADM_RC" 0
login bob no-newline-pw
t_status 200
t_end
t_begin "disable of an unknown user exits 1"
adm disable nosuchuser
t_eq exit "$ADM_RC" 1
t_end
t_begin "enable of an unknown user exits 1"
adm enable nosuchuser
t_eq exit "$ADM_RC" 1
t_end

# ---- userdel
login carol carol-pw; SC=$SID AC=$AUTH CC=$CORBAN
t_begin "userdel exits 0 and the user can no longer log in"
adm userdel carol
t_eq exit "$ADM_RC" 0
login carol carol-pw
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "userdel revokes the user's sessions"
session_get "$AC"
t_eq authorization "$STATUS" 401
session_get "$CC"
t_eq authorizationCorban "$STATUS" 401
t_eq "session key" "$(rcli EXISTS "$(skey "$SC")")" 0
t_end
t_begin "userdel removes the user from list"
adm list
t_nomatch list "$ADM_OUT" '(^|'"$NL"')carol($|'"$NL"')'
t_end
t_begin "userdel of an unknown user exits 1"
adm userdel carol
t_eq exit "$ADM_RC" 1
t_end
t_begin "a deleted user can be added again with a new password"
user_add carol carol-new
login carol carol-new
t_status 200
t_end

# ---- unban (the effect is tested in bruteforce.sh)
t_begin "unban of a name without a ban exits 0"
adm unban nosuchuser
t_eq exit "$ADM_RC" 0
t_end
t_begin "unban of an address without a ban exits 0"
adm unban 192.0.2.1
t_eq exit "$ADM_RC" 0
t_end

# ---- usage errors: exit 2
usage() { # NAME ARGS...
	local name=$1
	shift
	t_begin "usage error: $name -> exit 2 with a usage message"
	adm "$@"
	t_eq exit "$ADM_RC" 2
	t_match stderr "$ADM_ERR" '[Uu]sage'
	t_eq stdout "$ADM_OUT" ""
	t_end
}
usage "no command"
usage "unknown command" frobnicate
usage "useradd without NAME" useradd
usage "useradd with two names" useradd a b
usage "passwd without NAME" passwd
usage "userdel without NAME" userdel
usage "disable without NAME" disable
usage "enable without NAME" enable
usage "list with an argument" list extra
usage "sessions without NAME" sessions
usage "revoke-user without NAME" revoke-user
usage "revoke without SESSIONID" revoke
usage "unban without NAME" unban
usage "unknown option" -x list
t_begin "usage error: -c without its argument -> exit 2"
timeout 10 "$ADMIN" -c >/dev/null 2>"$T/e"
t_eq exit "$?" 2
t_end
t_begin "usage error: unknown command -> exit 2 even with a bad config"
timeout 10 "$ADMIN" -c /nonexistent/autenticacao.conf frobnicate >/dev/null 2>"$T/e"
t_eq exit "$?" 2
t_end

# ---- config: -c, AUTENTICACAO_CONF, bad files
t_begin "without -c the admin reads AUTENTICACAO_CONF"
out=$(AUTENTICACAO_CONF=$CONF timeout 10 "$ADMIN" list 2>"$T/e")
t_eq exit "$?" 0
t_match list "$out" '(^|'"$NL"')alice($|'"$NL"')'
t_end
t_begin "-c wins over AUTENTICACAO_CONF"
out=$(AUTENTICACAO_CONF=/nonexistent/x.conf timeout 10 "$ADMIN" -c "$CONF" list 2>"$T/e")
t_eq exit "$?" 0
t_match list "$out" '(^|'"$NL"')alice($|'"$NL"')'
t_end
BAD=$T/bad.conf
conf_write "$BAD" "no_such_key = 1"
line=$(grep -n '^no_such_key' "$BAD" | cut -d: -f1)
t_begin "admin with an unknown config key exits 1 naming file:line: key"
adm_bad() { timeout 10 "$ADMIN" -c "$1" list >"$T/o" 2>"$T/e"; ADM_RC=$?; ADM_ERR=$(<"$T/e"); }
adm_bad "$BAD"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "$BAD:$line: no_such_key"
t_end
conf_write "$BAD" redis_port=abc
line=$(grep -n '^redis_port' "$BAD" | cut -d: -f1)
t_begin "admin with a bad number exits 1 naming file:line: key"
adm_bad "$BAD"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "$BAD:$line: redis_port"
t_end
t_begin "admin with a missing config file exits 1 naming the file"
adm_bad "$T/missing.conf"
t_eq exit "$ADM_RC" 1
t_match stderr "$ADM_ERR" "$T/missing.conf"
t_end
done_testing
