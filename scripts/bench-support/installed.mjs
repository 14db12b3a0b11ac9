// The command as a user installs it: the package's files (bin/, the bundle, the page, the man page,
// package.json) staged in a directory of their own, without the clone's dist/cli, so bin/uwsgitop-ts loads
// dist/bundle exactly as an `npm install -g` of the tarball does. `npm run bundle` makes dist/bundle.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './real.mjs';

/** Copies the package's files under `dir`; returns the staged launcher's path. */
export function stageInstalled(dir) {
  if (!existsSync(join(ROOT, 'dist/bundle/main.js'))) throw new Error('dist/bundle is missing: run `npm run bundle` first (npm run bench -- --real does)');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  for (const part of ['bundle', 'page', 'man']) {
    if (existsSync(join(ROOT, 'dist', part))) cpSync(join(ROOT, 'dist', part), join(dir, 'dist', part), { recursive: true });
  }
  return join(dir, 'bin/uwsgitop-ts');
}
