# Brute-force regulation (docs/API.md 429 TOO_MANY_ATTEMPTS, docs/design.md
# "Brute force"): max_failures failed password checks of a user name or a
# client address ban it for ban_time; Retry-After; the admin's unban.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer
# VG_SKIP=$((i > 1)): under valgrind (tests/lib/cgi.sh) only the first of a
# loop's identical failed checks runs under memcheck.

redis_start || exit 1
conf_write max_failures=3 failure_window=300 ban_time=900
for u in ana bia caio duda edu fabi gui hugo ivo; do user_add "$u" "$u-pw"; done

t_banned() { # the last answer is the 429 of a ban of at most LIMIT seconds
	t_error 429 TOO_MANY_ATTEMPTS
	t_match "Retry-After" "$(hdr Retry-After)" '^[0-9]+$'
	t_ge "Retry-After" "$(hdr Retry-After)" 1
	t_le "Retry-After" "$(hdr Retry-After)" "$1"
}

# ---- per user name: failures from different addresses
t_begin "max_failures - 1 wrong passwords of a user still answer 401"
login ana bad1 REMOTE_ADDR=10.1.0.1
t_error 401 INVALID_CREDENTIALS
login ana bad2 REMOTE_ADDR=10.1.0.2
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "the max_failures-th wrong password of a user answers 401 (the check ran)"
login ana bad3 REMOTE_ADDR=10.1.0.3
t_error 401 INVALID_CREDENTIALS
t_end
t_begin "after max_failures wrong passwords the user is banned: right password -> 429 + Retry-After"
login ana ana-pw REMOTE_ADDR=10.1.0.4
t_banned 900
t_end
t_begin "a banned user gets 429 on refresh-session too"
refresh_session AAAAAAAAAAAAAAAAAAAAAA ana ana-pw REMOTE_ADDR=10.1.0.5
t_banned 900
t_end
t_begin "a user ban does not touch other users from the same address"
login bia bia-pw REMOTE_ADDR=10.1.0.4
t_status 200
t_end
t_begin "admin unban NAME exits 0"
adm unban ana
t_eq exit "$ADM_RC" 0
t_end
t_begin "after admin unban NAME the user logs in again"
login ana ana-pw REMOTE_ADDR=10.1.0.6
t_status 200
t_end
t_begin "unban also forgets the user's failures (one more failure is not a ban)"
adm unban ana
login ana bad1 REMOTE_ADDR=10.1.0.7
login ana bad2 REMOTE_ADDR=10.1.0.8
login ana ana-pw REMOTE_ADDR=10.1.0.9
t_status 200
t_end

# ---- per client address: failures of different users
t_begin "max_failures wrong passwords from one address (different users) ban the address"
login caio bad REMOTE_ADDR=10.2.0.1
t_error 401 INVALID_CREDENTIALS
login duda bad REMOTE_ADDR=10.2.0.1
t_error 401 INVALID_CREDENTIALS
login edu bad REMOTE_ADDR=10.2.0.1
t_error 401 INVALID_CREDENTIALS
login fabi fabi-pw REMOTE_ADDR=10.2.0.1
t_banned 900
t_end
t_begin "an address ban does not touch the same user from another address"
login fabi fabi-pw REMOTE_ADDR=10.2.0.2
t_status 200
t_end
t_begin "unknown user names count as failures of the address"
login nosuch1 x REMOTE_ADDR=10.3.0.1
login nosuch2 x REMOTE_ADDR=10.3.0.1
login nosuch3 x REMOTE_ADDR=10.3.0.1
login gui gui-pw REMOTE_ADDR=10.3.0.1
t_banned 900
t_end
t_begin "failed refresh-session password checks count like failed logins"
for i in 1 2 3; do VG_SKIP=$((i > 1)) refresh_session AAAAAAAAAAAAAAAAAAAAAA hugo bad REMOTE_ADDR=10.4.0.$i; done
login hugo hugo-pw REMOTE_ADDR=10.4.0.9
t_banned 900
t_end
t_begin "admin unban ADDRESS exits 0"
adm unban 10.2.0.1
t_eq exit "$ADM_RC" 0
t_end
t_begin "after admin unban ADDRESS the address logs in again"
login fabi fabi-pw REMOTE_ADDR=10.2.0.1
t_status 200
t_end
t_begin "validation errors do not count as failures"
for i in 1 2 3 4 5; do VG_SKIP=$((i > 1)) cgi POST "$API/login" '{"username":"ivo"}' REMOTE_ADDR=10.5.0.1; done
login ivo ivo-pw REMOTE_ADDR=10.5.0.1
t_status 200
t_end
t_begin "a success does not erase a ban"
for i in 1 2 3; do VG_SKIP=$((i > 1)) login ivo bad REMOTE_ADDR=10.6.0.$i; done
login ivo ivo-pw REMOTE_ADDR=10.6.0.9
t_eq "first" "$STATUS" 429
login ivo ivo-pw REMOTE_ADDR=10.6.0.9
t_banned 900
t_end

# ---- X-Forwarded-For is believed only from trusted_proxies
t_begin "X-Forwarded-For from an untrusted peer is ignored (REMOTE_ADDR is banned)"
XFF=$T/xff.conf
conf_write "$XFF" max_failures=3 ban_time=900 trusted_proxies=10.9.9.9
for i in 1 2 3; do VG_SKIP=$((i > 1)) CONF=$XFF login "nosuchx$i" bad REMOTE_ADDR=10.7.0.1 HTTP_X_FORWARDED_FOR=192.0.2.$i; done
CONF=$XFF login bia bia-pw REMOTE_ADDR=10.7.0.1 HTTP_X_FORWARDED_FOR=192.0.2.77
t_banned 900
t_end
t_begin "X-Forwarded-For from a trusted proxy names the client (its ban, not the proxy's)"
for i in 1 2 3; do VG_SKIP=$((i > 1)) CONF=$XFF login "nosuchy$i" bad REMOTE_ADDR=10.9.9.9 HTTP_X_FORWARDED_FOR=192.0.2.10; done
CONF=$XFF login bia bia-pw REMOTE_ADDR=10.9.9.9 HTTP_X_FORWARDED_FOR=192.0.2.10
t_banned 900
CONF=$XFF login bia bia-pw REMOTE_ADDR=10.9.9.9 HTTP_X_FORWARDED_FOR=192.0.2.11
t_eq "another client behind the same proxy" "$STATUS" 200
t_end

# ---- the ban ends by itself after ban_time, failures forgotten with it
t_begin "a ban ends after ban_time and its failures are forgotten"
QUICK=$T/quick.conf
# The ban must outlast the runs that check it: a few seconds each under
# valgrind.
BAN=2
[ "$VALGRIND" = 1 ] && BAN=15
conf_write "$QUICK" max_failures=3 ban_time=$BAN failure_window=300
for i in 1 2 3; do VG_SKIP=$((i > 1)) CONF=$QUICK login edu bad REMOTE_ADDR=10.8.0.$i; done
CONF=$QUICK login edu edu-pw REMOTE_ADDR=10.8.0.9
t_banned $BAN
sleep "$BAN.5"
CONF=$QUICK login edu bad REMOTE_ADDR=10.8.0.4
t_eq "one failure after the ban" "$STATUS" 401
CONF=$QUICK login edu edu-pw REMOTE_ADDR=10.8.0.9
t_eq "right password after the ban" "$STATUS" 200
t_end
# ---- attempts are counted before the password check, so guesses sent in
# parallel cannot outrun the limit: of 12 concurrent wrong passwords of one
# user (each from its own address) exactly max_failures reach the check
t_begin "parallel guesses: of 12 concurrent wrong passwords exactly max_failures get 401, the rest 429"
# Twelve scrypt checks at N=2^14 at once test the counting, not memory:
# under valgrind (tests/lib/cgi.sh) they run without it.
VG_SKIP=1
SLOWC=$T/slowguess.conf
conf_write "$SLOWC" max_failures=3 ban_time=900 scrypt_n=16384
user_add zeca zeca-pw
pids=()
for i in $(seq 1 12); do
	(
		# each request its own scratch directory
		T=$T/par.d$i
		mkdir -p "$T"
		CONF=$SLOWC login zeca "guess$i" REMOTE_ADDR=10.16.0.$i
		printf '%s\n' "$STATUS" >"$T/../par$i"
	) &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
n401=0 n429=0
for i in $(seq 1 12); do
	case $(<"$T/par$i") in
	401) n401=$((n401 + 1)) ;;
	429) n429=$((n429 + 1)) ;;
	*) t_fail "guess $i: status $(<"$T/par$i")" ;;
	esac
done
t_eq "401 answers (password checks that ran)" "$n401" 3
t_eq "429 answers" "$n429" 9
t_end
VG_SKIP=0

# ---- a ban is answered before any password check: no scrypt work is
# spent on a banned user.  Timed side by side: a request that reaches no
# check (the process's own start-up, large under the sanitizers), checks
# that ran at a deliberately slow cost, and the banned answers.
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
t_begin "a banned user's right password answers 429 without a password check (no scrypt time)"
SLOWB=$T/slowban.conf
conf_write "$SLOWB" max_failures=3 ban_time=900 scrypt_n=65536 scrypt_r=8 scrypt_p=1
CONF=$SLOWB user_add rui rui-pw
ms=()
for i in 1 2 3; do CONF=$SLOWB cgi POST "$API/login" '{}'; ms+=("$CGI_MS"); done
base=$(median3 "${ms[@]}")
ms=()
for i in 1 2 3; do
	CONF=$SLOWB login rui "wrong$i" REMOTE_ADDR=10.17.0.$i
	t_eq "wrong password $i" "$STATUS" 401
	ms+=("$CGI_MS")
done
checked=$(median3 "${ms[@]}")
ms=()
for i in 1 2 3; do
	CONF=$SLOWB login rui rui-pw REMOTE_ADDR=10.17.1.$i
	t_eq "banned, right password $i" "$STATUS" 429
	ms+=("$CGI_MS")
done
banned=$(median3 "${ms[@]}")
t_ge "a checked answer's ms ($checked) well above a request without a check ($base)" \
    "$checked" $((base + 50))
t_le "4 x (banned $banned - base $base) within a checked answer's time above base ($checked - $base)" \
    $(( (banned - base) * 4 )) $((checked - base))
t_end

t_begin "successful logins do not count against the address: 10 in a row from one address all answer 200"
user_add lia lia-pw
for i in $(seq 1 10); do
	CONF=$QUICK login lia lia-pw REMOTE_ADDR=10.5.0.1
	[ "$STATUS" = 200 ] || t_fail "login $i: status $STATUS"
done
t_end
t_begin "IPv6: failures from addresses of one /64 add up to a ban of that /64"
V6=$T/v6.conf
conf_write "$V6" max_failures=3 ban_time=900
user_add nina nina-pw
for i in 1 2 3; do VG_SKIP=$((i > 1)) CONF=$V6 login "nosuchv$i" bad REMOTE_ADDR=2001:db8:7:7::$i; done
CONF=$V6 login nina nina-pw REMOTE_ADDR=2001:db8:7:7:ffff::99
t_banned 900
CONF=$V6 login nina nina-pw REMOTE_ADDR=2001:db8:7:8::1
t_eq "another /64" "$STATUS" 200
t_end
t_begin "IPv6: admin unban NETWORK/64 lifts the ban of that /64"
CONF=$V6 adm unban 2001:db8:7:7::/64
t_eq exit "$ADM_RC" 0
CONF=$V6 login nina nina-pw REMOTE_ADDR=2001:db8:7:7::5
t_status 200
t_end
t_begin "IPv6: admin unban of one address lifts the ban of its /64"
for i in 1 2 3; do VG_SKIP=$((i > 1)) CONF=$V6 login "nosuchw$i" bad REMOTE_ADDR=2001:db8:7:9::$i; done
CONF=$V6 login nina nina-pw REMOTE_ADDR=2001:db8:7:9::8
t_banned 900
CONF=$V6 adm unban 2001:db8:7:9::1234
t_eq exit "$ADM_RC" 0
t_match stdout "$ADM_OUT" '^lifted'
CONF=$V6 login nina nina-pw REMOTE_ADDR=2001:db8:7:9::8
t_status 200
t_end
done_testing
