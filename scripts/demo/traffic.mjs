// Demo traffic for the demo instance: steady requests, some slow ones, an occasional exception, cache use.
// Bounded: at most 6 requests in flight, about 20 new ones a second, loopback only; stops on SIGTERM/SIGINT.
const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node traffic.mjs HTTP_PORT');
  process.exit(2);
}
let inFlight = 0;
let stopping = false;

function pickPath(n) {
  const roll = Math.random();
  if (roll < 0.03) return `/slow/report?s=${2 + Math.floor(Math.random() * 8)}&id=${n}`;
  if (roll < 0.05) return '/error/demo';
  if (roll < 0.3) return `/cache?item${n % 50}`;
  return `/shop/items/${n % 100}?page=${n % 7}`;
}

let n = 0;
const timer = setInterval(() => {
  if (stopping || inFlight >= 6) return;
  inFlight++;
  n++;
  fetch(`http://127.0.0.1:${port}${pickPath(n)}`, { headers: { 'User-Agent': 'uwsgitop-ts-demo' } })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined)
    .finally(() => inFlight--);
}, 50);

function stop() {
  stopping = true;
  clearInterval(timer);
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
