# The shipped lighttpd recipe (conf/lighttpd.conf) does not let idle or
# half-sent connections hold its connection slots: lighttpd drops a
# connection that sends nothing, or stops halfway through its request,
# after server.max-read-idle (10 s; lighttpd's own default is 60 s, which
# lets one client hold every slot with a few hundred such connections).
. "$(dirname "$0")/../lib.sh"
lib_use redis cgi answer lighttpd http

redis_start || exit 1
conf_write
if ! lighttpd_start; then
	notok "lighttpd starts" "$(tail -n 5 "$LIGHTTPD_LOG" 2>/dev/null)"
	done_testing
fi

# hold WHAT FILE: connect, send WHAT, wait up to 30 s for lighttpd to close
# the connection; the seconds it took into FILE ("open" if it never did).
hold() {
	perl -MIO::Socket::INET -MTime::HiRes=time -e '
		my ($port, $what) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Proto => "tcp") or die "connect\n";
		print $s $what;
		my $t0 = time;
		my $r = eval {
			local $SIG{ALRM} = sub { die "open\n" };
			alarm 30;
			1 while sysread($s, my $buf, 4096);
			alarm 0;
			1;
		};
		print $r ? sprintf("%d\n", time - $t0 + 0.5) : "open\n";
	' "$HTTP_PORT" "$1" >"$2" 2>&1
}
hold "" "$T/silent" &
p1=$!
hold $'POST /api/v1/autenticacao/login HTTP/1.1\r\nHost: x\r\nContent-Le' "$T/half" &
p2=$!
wait "$p1" "$p2"

t_begin "lighttpd recipe: a connection that sends nothing is dropped within 15 s"
t_match "seconds" "$(cat "$T/silent")" '^[0-9]+$'
t_le "seconds" "$(cat "$T/silent")" 15
t_end
t_begin "lighttpd recipe: a connection that stops halfway through its request is dropped within 15 s"
t_match "seconds" "$(cat "$T/half")" '^[0-9]+$'
t_le "seconds" "$(cat "$T/half")" 15
t_end
t_begin "lighttpd recipe: the service answers meanwhile and after"
http GET "$API/health"
t_status 200
t_end
t_lighttpd_clean
done_testing
