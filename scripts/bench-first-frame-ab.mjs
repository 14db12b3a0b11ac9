#!/usr/bin/env node
// Launch to the first frame of two staged packages side by side (a lever's A/B): both run through their own
// bin/uwsgitop-ts against one real 32x100 uWSGI with load, launched alternately in fresh 160x50 tmux panes,
// timed until the pane shows the master's pid (bench-support/first-frame.mjs). Prints medians and the ratio.
//   node scripts/bench-first-frame-ab.mjs --a DIR --b DIR [--runs 15]
// DIR: a staged package (bench-support/installed.mjs stageInstalled), e.g. one per bundle variant.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchToFirstFrame } from './bench-support/first-frame.mjs';
import { cleanup, loadAvg, startLoadedInstance, state } from './bench-support/real.mjs';

const { values: opts } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, runs: { type: 'string', default: '15' } } });
if (opts.a === undefined || opts.b === undefined) throw new Error('--a DIR and --b DIR (staged packages) are required');

async function main() {
  // uWSGI's log and files go to a temp directory of this run (real.mjs removes it), not the working directory.
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-ff-'));
  console.log(`load average ${loadAvg()}`);
  const inst = await startLoadedInstance({ slow: 8, rps: 5, log: (l) => console.log(l) });
  const needle = `pid ${inst.masterPid}`;
  const cmd = (dir) => `${join(resolve(dir), 'bin/uwsgitop-ts')} --interval 1 ${inst.addr}`;
  const [a, b] = await launchToFirstFrame([['a', cmd(opts.a), needle], ['b', cmd(opts.b), needle]], Number(opts.runs));
  for (const [label, r] of [['A ' + opts.a, a], ['B ' + opts.b, b]]) console.log(`${label}: median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)}; ${r.samples.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`B/A ${(b.medianMs / a.medianMs).toFixed(3)}; load average at the end ${loadAvg()}`);
}

main()
  .catch((err) => {
    console.error(`bench-first-frame-ab: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
