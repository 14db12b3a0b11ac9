#!/usr/bin/env bash
# Captures the nine real uWSGI stats documents of test/fixtures/samples from Debian's uWSGI, byte for byte.
# Usage: bash scripts/capture-samples.sh [OUTDIR]   (default: a new temp dir, printed at the end)
# Every uWSGI is started here on free loopback ports in a temp dir and stopped by pid on exit. OUTDIR is
# written only once all nine captures succeeded, so a failed run never leaves half a set behind.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
APP="$REPO/scripts/demo/app.py"

die() { echo "capture-samples: $*" >&2; exit 1; }

UWSGI="$(command -v uwsgi || true)"
[ -n "$UWSGI" ] || die "uwsgi not found: run 'bash scripts/setup.sh test' (installs uwsgi-core and uwsgi-plugin-python3)"
command -v python3 >/dev/null || die "python3 not found (it reads the stats sockets)"
command -v setsid >/dev/null || die "setsid not found (util-linux)"

if [ $# -gt 1 ]; then die "usage: capture-samples.sh [OUTDIR]"; fi
OUT="${1:-}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/uwsgitop-capture.XXXXXX")"
PIDS=()

# Stop every master this script started: SIGINT, then SIGKILL of its process group (setsid made each
# master the leader of its own group, so its workers and vassals go with it).
stop_all() {
  local pid deadline
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 4))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_all
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The socket side, in python3: read a stats socket to EOF, send raw HTTP requests, write to a FIFO.
PY='
import os, re, select, socket, sys, time

def pause(seconds):
    # select() rather than time.sleep(): time.sleep fails (EINVAL) under libfaketime, in the calendar run of the suite.
    select.select([], [], [], seconds)

def fail(msg):
    sys.stderr.write("capture-samples: " + msg + "\n")
    sys.exit(1)

def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)

def read_all(target, http):
    with socket.create_connection(addr(target), timeout=3) as s:
        if http:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk

def grab(argv):
    # grab OUT ADDR TIMEOUT_S [http] [REGEX=MIN ...]: keep reading until every pattern occurs at least MIN
    # times (MIN 0: not at all); OUT - only waits.
    out, target, timeout = argv[0], argv[1], float(argv[2])
    http = len(argv) > 3 and argv[3] == "http"
    wants = []
    for w in argv[4 if http else 3:]:
        pattern, _, count = w.rpartition("=")
        wants.append((re.compile(os.fsencode(pattern)), int(count)))
    deadline = time.monotonic() + timeout
    last, unmet = b"", "a reply"
    while time.monotonic() < deadline:
        try:
            last = read_all(target, http)
        except OSError as err:
            unmet = "a reply (" + str(err) + ")"
            pause(0.1)
            continue
        missing = [p.pattern.decode() + " x" + str(n) for p, n in wants if (len(p.findall(last)) < n if n else p.search(last))]
        if last and not missing:
            if out != "-":
                with open(out, "wb") as f:
                    f.write(last)
            return
        unmet = ", ".join(missing) if last else "a non-empty reply"
        pause(0.05)
    fail(os.path.basename(out) + ": no capture from " + target + " within " + argv[2] + " s: wanted " + unmet + " (last reply " + str(len(last)) + " bytes)")

def request(argv):
    # request PORT RAW COUNT: send a raw HTTP request COUNT times in turn, each answer read to EOF.
    for _ in range(int(argv[2])):
        with socket.create_connection(("127.0.0.1", int(argv[0])), timeout=120) as s:
            s.sendall(os.fsencode(argv[1]))
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        if not reply.startswith(b"HTTP/1.1 200"):
            fail("request to port " + argv[0] + " got " + repr(reply[:60]))

def fifo(argv):
    # fifo PATH BYTES: non-blocking open, as the facts require (a blocking open hangs if no master reads).
    fd = os.open(argv[0], os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, os.fsencode(argv[1]))
    finally:
        os.close(fd)

{"grab": grab, "request": request, "fifo": fifo}[sys.argv[1]](sys.argv[2:])
'
py() { python3 -c "$PY" "$@"; }

# 30 distinct free loopback ports, asked for at once (one python start, not thirty on a loaded machine).
read -r -a FREE_PORTS <<<"$(python3 -c '
import socket
socks = [socket.socket() for _ in range(30)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')"
NEXT_PORT=0
# port VAR: set VAR to the next free port.
port() { printf -v "$1" %s "${FREE_PORTS[$NEXT_PORT]}"; NEXT_PORT=$((NEXT_PORT + 1)); }

# start NAME [uwsgi options...]: one master in its own process group, its own dir and log.
start() {
  local name="$1"; shift
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && exec setsid "$UWSGI" --die-on-term --socket-timeout 4 "$@" >>"$WORK/$name.log" 2>&1) &
  PIDS+=("$!")
}

# capture FILE|- NAME ADDR TIMEOUT [http] [REGEX=MIN...]: one document into the work dir (- only waits for
# it), or fail showing the instance's log.
capture() {
  local file="$1" name="$2"; shift 2
  [ "$file" = - ] || file="$WORK/out/$file"
  if ! py grab "$file" "$@"; then
    echo "--- last lines of the $name uWSGI log:" >&2
    tail -n 15 "$WORK/$name.log" >&2 || true
    exit 1
  fi
}

mkdir -p "$WORK/out"
APP_ARGS=(--master --plugin python3 --wsgi-file "$APP" --env UWSGITOP_SLOW_DEFAULT_S=60)

# Everything starts at once (the legion takes ~5 s to elect a lord); the captures then run in turn.
port I_HTTP; port I_STATS
start instance "${APP_ARGS[@]}" --http-socket "127.0.0.1:$I_HTTP" --stats "127.0.0.1:$I_STATS" \
  --workers 4 --threads 2 --cache2 name=mycache,items=100 --enable-metrics --memory-report \
  --master-fifo "$WORK/instance/master.fifo"

port C_HTTP; port C_STATS
start control "${APP_ARGS[@]}" --http-socket "127.0.0.1:$C_HTTP" --stats "127.0.0.1:$C_STATS" --workers 2

port H_HTTP; port H_STATS
start statshttp "${APP_ARGS[@]}" --http-socket "127.0.0.1:$H_HTTP" --stats "127.0.0.1:$H_STATS" --stats-http --workers 2

# Three legion nodes (valor 98, 99, 50): the 99 becomes lord, the 98 is the member captured.
L_VALORS=(98 99 50); L_PORTS=(); L_STATS=()
for i in 0 1 2; do port p; L_PORTS+=("$p"); port p; L_STATS+=("$p"); done
for i in 0 1 2; do
  port http
  nodes=()
  for j in 0 1 2; do [ "$j" = "$i" ] || nodes+=(--legion-node "mycluster 127.0.0.1:${L_PORTS[$j]}"); done
  start "legion$i" "${APP_ARGS[@]}" --http-socket "127.0.0.1:$http" --stats "127.0.0.1:${L_STATS[$i]}" --workers 1 \
    --legion "mycluster 127.0.0.1:${L_PORTS[$i]} ${L_VALORS[$i]} aes-128-cbc:uwsgitop-capture" "${nodes[@]}"
done

# An emperor with three vassals, each one worker serving the demo app.
mkdir -p "$WORK/emperor/vassals"
for n in 1 2 3; do
  port http
  printf '[uwsgi]\nplugin = python3\nwsgi-file = %s\nhttp-socket = 127.0.0.1:%s\nmaster = true\nworkers = 1\n' \
    "$APP" "$http" >"$WORK/emperor/vassals/app$n.ini"
done
port E_STATS
start emperor/vassals --emperor "$WORK/emperor/vassals" --emperor-stats "127.0.0.1:$E_STATS"

# A fastrouter with a subscription server, and one node subscribing three of its sockets under three keys.
port F_ROUTER; port F_SUB; port F_STATS
start fastrouter --plugin fastrouter --master --fastrouter "127.0.0.1:$F_ROUTER" \
  --fastrouter-subscription-server "127.0.0.1:$F_SUB" --fastrouter-stats "127.0.0.1:$F_STATS"
S_ARGS=()
for n in 1 2 3; do
  port p
  S_ARGS+=(--socket "127.0.0.1:$p" --subscribe2 "server=127.0.0.1:$F_SUB,key=app$n.local,addr=127.0.0.1:$p")
done
start subscriber "${APP_ARGS[@]}" --workers 1 "${S_ARGS[@]}"

# instance-idle: five quick requests served, every worker idle again.
capture - instance "127.0.0.1:$I_STATS" 30 '"status":"idle"=4'
py request "$I_HTTP" $'GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8\r\n\r\n' 5
capture instance-idle.json instance "127.0.0.1:$I_STATS" 10 '"requests":[1-9]=1' '"status":"idle"=4' '"in_request":1=0'

# instance-busy and instance-paused: one request in flight (the app sleeps for it until the clean-up), then
# `p` on the master FIFO pauses the workers; the busy one still shows busy.
py request "$I_HTTP" $'GET /slow/report?id=7 HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8\r\n\r\n' 1 2>>"$WORK/requests.log" &
PIDS+=("$!")
capture instance-busy.json instance "127.0.0.1:$I_STATS" 10 '"in_request":1=1' '"status":"busy"=1'
# The wall clock of the capture, epoch ms: the tests measure read times and ages from it (test/support/samples.ts).
date +%s%3N > "$WORK/out/captured-at.txt"
py fifo "$WORK/instance/master.fifo" p
capture instance-paused.json instance "127.0.0.1:$I_STATS" 10 '"status":"pause"=3' '"in_request":1=1'

# instance-control-bytes: a request whose URI and User-Agent hold raw ESC and BEL bytes, in flight.
py request "$C_HTTP" $'GET /slow?q=a"b\\c\e[31mRED\a HTTP/1.1\r\nHost: x\r\nUser-Agent: evil"\e]0;pwned\a\r\n\r\n' 1 2>>"$WORK/requests.log" &
PIDS+=("$!")
capture instance-control-bytes.raw control "127.0.0.1:$C_STATS" 10 '"in_request":1=1' $'\e\\[31mRED=2'

# stats-http-response: the whole HTTP answer of a --stats-http socket.
capture stats-http-response.raw statshttp "127.0.0.1:$H_STATS" 20 http '^HTTP/1\.0 200 OK=1' '"status":"idle"=2'

capture emperor.json emperor/vassals "127.0.0.1:$E_STATS" 30 '"ready":1=3' '"accepting":1=3'
capture fastrouter.json fastrouter "127.0.0.1:$F_STATS" 30 '"key":"app[123]\.local"=3'

# The lord once it has been elected and sees both others; the member once it knows that lord.
capture legion-lord.json legion1 "127.0.0.1:${L_STATS[1]}" 40 '"i_am_the_lord":[1-9]=1' '"last_seen":=2'
capture legion-member.json legion0 "127.0.0.1:${L_STATS[0]}" 20 '"i_am_the_lord":0,=1' '"lord_valor":99,=1' '"last_seen":=2'

if [ -z "$OUT" ]; then OUT="$(mktemp -d "${TMPDIR:-/tmp}/uwsgitop-samples.XXXXXX")"; fi
mkdir -p "$OUT"
cp "$WORK"/out/* "$OUT"/
echo "captured $(ls "$WORK/out" | grep -vc captured-at) documents from uWSGI $("$UWSGI" --version) into $OUT"
