/**
 * The python3 broker that connects to abstract sockets for Node 20 (see transport-abstract-broker.ts).
 * One process serves every abstract read of the Node process: it multiplexes connections over its
 * stdin/stdout with binary-safe frames, a header line `ID OP LEN\n` followed by LEN raw bytes.
 *   Node -> broker: open (payload: the name, without '@'), write (bytes for the server), close.
 *   broker -> Node: connected, data (bytes from the server), end (the server closed), error (payload: errno name).
 * It never blocks on one connection: every fd is non-blocking or polled first; a full listen backlog
 * (EAGAIN) is retried until Node gives up and sends close. Output to Node is buffered and sockets are not
 * read while more than MAX_OUT waits, so a slow Node bounds its memory. It exits when its stdin closes
 * (the Node process ended) and on a malformed frame (exit 3, reason on stderr).
 */
export const BROKER_MARK = 'uwsgitop-abstract-broker';

export const BROKER_SCRIPT = `
import errno, os, select, socket, sys
MAX_OUT = 1 << 20
MAX_IN = 1 << 20
MAX_HEADER = 64
RETRY_MS = 50
IN, OUT, ERR = select.POLLIN, select.POLLOUT, select.POLLERR | select.POLLHUP | select.POLLNVAL

class Conn:
    __slots__ = ('cid', 'name', 'sock', 'attempt', 'wbuf', 'wdead')
    def __init__(self, cid, name):
        self.cid, self.name, self.sock, self.attempt, self.wbuf, self.wdead = cid, name, None, 0, bytearray(), False

conns = {}
by_fd = {}
retry = set()
out = bytearray()
inbuf = bytearray()
poller = select.poll()
registered = {}

def errname(e):
    return errno.errorcode.get(e.errno or 0, 'EIO').encode()

def emit(cid, op, payload=b''):
    out.extend(b'%d %s %d\\n' % (cid, op, len(payload)))
    out.extend(payload)

def bad(why):
    os.write(2, ('bad frame from node: %s\\n' % why).encode())
    sys.exit(3)

def watch(fd, mask):
    if mask:
        if registered.get(fd) != mask:
            poller.register(fd, mask)
            registered[fd] = mask
    elif fd in registered:
        poller.unregister(fd)
        del registered[fd]

def drop(c):
    conns.pop(c.cid, None)
    retry.discard(c)
    if c.sock is not None:
        fd = c.sock.fileno()
        watch(fd, 0)
        by_fd.pop(fd, None)
        c.sock.close()
        c.sock = None

def fail(c, e):
    emit(c.cid, b'error', errname(e) if isinstance(e, OSError) else e)
    drop(c)

def connect(c):
    # uWSGI 2.0 binds '\\0name\\0' (the trailing NUL counted); others bind '\\0name'.
    addresses = (b'\\0' + c.name + b'\\0', b'\\0' + c.name)
    while c.attempt < len(addresses):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        code = s.connect_ex(addresses[c.attempt])
        if code == 0:
            retry.discard(c)
            c.sock = s
            by_fd[s.fileno()] = c
            emit(c.cid, b'connected')
            return
        s.close()
        if code == errno.ECONNREFUSED and c.attempt + 1 < len(addresses):
            c.attempt += 1
            continue
        if code in (errno.EAGAIN, errno.EINPROGRESS):
            retry.add(c)  # the listen backlog is full: try again soon, Node's deadline bounds it
            return
        retry.discard(c)
        fail(c, errno.errorcode.get(code, 'EIO').encode())
        return

def flush():
    # Node reads its end all the time: most writes complete at once, the rest waits for POLLOUT.
    if out:
        try:
            del out[:os.write(1, out)]
        except BlockingIOError:
            pass
        except OSError:
            sys.exit(0)

def handle(cid, op, payload):
    if op == b'open':
        if cid in conns or not payload:
            bad('open of id %d' % cid)
        c = Conn(cid, payload)
        conns[cid] = c
        connect(c)
    elif op == b'write':
        c = conns.get(cid)
        if c is not None and not c.wdead:
            c.wbuf.extend(payload)
    elif op == b'close':
        c = conns.get(cid)
        if c is not None:
            drop(c)
    else:
        bad('unknown op %r' % op[:20])

def parse():
    while True:
        nl = inbuf.find(b'\\n', 0, MAX_HEADER)
        if nl < 0:
            if len(inbuf) >= MAX_HEADER:
                bad('header too long')
            return
        parts = bytes(inbuf[:nl]).split(b' ')
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            bad('header %r' % bytes(inbuf[:nl]))
        size = int(parts[2])
        if size > MAX_IN:
            bad('payload of %d bytes' % size)
        if len(inbuf) < nl + 1 + size:
            return
        payload = bytes(inbuf[nl + 1:nl + 1 + size])
        del inbuf[:nl + 1 + size]
        handle(int(parts[0]), parts[1], payload)

def on_socket(c, events):
    if events & OUT and c.wbuf:
        try:
            sent = c.sock.send(c.wbuf)
            del c.wbuf[:sent]
        except BlockingIOError:
            pass
        except OSError:
            # The server does not read (a plain stats server closes after writing): keep reading its reply.
            c.wdead = True
            c.wbuf.clear()
    if events & (IN | ERR) and c.sock is not None:
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError as e:
            fail(c, e)
            return
        if data:
            emit(c.cid, b'data', data)
        else:
            emit(c.cid, b'end')
            drop(c)

os.set_blocking(1, False)
watch(0, IN)
while True:
    reading = len(out) < MAX_OUT
    for c in list(conns.values()):
        if c.sock is not None:
            watch(c.sock.fileno(), (IN if reading else 0) | (OUT if c.wbuf else 0))
    watch(1, OUT if out else 0)
    ready = poller.poll(RETRY_MS if retry else None)
    for fd, events in ready:
        if fd == 0:
            data = os.read(0, 65536)
            if not data:
                sys.exit(0)
            inbuf.extend(data)
            parse()
        elif fd == 1:
            if events & (select.POLLERR | select.POLLHUP):
                sys.exit(0)
        else:
            c = by_fd.get(fd)
            if c is not None:
                on_socket(c, events)
    for c in list(retry):
        connect(c)
    flush()
`;
