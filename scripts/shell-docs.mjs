// Writes the man page and the shell completions from the compiled option table (npm run build runs it after
// tsc): dist/man/uwsgitop-ts.1 (package.json "man"), dist/completions/uwsgitop-ts.bash, _uwsgitop-ts (zsh),
// uwsgitop-ts.fish.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const docs = await import(new URL('../dist/cli/shell-docs.js', import.meta.url).href);
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

mkdirSync(join(ROOT, 'dist', 'man'), { recursive: true });
mkdirSync(join(ROOT, 'dist', 'completions'), { recursive: true });
writeFileSync(join(ROOT, 'dist', 'man', 'uwsgitop-ts.1'), docs.manPage(version));
writeFileSync(join(ROOT, 'dist', 'completions', 'uwsgitop-ts.bash'), docs.bashCompletion());
writeFileSync(join(ROOT, 'dist', 'completions', '_uwsgitop-ts'), docs.zshCompletion());
writeFileSync(join(ROOT, 'dist', 'completions', 'uwsgitop-ts.fish'), docs.fishCompletion());
