# The scrypt core's working buffer in a FastCGI worker (docs/design.md
# "The scrypt core"): through the shipped lighttpd recipe, a worker that
# made a password check at the default cost (N=32768 r=8 p=3, its three
# chains together: 96 MiB) peaked above that, and a second after its
# last request its resident set is back within a quarter of that of its
# size before the logins, while the process stays up and the next check
# is right.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

redis_start || exit 1
conf_write scrypt_n=32768 scrypt_r=8 scrypt_p=3
user_add ida ida-password
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi

# status_kib PID FIELD: VmRSS or VmHWM of PID in KiB.
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# Each worker's RSS before any check, "pid:KiB ..."; before_of PID.
BEFORE=
for w in $(fcgi_workers); do BEFORE="$BEFORE $w:$(status_kib "$w" VmRSS)"; done
before_of() { printf '%s\n' $BEFORE | awk -F: -v p="$1" '$1 == p { print $2 }'; }

t_begin "e2e scrypt: logins at the default cost answer 200"
for i in 1 2 3 4; do
	http POST "$API/login" '{"username":"ida","password":"ida-password"}'
	t_eq "login $i" "$STATUS" 200
done
http POST "$API/login" '{"username":"ida","password":"ida-passwore"}'
t_eq "wrong password" "$STATUS" 401
t_end

sleep 2.5
t_begin "e2e scrypt: a worker held the three chains' 96 MiB while checking, and gave it back at rest"
busy=0
for w in $(fcgi_workers); do
	hwm=$(status_kib "$w" VmHWM) rss=$(status_kib "$w" VmRSS)
	echo "# note: worker $w: peak ${hwm:-?} KiB, at rest ${rss:-?} KiB (before the logins:$BEFORE)"
	[ -n "$hwm" ] && [ "$hwm" -ge $((96 * 1024)) ] || continue
	busy=$((busy + 1))
	# Kept, the buffer would add 96 MiB; given back, what remains is
	# the few pages around it (and, under ASan, its shadow: 12 MiB).
	t_le "worker $w RSS at rest minus before the logins (KiB)" \
	    $(( ${rss:-999999} - $(before_of "$w") )) $((24 * 1024))
done
t_ge "workers that made a check" "$busy" 1
t_end

t_begin "e2e scrypt: after the release the next check is right and the workers are the same"
w0=$(fcgi_workers)
http POST "$API/login" '{"username":"ida","password":"ida-password"}'
t_status 200
http POST "$API/login" '{"username":"ida","password":"ida-passwor"}'
t_eq "wrong password" "$STATUS" 401
t_eq "workers" "$(fcgi_workers)" "$w0"
t_end
t_lighttpd_clean
done_testing
