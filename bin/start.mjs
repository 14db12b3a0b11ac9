// The CLI's start, loaded by bin/uwsgitop-ts: from a clone, the compiled dist/cli (npm run build); from an
// installed package, the bundle (dist/bundle, npm pack), which carries its dependencies inside.
import { existsSync } from 'node:fs';

const argv = process.argv.slice(2);

// A reader that went away (`uwsgitop-ts ... | head`) is a normal end for a command-line tool, not a crash.
// A terminal that hung up (ssh dropped, tmux session killed) gives EIO: the dashboard ends itself on that
// (as on SIGHUP), so it is no crash either.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(0);
    if (err && err.code === 'EIO') return;
    process.exitCode = 1; // said in one line by src/cli/stream-guard.ts
  });
}

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(existsSync(compiled) ? compiled.href : new URL('../dist/bundle/main.js', import.meta.url).href);
main(argv, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`uwsgitop-ts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
