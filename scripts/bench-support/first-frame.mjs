// Launch to the first frame, measured the way a user waits for it: a shell already idle in a 160x50 tmux
// pane, the command typed (send-keys, Enter), and the time until the pane first shows the needle (the
// master's pid). Both tools are measured this same way, alternating, so tmux and the shell cost the same.
import { performance } from 'node:perf_hooks';
import { ROOT, sleep, state, stopTmux, tmux } from './real.mjs';

let serial = 0;

/** Starts a tmux server with an idle shell at 160x50 and resolves once the shell has drawn its prompt. */
async function idleShell(label) {
  const name = `uwsgitop-bench-${process.pid}-ff-${label}-${serial++}`;
  state.tmuxNames.push(name);
  tmux(name, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-c', ROOT, 'PS1="$ " exec /bin/sh');
  for (let i = 0; i < 200; i++) {
    if (tmux(name, 'capture-pane', '-p').includes('$')) return name;
    await sleep(20);
  }
  throw new Error(`${label}: the shell in tmux never showed its prompt`);
}

/** One launch: ms from the Enter to the first capture that shows `needle` (captures every `pollMs`). */
export async function launchOnce(label, command, needle, { pollMs = 5, timeoutMs = 20_000 } = {}) {
  const name = await idleShell(label);
  try {
    const t0 = performance.now();
    tmux(name, 'send-keys', '-l', `exec ${command}`);
    tmux(name, 'send-keys', 'Enter');
    while (performance.now() - t0 < timeoutMs) {
      if (tmux(name, 'capture-pane', '-p').includes(needle)) return performance.now() - t0;
      await sleep(pollMs);
    }
    throw new Error(`${label}: no frame showed ${needle} within ${timeoutMs} ms; last screen:\n${tmux(name, 'capture-pane', '-p')}`);
  } finally {
    stopTmux(name);
  }
}

/**
 * `runs` launches of each [label, command, needle], alternating; resolves with each command's samples and
 * median (ms).
 */
export async function launchToFirstFrame(commands, runs) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, [label, command, needle]] of commands.entries()) {
      samples[k].push(await launchOnce(label, command, needle));
      // Let the one just stopped leave the CPU before the next starts.
      await sleep(300);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return samples.map((s) => ({ samples: s, medianMs: median(s), minMs: Math.min(...s), maxMs: Math.max(...s) }));
}
