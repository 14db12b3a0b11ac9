/**
 * The helper that asks the kernel for the listen queues of unix sockets (NETLINK_SOCK_DIAG with
 * UDIAG_SHOW_RQLEN, what `ss -xl` reads): for a listening unix socket the kernel's rqueue is the number of
 * connections waiting to be accepted and wqueue the backlog. uWSGI reports 0/0 for them, and Node has no
 * netlink. It is perl: perl-base is part of every Debian system (python3 is not, on a box that runs uWSGI
 * for another language), and a perl query a second cost about half the CPU of the same script in python3
 * (docs/benchmarks.md, issue 21).
 * One long-lived process answers every query: a query line holds the wanted socket names in hex,
 * space-separated; the answer line holds, in the same order, `QUEUE,BACKLOG,INODE` entries joined by `;`
 * (several listeners can bear one relative name; at most 16) or `-` (no such listener).
 * A TCP listener is asked as `tF-ADDRESS-PORT` (F 4 or 6, the numeric address it is bound to) and read the way
 * `ss -ltn` reads it (inet_diag: idiag_rqueue waiting, idiag_wqueue the backlog); TCP is dumped only when asked
 * about. A failure answers `! ERRNO-NAME` (a malformed query: `! EINVAL`). It exits when its stdin closes.
 */
export const SOCK_DIAG_MARK = 'uwsgitop-sock-diag';

export const SOCK_DIAG_SCRIPT = `
use strict; use warnings;
use Socket qw(AF_INET AF_INET6 AF_UNIX SOCK_RAW IPPROTO_TCP inet_pton);
use Errno ();
$| = 1;
my ($AF_NETLINK, $NETLINK_SOCK_DIAG, $SOCK_DIAG_BY_FAMILY) = (16, 4, 20);
my ($NLM_F_REQUEST, $NLM_F_DUMP, $NLMSG_ERROR, $NLMSG_DONE) = (1, 0x300, 2, 3);
my ($UDIAG_SHOW_NAME, $UDIAG_SHOW_RQLEN, $UNIX_DIAG_NAME, $UNIX_DIAG_RQLEN) = (1, 0x10, 0, 4);
my $LISTEN_STATES = 1 << 10;
my $EINVAL = Errno::EINVAL();
my $EPROTO = Errno::EPROTO();

# One netlink socket serves every query; one that failed or fell out of step is closed, the next query opens another.
my $nl;
sub fail {
    my ($errno) = @_;
    if ($nl) { close($nl); undef $nl; }
    die "errno $errno\\n";
}

# Send one sock_diag dump request; $read->($data, $off, $len, $found) takes each message's answer into %$found.
sub diag_dump {
    my ($req, $read) = @_;
    if (!$nl) {
        socket($nl, $AF_NETLINK, SOCK_RAW, $NETLINK_SOCK_DIAG) or do { my $e = $! + 0; undef $nl; die "errno $e\\n" };
    }
    send($nl, pack('LSSLL', 16 + length($req), $SOCK_DIAG_BY_FAMILY, $NLM_F_REQUEST | $NLM_F_DUMP, 1, 0) . $req, 0) or fail($! + 0);
    my %found;
    while (1) {
        my $data;
        defined(recv($nl, $data, 65536, 0)) or fail($! + 0);
        return \\%found if length($data) == 0;
        my $off = 0;
        while ($off + 16 <= length($data)) {
            my ($len, $kind) = unpack('LS', substr($data, $off, 6));
            return \\%found if $kind == $NLMSG_DONE;
            fail($EPROTO) if $len < 16;
            fail(-unpack('l', substr($data, $off + 16, 4))) if $kind == $NLMSG_ERROR;
            $read->($data, $off, $len, \\%found);
            $off += ($len + 3) & ~3;
        }
    }
}

sub read_unix {
    my ($data, $off, $len, $found) = @_;
    # unix_diag_msg (family, type, state, pad, inode, cookie) is 16 bytes after the header; attributes follow.
    my $ino = unpack('L', substr($data, $off + 20, 4));
    my $end = $off + $len < length($data) ? $off + $len : length($data);
    my ($a, $name, @rq) = ($off + 32);
    while ($a + 4 <= $end) {
        my ($alen, $atype) = unpack('SS', substr($data, $a, 4));
        last if $alen < 4;
        if ($atype == $UNIX_DIAG_NAME) { $name = substr($data, $a + 4, $alen - 4); }
        elsif ($atype == $UNIX_DIAG_RQLEN && $alen >= 12) { @rq = unpack('LL', substr($data, $a + 4, 8)); }
        $a += ($alen + 3) & ~3;
    }
    return unless defined $name && @rq;
    # A path bound with its NUL counted (uWSGI's abstract names, some paths) is the same socket.
    $name =~ s/\\x00+\\z//;
    push @{ $found->{$name} }, "$rq[0],$rq[1],$ino";
}

sub unix_listeners {
    return diag_dump(pack('CCSLLLLL', AF_UNIX, 0, 0, $LISTEN_STATES, 0, $UDIAG_SHOW_NAME | $UDIAG_SHOW_RQLEN, 0xffffffff, 0xffffffff), \\&read_unix);
}

sub tcp_listeners {
    my ($family) = @_;
    my $size = $family == AF_INET ? 4 : 16;
    my $read = sub {
        my ($data, $off, $len, $found) = @_;
        # inet_diag_msg: family, state, timer, retrans, sockid (sport, dport, src[16], dst[16], if, cookie), expires, rqueue, wqueue, uid, inode.
        return unless $off + 16 + 72 <= length($data);
        my $m = $off + 16;
        my $port = unpack('n', substr($data, $m + 4, 2));
        my $src = substr($data, $m + 8, $size);
        my ($rq, $wq, undef, $ino) = unpack('LLLL', substr($data, $m + 56, 16));
        push @{ $found->{"$family-$port-$src"} }, "$rq,$wq,$ino";
    };
    # inet_diag_req_v2: family, protocol, ext, pad, states, then a zeroed inet_diag_sockid (48 bytes).
    return diag_dump(pack('CCCxL', $family, IPPROTO_TCP, 0, $LISTEN_STATES) . ("\\x00" x 48), $read);
}

sub tcp_key {
    my ($token) = @_;
    my ($fam, $addr, $port) = split /-/, $token, -1;
    my $family = $fam eq 't4' ? AF_INET : AF_INET6;
    fail($EINVAL) unless defined $port && $port =~ /^[0-9]{1,5}\\z/;
    my $packed = inet_pton($family, $addr);
    fail($EINVAL) unless defined $packed;
    return "$family-" . ($port + 0) . "-$packed";
}

sub errno_name {
    my ($n) = @_;
    local $! = $n;
    for my $name (keys %!) { return $name if $!{$name}; }
    return 'EINVAL';
}

while (my $line = <STDIN>) {
    my $out = eval {
        my @tokens = split ' ', $line;
        my @keys = map {
            if (/^t[46]-/) { ['tcp', tcp_key($_)] }
            else { fail($EINVAL) unless /^(?:[0-9a-fA-F]{2})+\\z/; ['unix', pack('H*', $_)] }
        } @tokens;
        my $unix = (grep { $_->[0] eq 'unix' } @keys) ? unix_listeners() : {};
        my %tcp;
        %tcp = (%tcp, %{ tcp_listeners(AF_INET) }) if grep { /^t4-/ } @tokens;
        %tcp = (%tcp, %{ tcp_listeners(AF_INET6) }) if grep { /^t6-/ } @tokens;
        join(' ', map {
            my $h = $_->[0] eq 'tcp' ? \\%tcp : $unix;
            my $list = $h->{ $_->[1] };
            $list ? join(';', @{$list}[0 .. ($#$list < 15 ? $#$list : 15)]) : '-';
        } @keys);
    };
    if (!defined $out) {
        my ($n) = ($@ =~ /^errno (-?\\d+)/);
        $out = '! ' . (defined $n && $n > 0 ? errno_name($n) : 'EINVAL');
    }
    print "$out\\n";
}
`;
