#!/usr/bin/env node
// The OS reads of one poll, alone: readOsFacts (/proc/PID/stat of the master and 32 workers) and kernelQueues
// (a unix socket's listen queue through the perl sock_diag helper) on a real uWSGI, N polls back to back.
// Prints the CPU per poll of this process (all threads, user + system) and of the helper (its run time in /proc/PID/schedstat).
// A tight loop keeps caches warm; --every 1000 spaces the polls a second apart, as the monitor does (the
// process sleeps between them, so caches go cold and each wake-up is counted).
// --part proc or --part sock measures one of the two reads alone; --warm N runs N polls first, unmeasured (the
// JIT's first compiles and the heap's growth are a start-up cost, not a poll's).
//   npm run build && node scripts/bench-os-poll.mjs [--polls 1000] [--every MS] [--warm N] [--part both|proc|sock]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, sleep } from './bench-support/real.mjs';

const { values: opts } = parseArgs({ options: { polls: { type: 'string', default: '1000' }, every: { type: 'string', default: '0' }, warm: { type: 'string', default: '0' }, part: { type: 'string', default: 'both' } } });
const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-os-poll-'));
writeFileSync(join(dir, 'app.py'), 'def application(e, s):\n    s("200 OK", [])\n    return [b"ok"]\n');
const sock = join(dir, 'app.sock');
const uwsgi = spawn('uwsgi', ['--master', '--workers', '32', '--plugin', 'python3', '--wsgi-file', join(dir, 'app.py'), '--socket', sock, '--listen', '64', '--die-on-term'], { cwd: dir, stdio: 'ignore' });
// The helper's CPU in nanoseconds (/proc/PID/schedstat's run time: the helper is one thread), where
// /proc/PID/stat's 10 ms ticks are too coarse for a few hundred microseconds a poll.
const cpuNs = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

async function main() {
  await sleep(3000);
  const workers = readFileSync(`/proc/${uwsgi.pid}/task/${uwsgi.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const doc = { pid: uwsgi.pid, workers: workers.map((pid) => ({ pid })) };
  const sockets = [{ name: sock, proto: 'uwsgi', queue: 0, maxQueue: 64, shared: false, canOffload: false }];
  const os = await import(join(ROOT, 'dist/stats/proc-os.js'));
  const sd = await import(join(ROOT, 'dist/stats/sock-diag.js'));
  const both = async () => [await os.readOsFacts(doc), await sd.kernelQueues(sockets, uwsgi.pid)];
  const parts = { both, proc: () => os.readOsFacts(doc), sock: () => sd.kernelQueues(sockets, uwsgi.pid) };
  const poll = parts[opts.part];
  if (poll === undefined) throw new Error(`--part ${opts.part}: one of ${Object.keys(parts).join(', ')}`);
  const [facts, queues] = await both();
  console.log(`uWSGI master ${uwsgi.pid}, ${workers.length} workers; local ${facts.local}, workers proven ${facts.workers.filter(Boolean).length}, unix socket queue ${JSON.stringify(queues)}`);
  const n = Number(opts.polls);
  const every = Number(opts.every);
  const loop = async (body, count = n) => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      if (every > 0) await sleep(Math.max(0, t0 + i * every - performance.now()));
      await body();
    }
  };
  await loop(both, Number(opts.warm));
  const helper = sd.sockDiagPid();
  const h0 = cpuNs(helper);
  const c0 = process.cpuUsage();
  await loop(poll);
  const c = process.cpuUsage(c0);
  if (every > 0) {
    // Waking up once a second costs this process something by itself: the monitor pays it for the stats read
    // anyway, so it is measured alone (the same loop, no reads) and taken off.
    const e0 = process.cpuUsage();
    await loop(async () => undefined);
    const e = process.cpuUsage(e0);
    console.log(`the same loop without the reads: ${((e.user + e.system) / n).toFixed(0)} µs a wake-up (taken off below)`);
    c.user -= e.user;
    c.system -= e.system;
  }
  const nodeUs = (c.user + c.system) / n;
  const helperUs = (cpuNs(helper) - h0) / 1000 / n;
  console.log(`${opts.part === 'both' ? '' : `${opts.part} alone, `}per poll (${n} polls${every > 0 ? `, one every ${every} ms` : ', back to back'}${Number(opts.warm) > 0 ? ` after ${opts.warm} unmeasured` : ''}): this process ${nodeUs.toFixed(0)} µs (all threads), helper ${helperUs.toFixed(0)} µs; a poll a second: ${((nodeUs + helperUs) / 1e4).toFixed(3)} % of one core`);
  sd.stopSockDiag();
}

main()
  .catch((err) => {
    console.error(`bench-os-poll: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => {
    uwsgi.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
