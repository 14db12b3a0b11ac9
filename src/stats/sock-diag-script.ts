/**
 * The python3 helper that asks the kernel for the listen queues of unix sockets (NETLINK_SOCK_DIAG with
 * UDIAG_SHOW_RQLEN, what `ss -xl` reads): for a listening unix socket the kernel's rqueue is the number of
 * connections waiting to be accepted and wqueue the backlog. uWSGI reports 0/0 for them, and Node has no
 * netlink. One long-lived process answers every query: a query line holds the wanted socket names in hex,
 * space-separated; the answer line holds, in the same order, `QUEUE,BACKLOG,INODE` entries joined by `;`
 * (several listeners can bear one relative name) or `-` (no such listener).
 * A TCP listener is asked as `tF-ADDRESS-PORT` (F 4 or 6, the numeric address it is bound to) and read the way `ss -ltn`
 * reads it (inet_diag: idiag_rqueue waiting, idiag_wqueue the backlog); TCP is dumped only when asked about.
 * A netlink failure answers `! ERRNO-NAME`. It exits when its stdin closes.
 */
export const SOCK_DIAG_MARK = 'uwsgitop-sock-diag';

export const SOCK_DIAG_SCRIPT = `
import errno, socket, struct, sys
NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY = 4, 20
NLM_F_REQUEST, NLM_F_DUMP, NLMSG_ERROR, NLMSG_DONE = 1, 0x300, 2, 3
UDIAG_SHOW_NAME, UDIAG_SHOW_RQLEN, UNIX_DIAG_NAME, UNIX_DIAG_RQLEN = 1, 0x10, 0, 4
TCP_LISTEN = 10

NL = []

def dump(req, read):
    """Send one sock_diag dump request; read(data, off, ln, found) takes each message's answer into found."""
    # One netlink socket serves every query (measured: opening and closing one per query cost ~70 us of the
    # helper's ~550 us a query at one a second); one that failed is closed and the next query opens another.
    if not NL:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        s.settimeout(1.0)
        NL.append(s)
    s = NL[0]
    try:
        s.sendto(struct.pack('=IHHII', 16 + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + req, (0, 0))
        found = {}
        while True:
            data = s.recv(1 << 16)
            if not data:
                return found
            off = 0
            while off + 16 <= len(data):
                ln, kind = struct.unpack_from('=IH', data, off)
                if kind == NLMSG_DONE:
                    return found
                if ln < 16:
                    # Out of step: what is left of this dump must not be read as the next query's answer.
                    raise OSError(errno.EPROTO, 'malformed netlink message')
                if kind == NLMSG_ERROR:
                    raise OSError(-struct.unpack_from('=i', data, off + 16)[0], 'netlink error')
                read(data, off, ln, found)
                off += (ln + 3) & ~3
    except BaseException:
        NL.clear()
        s.close()
        raise

def read_unix(data, off, ln, found):
    # unix_diag_msg (family, type, state, pad, inode, cookie) is 16 bytes after the header; attributes follow.
    ino = struct.unpack_from('=I', data, off + 20)[0]
    a, end, name, rq = off + 32, min(off + ln, len(data)), None, None
    while a + 4 <= end:
        alen, atype = struct.unpack_from('=HH', data, a)
        if alen < 4:
            break
        if atype == UNIX_DIAG_NAME:
            name = data[a + 4:a + alen]
        elif atype == UNIX_DIAG_RQLEN and alen >= 12:
            rq = struct.unpack_from('=II', data, a + 4)
        a += (alen + 3) & ~3
    if name is not None and rq is not None:
        # A path bound with its NUL counted (uWSGI's abstract names, some paths) is the same socket.
        found.setdefault(name.rstrip(b'\\0'), []).append('%d,%d,%d' % (rq[0], rq[1], ino))

def listeners():
    return dump(struct.pack('=BBHIIIII', socket.AF_UNIX, 0, 0, 1 << TCP_LISTEN, 0, UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN, 0xffffffff, 0xffffffff), read_unix)

def tcp_listeners(family):
    size = 4 if family == socket.AF_INET else 16
    def read_tcp(data, off, ln, found):
        # inet_diag_msg: family, state, timer, retrans, sockid (sport, dport, src[16], dst[16], if, cookie), expires, rqueue, wqueue, uid, inode.
        if off + 16 + 72 <= len(data):
            m = off + 16
            port = struct.unpack_from('>H', data, m + 4)[0]
            src = data[m + 8:m + 8 + size]
            rq, wq, _uid, ino = struct.unpack_from('=IIII', data, m + 56)
            found.setdefault((family, src, port), []).append('%d,%d,%d' % (rq, wq, ino))
    # inet_diag_req_v2: family, protocol, ext, pad, states, then a zeroed inet_diag_sockid (48 bytes).
    return dump(struct.pack('=BBBxI', family, socket.IPPROTO_TCP, 0, 1 << TCP_LISTEN) + bytes(48), read_tcp)

def tcp_key(token):
    fam, addr, port = token.decode('ascii').split('-')
    family = socket.AF_INET if fam == 't4' else socket.AF_INET6
    return (family, socket.inet_pton(family, addr), int(port))

for line in sys.stdin.buffer:
    try:
        tokens = line.split()
        unix = listeners() if any(not t.startswith(b't') for t in tokens) else {}
        tcp = tcp_listeners(socket.AF_INET) if any(t.startswith(b't4') for t in tokens) else {}
        if any(t.startswith(b't6') for t in tokens):
            tcp.update(tcp_listeners(socket.AF_INET6))
        out = ' '.join(';'.join(h[w][:16]) if w in h else '-' for h, w in ((tcp, tcp_key(t)) if t.startswith(b't') else (unix, bytes.fromhex(t.decode('ascii'))) for t in tokens))
    except (OSError, ValueError, UnicodeError) as e:
        out = '! ' + (errno.errorcode.get(getattr(e, 'errno', 0) or 0, 'EINVAL'))
    sys.stdout.write(out + '\\n')
    sys.stdout.flush()
`;
