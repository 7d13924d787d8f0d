# autenticacao-admin migrate-keys (README "Upgrading", docs/design.md
# "Keys"): the keys of the layout before slot tags (P user:<name>, the
# P users set, P user-sessions:<name>, P known:{u:<name>}) move to their
# tagged names, logins work again, and a session of that layout (a
# 22-character id under P session:<sid>) keeps working until it ends.
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer

redis_start || exit 1
conf_write access_ttl=600 session_ttl=7200

# An old layout, made from a real user: its record and index moved back to
# the old names, its session moved to a 22-character id.
user_add olga olga-pw-1
user_add pia pia-pw-1
login olga olga-pw-1
OLD=${SID:0:22} NEW_SID=$SID
rcli RENAME "$(skey "$NEW_SID")" "${PREFIX}session:$OLD" >/dev/null
rcli HSET "${PREFIX}session:$OLD" ah "$(sha256 "$OLD.${AUTH##*.}")" >/dev/null
AUTH_OLD="Bearer $OLD.${AUTH##*.}"
rcli RENAME "$(ukey user olga)" "${PREFIX}user:olga" >/dev/null
rcli DEL "$(ukey user-sessions olga)" >/dev/null
rcli ZADD "${PREFIX}user-sessions:olga" 9999999999 "$OLD" >/dev/null
rcli ZADD "${PREFIX}known:{u:olga}" "$(date +%s)" a:192.0.2.9 >/dev/null
rcli SADD "${PREFIX}users" olga pia >/dev/null

t_begin "before migrate-keys: the old layout's user is not found, its session is"
login olga olga-pw-1
t_status 401
session_get "$AUTH_OLD"
t_status 200
t_eq "sessionId" "$(jq -r .data.sessionId <<<"$BODY")" "$OLD"
t_end

t_begin "migrate-keys moves the user's keys (merging the known addresses a login of the new layout wrote) and drops the users set"
adm migrate-keys
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "migrate-keys: 1 user and 2 other keys moved, 0 users left (a record under both names)"
t_eq "old keys" "$(rcli EXISTS "${PREFIX}user:olga" "${PREFIX}users" "${PREFIX}user-sessions:olga" "${PREFIX}known:{u:olga}")" 0
t_eq "record" "$(rcli EXISTS "$(ukey user olga)")" 1
t_eq "index" "$(rcli ZSCORE "$(ukey user-sessions olga)" "$OLD")" 9999999999
t_eq "known: the old address merged beside the new one" "$(rcli ZCARD "$(ukey known olga)")" 2
t_end

t_begin "after migrate-keys: logins work, list names both users, the old session still works and ends"
login olga olga-pw-1
t_status 200
t_match "new id: 22 random characters and the user's tag" "$SID" "^[A-Za-z0-9_-]{22}$(printf %s olga | sha1sum | cut -c1-4)\$"
adm list
t_eq list "$ADM_OUT" $'olga\npia'
session_get "$AUTH_OLD"
t_status 200
adm sessions olga
t_match "sessions lists the old one" "$ADM_OUT" "^$OLD "
adm revoke "$OLD"
t_eq exit "$ADM_RC" 0
session_get "$AUTH_OLD"
t_status 401
t_end

t_begin "a second run finds nothing"
adm migrate-keys
t_eq exit "$ADM_RC" 0
t_eq stdout "$ADM_OUT" "migrate-keys: 0 users and 0 other keys moved, 0 users left (a record under both names)"
t_end

t_begin "both names present: the user is left whole, reported, exit 1"
rcli HSET "${PREFIX}user:pia" mcf x disabled 0 created 1 >/dev/null
adm migrate-keys
t_eq exit "$ADM_RC" 1
t_eq stdout "$ADM_OUT" "migrate-keys: 0 users and 0 other keys moved, 1 user left (a record under both names)"
t_match stderr "$ADM_ERR" '1 user left with records under both names'
login pia pia-pw-1
t_status 200
t_end
done_testing
