#!/usr/bin/env node
// The floor any Node monitor pays: read the stats socket and JSON.parse the bytes, nothing else (no
// validation, no drawing). bench-peer.mjs runs it beside uwsgitop to show how much of a gap is Node's own.
//   node scripts/bench-support/node-floor.mjs PORT            one read, prints "BYTES WORKERS"
//   node scripts/bench-support/node-floor.mjs PORT --watch    one read a second, keeping the last document
import net from 'node:net';

const port = Number(process.argv[2]);
const watch = process.argv.includes('--watch');
let last = null;

function readOnce() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function poll() {
  const body = await readOnce();
  last = JSON.parse(body.toString('utf8'));
  return body.length;
}

if (watch) {
  const tick = () => poll().finally(() => setTimeout(tick, 1000));
  tick();
} else {
  const bytes = await poll();
  console.log(bytes, last.workers.length);
}
