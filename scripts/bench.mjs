// Runs every benchmark in turn and prints their figures (nothing here asserts a timing).
//   npm run bench             decode, metrics, dashboard frames, relay fan-out (about 2 minutes)
//   npm run bench -- --real   also the dashboard's CPU over 60 s on a real 32x100 uWSGI instance, and the CPU
//                             of reading an @abstract stats socket (python3 broker on Node 20) against TCP
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const real = process.argv.includes('--real');

const steps = [
  ['build', 'npm', ['run', '--silent', 'build']],
  ['decode: decodeSnapshot vs JSON.parse', process.execPath, ['scripts/bench-decode.mjs']],
  ['metrics: memory over 100,000 polls, derive vs decode', process.execPath, ['--expose-gc', 'scripts/bench-metrics.mjs']],
  ['dashboard: view model and frame, 16 vs 2,048 workers', process.execPath, ['scripts/bench-dashboard.mjs']],
  ['relay: CPU and memory per update, 1/50/200 clients', process.execPath, ['scripts/bench-relay.mjs']],
];
if (real) {
  steps.push(['dashboard: CPU over 60 s on a real 32x100 instance', process.execPath, ['scripts/bench-dashboard-cpu.mjs']]);
  steps.push(['abstract socket (@name) reads on Node 20: CPU against TCP', process.execPath, ['scripts/bench-abstract-cpu.mjs']]);
}

let failed = 0;
for (const [title, cmd, args] of steps) {
  process.stdout.write(`\n### ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`(${title}: exited with ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
