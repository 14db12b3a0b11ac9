#!/usr/bin/env bash
# Sets up uwsgitop-ts, starts a demo uWSGI instance (Debian's uWSGI, with traffic) and monitors it live.
# Extra arguments go to uwsgitop-ts (e.g. --once). Everything started here is stopped on exit, by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run

free_port() {
  node -e 'const s=require("net").createServer().listen(+process.argv[1]||0,"127.0.0.1",()=>{console.log(s.address().port);s.close()}).on("error",()=>{const t=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(t.address().port);t.close()})})' "$1"
}

dir=$(mktemp -d /tmp/uwsgitop-demo.XXXXXX)
export UWSGITOP_DEMO_DIR="$dir"
export UWSGITOP_DEMO_STATS_PORT=$(free_port 9191)
export UWSGITOP_DEMO_HTTP_PORT=$(free_port 9090)
uwsgi_pid=""
traffic_pid=""

cleanup() {
  trap - EXIT INT TERM
  [ -n "$traffic_pid" ] && kill "$traffic_pid" 2>/dev/null || true
  if [ -n "$uwsgi_pid" ] && kill -0 "$uwsgi_pid" 2>/dev/null; then
    kill -INT "$uwsgi_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$uwsgi_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- -"$uwsgi_pid" 2>/dev/null || kill -KILL "$uwsgi_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Its own process group, so that the cleanup can reach the workers too.
setsid uwsgi --ini scripts/demo/demo.ini </dev/null >/dev/null 2>&1 &
uwsgi_pid=$!
stats="127.0.0.1:$UWSGITOP_DEMO_STATS_PORT"
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$UWSGITOP_DEMO_STATS_PORT") 2>/dev/null; then break; fi
  kill -0 "$uwsgi_pid" 2>/dev/null || { echo "demo: uWSGI did not start:" >&2; tail -20 "$dir/uwsgi.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$dir/uwsgi.pid" ] && uwsgi_pid=$(cat "$dir/uwsgi.pid")
node scripts/demo/traffic.mjs "$UWSGITOP_DEMO_HTTP_PORT" &
traffic_pid=$!
echo "demo: uWSGI master pid $uwsgi_pid, stats $stats, app http://127.0.0.1:$UWSGITOP_DEMO_HTTP_PORT/, master FIFO $dir/master.fifo" >&2
sleep 1.5
bin/uwsgitop-ts --fifo "$stats=$dir/master.fifo" "$@" "$stats"
