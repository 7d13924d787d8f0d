# The lever a user-wide ban gives a guesser (autenticacao.conf(5),
# "Brute-force regulation"): anyone can send wrong passwords for a user
# name, so a ban of the name alone would lock its owner out.  A client
# address that logged in as the user less than session_ttl seconds ago is
# not held by the user's ban (nor counted for it), only by its own address
# counter: the guessers stay banned, the owner from a known address gets
# in.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write max_failures=3 failure_window=300 ban_time=900 session_ttl=600 access_ttl=300
user_add owen owen-pw
OWNER=198.51.100.10

t_begin "the owner logs in: its address becomes known for session_ttl"
login owen owen-pw REMOTE_ADDR=$OWNER
t_status 200
t_eq "known" "$(rcli ZCARD "$(ukey known "owen")")" 1
t_le "expiry" "$(rcli TTL "$(ukey known "owen")")" 600
t_ge "expiry" "$(rcli TTL "$(ukey known "owen")")" 590
t_end
t_begin "guesses from elsewhere ban the user name"
for i in 1 2 3; do
	login owen "guess$i" REMOTE_ADDR=203.0.113.$i
	t_error 401 INVALID_CREDENTIALS
done
login owen guess4 REMOTE_ADDR=203.0.113.4
t_error 429 TOO_MANY_ATTEMPTS
t_end
t_begin "the guesser stays banned, with the right password too"
login owen owen-pw REMOTE_ADDR=203.0.113.5
t_error 429 TOO_MANY_ATTEMPTS
refresh_session "$SID" owen owen-pw REMOTE_ADDR=203.0.113.6
t_error 429 TOO_MANY_ATTEMPTS
t_end
t_begin "the owner from the known address gets in (login and refresh-session)"
login owen owen-pw REMOTE_ADDR=$OWNER
t_status 200
refresh_session "$SID" owen owen-pw REMOTE_ADDR=$OWNER
t_status 200
t_end
t_begin "the owner from an address it never logged in from is held by the ban"
login owen owen-pw REMOTE_ADDR=198.51.100.11
t_error 429 TOO_MANY_ATTEMPTS
t_end
t_begin "the known address is still regulated by its own counter"
for i in 1 2 3; do
	login owen "typo$i" REMOTE_ADDR=$OWNER
	t_error 401 INVALID_CREDENTIALS
done
login owen owen-pw REMOTE_ADDR=$OWNER
t_error 429 TOO_MANY_ATTEMPTS
t_end
t_begin "after session_ttl the address is no longer known"
adm unban "$OWNER"
# Its last success, moved back past session_ttl (no wait: the rule is the
# score's age, not the key's expiry).
rcli ZADD "$(ukey known "owen")" $(( $(date +%s) - 601 )) "$OWNER" >/dev/null
login owen owen-pw REMOTE_ADDR=$OWNER
t_error 429 TOO_MANY_ATTEMPTS
t_end
done_testing
