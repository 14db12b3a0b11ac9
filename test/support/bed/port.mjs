// The test bed's one port picker, for the suite (vitest, through test/support/uwsgi.ts) and the benchmark
// scripts (plain node) alike. Plain JavaScript so both load it as it is; port.d.mts gives it its types.
import net from 'node:net';

/**
 * A free TCP port on 127.0.0.1, for a server a test or a benchmark starts (uWSGI, Prometheus, a relay). It is
 * drawn below Linux's ephemeral range (32768-60999), which the kernel hands out as the local port of outgoing
 * connections: a port from there (what listen(0) returns), released and bound again a moment later, can
 * meanwhile be taken by any client connection of the parallel suite (uWSGI then exits with "Address already
 * in use").
 */
export async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free TCP port on 127.0.0.1 between 20000 and 31999');
}

/** True when a server can bind the port right now (it is closed again before this resolves). */
function canListen(port) {
  return new Promise((ok) => {
    const server = net.createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });
}
