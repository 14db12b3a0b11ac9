// Runs every benchmark in turn, prints their figures, then gathers every "goal:" line they printed (a ratio
// against its goal) into one summary at the end. Nothing here asserts a timing.
//   npm run bench             decode, metrics, dashboard frames, relay fan-out, a 100,000-worker document (about 3 minutes)
//   npm run bench -- --real   also uwsgitop-ts (the package as installed: bundle first) against uwsgitop 0.12 side by
//                             side on a real 32x100 uWSGI instance (dashboards' CPU ticks and RSS over 30 s after
//                             6 s, launch to the first frame in tmux, start-up, --json), and the CPU of reading an @abstract stats
//                             socket (python3 broker on Node 20) against TCP, the relay feed's bytes per
//                             update per tab, the flight recorder's size and CPU, and how fast a reload's verdict
//                             comes after a bad deploy (scripts/bench-verdict.mjs, also alone with --baseline DIR)
import { spawn } from 'node:child_process';
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
  ['100,000 workers: --once, --json and the relay (RSS, times, sizes)', process.execPath, ['scripts/bench-huge.mjs']],
];
if (real) {
  steps.push(['bundle (the package as installed, which bench-peer runs)', 'npm', ['run', '--silent', 'bundle']]);
  steps.push(['uwsgitop-ts vs uwsgitop 0.12, side by side on a real 32x100 instance', process.execPath, ['scripts/bench-peer.mjs']]);
  steps.push(['abstract socket (@name) reads on Node 20: CPU against TCP', process.execPath, ['scripts/bench-abstract-cpu.mjs']]);
  steps.push(['relay /ws: bytes per update per tab, whole target vs deltas vs deflate, real 4-worker instance', process.execPath, ['scripts/bench-relay-wire.mjs']]);
  steps.push(['flight recorder: size and CPU of recording a real 32x100 instance', process.execPath, ['scripts/bench-record.mjs']]);
  steps.push(['reload verdicts: time to the verdict after a bad deploy, real 2-worker instances', process.execPath, ['scripts/bench-verdict.mjs']]);
}

/** Runs one step with its output passed through; resolves with its exit status and the "goal:" lines it printed. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      text += chunk;
    });
    child.on('close', (code, signal) => resolve({ status: code ?? signal, goals: text.split('\n').filter((l) => l.startsWith('goal: ')) }));
  });
}

let failed = 0;
const goals = [];
for (const [title, cmd, args] of steps) {
  process.stdout.write(`\n### ${title}\n`);
  const r = await run(cmd, args);
  goals.push(...r.goals);
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`(${title}: exited with ${r.status})\n`);
  }
}
process.stdout.write(`\n### goals (${new Date().toISOString()})\n${goals.join('\n')}\n`);
process.exitCode = failed > 0 ? 1 : 0;
