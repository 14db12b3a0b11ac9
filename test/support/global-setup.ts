/**
 * Fails the whole run early, with the fix, when the real parts the tests need are missing; then compiles
 * src/ into dist/ (and the package's bundle, dist/bundle) once, before any test file runs: test files that each rebuilt dist/ in parallel could load
 * a module another was half way through writing ("Unexpected end of input").
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(): void {
  if (!existsSync('/usr/bin/uwsgi')) {
    throw new Error('uWSGI is not installed: run scripts/setup.sh (installs Debian uwsgi-core and uwsgi-plugin-python3)');
  }
  if (!existsSync('/usr/lib/uwsgi/plugins/python3_plugin.so')) {
    throw new Error('the uWSGI python3 plugin is missing: run scripts/setup.sh (installs uwsgi-plugin-python3)');
  }
  // tsc exits non-zero on a type error elsewhere in the tree but still writes dist/: the check below decides.
  for (const project of ['tsconfig.json', 'tsconfig.page.json']) {
    try {
      execFileSync('npx', ['tsc', '-p', project], { cwd: REPO_ROOT, stdio: 'ignore', timeout: 180_000 });
    } catch {
      /* see above */
    }
  }
  if (!existsSync(`${REPO_ROOT}dist/cli/main.js`)) throw new Error('npx tsc -p tsconfig.json did not produce dist/cli/main.js');
  // The man page and completions (npm run build makes them too), and the published package's bundle (npm pack's
  // prepack builds it): test/e2e/package-install.test.ts packs this tree.
  execFileSync(process.execPath, ['scripts/shell-docs.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
}
