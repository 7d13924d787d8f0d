# tests/lib/http.sh - requests over TCP to the web server in front of the
# responder, at $BASE and $HTTP_PORT (lighttpd_start of tests/lib/lighttpd.sh
# sets them, or a script that starts its own server): http, one request
# through curl, and raw_http, exact bytes over one connection.

lib_use secrets

# http METHOD PATH [BODY] [curl args...]: one request through lighttpd.
# Sets STATUS (the HTTP code, 000 on no answer), HEADERS/$HDRF, BODY/$BODYF,
# HTTP_S (curl's time_total).  Notes its bodies itself (secrets_note), so it
# calls curl past the curl function.
http() {
	local method=$1 path=$2 body=${3-} w
	shift 2
	[ $# -gt 0 ] && shift
	HDRF=$T/http.hdr BODYF=$T/http.body
	local -a data=()
	if [ -n "$body" ]; then
		data=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	w=$(command curl -s -m 10 -X "$method" -o "$BODYF" -D "$T/http.rawhdr" \
	    -w '%{http_code} %{time_total}' "${data[@]}" "$@" "$BASE$path")
	STATUS=${w%% *}
	HTTP_S=${w#* }
	tr -d '\r' <"$T/http.rawhdr" 2>/dev/null | sed '1d;/^$/d' >"$HDRF"
	HEADERS=$(cat "$HDRF")
	BODY=$(cat "$BODYF" 2>/dev/null)
	secrets_note "$body"
}

# raw_http FILE [keep]: send FILE's bytes as they are to lighttpd over one
# TCP connection, then shut the sending side (unless "keep") and read the
# answer until lighttpd closes or 10 s pass (perl, from perl-base).  Sets
# RAW_STATUS (the status line's code, 000 for no answer), RAW (the answer,
# CR removed), RAW_MS and RAW_CLOSED (1 if lighttpd closed the connection
# within the 10 s).
raw_http() {
	local t0 t1 out
	t0=$(now_ms)
	out=$(perl -MIO::Socket::INET -e '
		my ($port, $file, $keep) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Proto => "tcp") or die "connect: $!\n";
		open(my $f, "<:raw", $file) or die "$file: $!\n";
		local $/; my $b = <$f>;
		print $s $b;
		$s->shutdown(1) unless $keep;
		my ($ans, $closed) = ("", 0);
		eval {
			local $SIG{ALRM} = sub { die "timeout\n" };
			alarm 10;
			while (1) {
				my $n = sysread($s, my $buf, 65536);
				last unless $n;
				$ans .= $buf;
			}
			alarm 0;
			$closed = 1;
		};
		print "$closed\n$ans";
	' "$HTTP_PORT" "$1" "${2:-}" 2>&1)
	t1=$(now_ms)
	RAW_MS=$((t1 - t0))
	RAW_CLOSED=${out%%$'\n'*}
	RAW=$(printf '%s' "${out#*$'\n'}" | tr -d '\r')
	RAW_STATUS=000
	[[ $RAW =~ ^HTTP/1\.[01]\ ([0-9][0-9][0-9]) ]] && RAW_STATUS=${BASH_REMATCH[1]}
}
