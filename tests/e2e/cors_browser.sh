# The seed page's JavaScript example from a real browser on another origin
# (docs/API.md "Browsers on other origins (CORS)"): headless Chromium
# (Debian's chromium) loads tests/e2e/cors_browser.html from a static
# lighttpd on one loopback port and runs its fetch calls against the
# service behind the shipped conf/lighttpd.conf on another, with the
# page's origin in cors_origins.  Login, then the seed's refresh-session
# with that session: success true and the same sessionId reach the page;
# a wrong password's error body and an exposed header are readable; the
# same page from an origin not in cors_origins gets a rejected fetch, and
# the request behind the preflight is never sent.
#
# The script starts Redis, both lighttpds and each browser run itself and
# stops them all; the browser runs as root (CI) with --no-sandbox, and
# with no network but loopback.
. "$(dirname "$0")/../lib.sh"
lib_use redis secrets cgi answer lighttpd http

CHROMIUM=${CHROMIUM:-chromium}
PAGE_PID=
BROWSER_S=90	# seconds one page load may take (it takes 2 or 3)

# page_stop: stop the static lighttpd of the page.
page_stop() {
	[ -n "$PAGE_PID" ] || return 0
	kill "$PAGE_PID" 2>/dev/null
	wait "$PAGE_PID" 2>/dev/null
	PAGE_PID=
}

# browse URL NAME: load URL in a fresh headless Chromium and wait for the
# page to finish (--virtual-time-budget: virtual time stands still while
# a fetch is pending); PAGE_JSON is what its #result holds then,
# BROWSE_RC the browser's exit status, the DOM is $T/NAME.html and the
# browser's stderr $T/NAME.stderr.txt.  timeout ends the browser's whole
# process group if it hangs.
browse() {
	local url=$1 name=$2 rc
	mkdir -p "$T/home"
	HOME=$T/home timeout -k 5 "$BROWSER_S" "$CHROMIUM" --headless \
	    --no-sandbox --disable-gpu --disable-dev-shm-usage \
	    --user-data-dir="$T/profile-$name" --no-first-run \
	    --no-default-browser-check --disable-extensions --disable-sync \
	    --disable-background-networking --disable-component-update \
	    --no-proxy-server --virtual-time-budget=30000 \
	    --dump-dom "$url" >"$T/$name.html" 2>"$T/$name.stderr.txt" </dev/null
	rc=$?
	BROWSE_RC=$rc
	# The profile is the browser's, not the service's: its LevelDB
	# *.log files are no log for the secrets scan.
	rm -rf "$T/profile-$name"
	PAGE_JSON=$(sed -n 's/.*<pre id="result">\(.*\)<\/pre>.*/\1/p' "$T/$name.html" |
	    sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g')
	# What the page was answered goes to the secrets scan like any body.
	BODY=$PAGE_JSON secrets_note ''
}

# pj FILTER: jq -r FILTER on PAGE_JSON.
pj() {
	jq -r "$1" <<<"$PAGE_JSON" 2>/dev/null || echo "<invalid json>"
}

# sessions: how many sessions Redis holds under the script's prefix.
sessions() {
	rcli --scan --pattern "${PREFIX}session:*" | grep -c .
}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	notok "chromium is installed (make deps installs it)" "no $CHROMIUM in PATH"
	done_testing
fi
redis_start || exit 1
PAGE_PORT=$(free_port) || exit 1
OTHER_PORT=$(free_port) || exit 1
while [ "$OTHER_PORT" = "$PAGE_PORT" ]; do OTHER_PORT=$(free_port) || exit 1; done
PAGE_ORIGIN=http://127.0.0.1:$PAGE_PORT
OTHER_ORIGIN=http://127.0.0.1:$OTHER_PORT
conf_write "cors_origins=$PAGE_ORIGIN"
user_add seu_usuario sua_senha
if ! lighttpd_start; then
	notok "lighttpd starts with $LIGHTTPD_CONF" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi
t_begin "e2e: the API runs behind the shipped conf/lighttpd.conf"
t_eq "config" "$LIGHTTPD_CONF" "$ROOT_DIR/conf/lighttpd.conf"
t_end

# The page's own server: one static lighttpd listening on two ports, so
# the same page has two origins, one of them in cors_origins.
mkdir -p "$T/page/htdocs"
sed "s|@API@|$BASE$API|" "$TESTS_DIR/e2e/cors_browser.html" >"$T/page/htdocs/index.html"
cat >"$T/page/lighttpd.conf" <<EOF
server.document-root = "$T/page/htdocs"
server.bind = "127.0.0.1"
server.port = $PAGE_PORT
server.errorlog = "$T/page/error.log"
mimetype.assign = ( ".html" => "text/html; charset=utf-8" )
\$SERVER["socket"] == "127.0.0.1:$OTHER_PORT" { }
EOF
lighttpd -D -f "$T/page/lighttpd.conf" </dev/null >>"$T/page/error.log" 2>&1 &
PAGE_PID=$!
BG_PIDS+=("$PAGE_PID")
for i in $(seq 1 100); do
	port_busy "$PAGE_PORT" && port_busy "$OTHER_PORT" && break
	sleep 0.1
done
t_begin "e2e: the page is served on two more ports (two origins)"
t_eq "page from $PAGE_ORIGIN" "$(command curl -s -o /dev/null -w '%{http_code}' "$PAGE_ORIGIN/index.html")" 200
t_eq "page from $OTHER_ORIGIN" "$(command curl -s -o /dev/null -w '%{http_code}' "$OTHER_ORIGIN/index.html")" 200
t_end

# ---- from the origin in cors_origins
browse "$PAGE_ORIGIN/index.html" allowed
echo "# page $PAGE_ORIGIN: $PAGE_JSON"
t_begin "browser: the page from $PAGE_ORIGIN runs to its end"
t_eq "browser exit" "$BROWSE_RC" 0
t_eq "page origin" "$(pj .origin)" "$PAGE_ORIGIN"
t_eq "rejected fetch" "$(pj '.rejected // "none"')" none
t_eq "last step" "$(pj .step)" done
[ -n "$PAGE_JSON" ] || t_fail "no result in the page: $(tail -c 300 "$T/allowed.stderr.txt")"
t_end
SID=$(pj .login.body.data.sessionId)
t_begin "browser: login -> 200, a sessionId in the page"
t_eq status "$(pj .login.status)" 200
t_eq success "$(pj .login.body.success)" true
t_match sessionId "$SID" '^[A-Za-z0-9._~-]{22,256}$'
t_end
t_begin "browser: the seed's fetch example -> success true and the same sessionId in the page"
t_eq status "$(pj .refresh.status)" 200
t_eq success "$(pj .refresh.body.success)" true
t_eq "data.sessionId (mantido)" "$(pj .refresh.body.data.sessionId)" "$SID"
for f in authorization authorizationCorban refreshToken; do
	t_token_shape "$f" "$(pj ".refresh.body.data.$f")"
done
t_ne "new authorization" "$(pj .refresh.body.data.authorization)" "$(pj .login.body.data.authorization)"
t_end
t_begin "browser: a wrong password -> the page reads 401 and the error body"
t_eq status "$(pj .wrong.status)" 401
t_eq success "$(pj .wrong.body.success)" false
t_eq error.code "$(pj .wrong.body.error.code)" INVALID_CREDENTIALS
t_end
t_begin "browser: GET /session with the new authorization (preflight for Authorization) -> 200, same session"
t_eq status "$(pj .session.status)" 200
t_eq sessionId "$(pj .session.body.data.sessionId)" "$SID"
t_eq username "$(pj .session.body.data.username)" seu_usuario
t_end
t_begin "browser: the replaced authorization -> 401, WWW-Authenticate readable (exposed)"
t_eq status "$(pj .stale.status)" 401
t_eq error.code "$(pj .stale.body.error.code)" INVALID_TOKEN
t_match WWW-Authenticate "$(pj .stale.wwwAuthenticate)" '^Bearer error="invalid_token"$'
t_end
echo "# note: page from $PAGE_ORIGIN: login $(pj .login.status), seed example $(pj .refresh.status) success $(pj .refresh.body.success), same sessionId $([[ $SID =~ ^[A-Za-z0-9._~-]{22,}$ && "$(pj .refresh.body.data.sessionId)" = "$SID" ]] && echo yes || echo NO), wrong password $(pj .wrong.status) $(pj .wrong.body.error.code)"
t_begin "browser: the preflights reached the responder and were answered 204"
t_match "log" "$(<"$LIGHTTPD_LOG")" "OPTIONS $API/refresh-session 204 "
t_match "log" "$(<"$LIGHTTPD_LOG")" "OPTIONS $API/session 204 "
t_end

# ---- the same page from an origin not in cors_origins
before=$(sessions)
posts=$(grep -c "POST $API/login " "$LIGHTTPD_LOG")
browse "$OTHER_ORIGIN/index.html" other
echo "# page $OTHER_ORIGIN: $PAGE_JSON"
t_begin "browser: the page from $OTHER_ORIGIN (not in cors_origins) gets a rejected fetch"
t_eq "browser exit" "$BROWSE_RC" 0
t_eq "page origin" "$(pj .origin)" "$OTHER_ORIGIN"
t_eq "step" "$(pj .step)" login
t_match "rejected" "$(pj '.rejected // "not rejected"')" '^TypeError: '
t_eq "login answer seen by the page" "$(pj '.login // "none"')" none
t_end
echo "# note: page from $OTHER_ORIGIN: $(pj '.rejected // "not rejected"') at step $(pj .step)"
t_begin "browser: that preflight was answered 204 without CORS headers, and no login was made"
t_match "log" "$(<"$LIGHTTPD_LOG")" "OPTIONS $API/login 204 "
t_eq "POST /login lines in the log" "$(grep -c "POST $API/login " "$LIGHTTPD_LOG")" "$posts"
t_eq "sessions in Redis" "$(sessions)" "$before"
http OPTIONS "$API/login" "" -H "Origin: $OTHER_ORIGIN" -H 'Access-Control-Request-Method: POST'
t_eq "status through lighttpd" "$STATUS" 204
t_nomatch "headers" "$HEADERS" '[Aa]ccess-[Cc]ontrol-'
t_end

t_begin "browser: no Chromium process is left"
left=$(pgrep -f -- "--user-data-dir=$T/profile-" 2>/dev/null | tr '\n' ' ')
if [ -n "$left" ]; then
	t_fail "left running: $left"
	kill $left 2>/dev/null
fi
t_end
page_stop
lighttpd_stop
t_begin "e2e: no sanitizer report from the FastCGI workers"
t_lighttpd_clean
t_end
done_testing
