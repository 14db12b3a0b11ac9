/**
 * Imports flow one way: cli -> (views | relay | web | fifo | record) -> monitor -> metrics -> stats -> core (page,
 * the browser's, sits beside web and is imported by nobody). Every
 * import of every file under src/ (type-only and dynamic ones included) is read with es-module-lexer and
 * checked against the table below, so a wrong import fails the suite rather than a review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, parse } from 'es-module-lexer';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/** Which folders of src/ each folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  stats: ['core'],
  metrics: ['stats', 'core'],
  monitor: ['metrics', 'stats', 'core'],
  // The presentation layer: cell widths, summaries and column specs every output (terminal, text, page, JSON) shares.
  present: ['monitor', 'metrics', 'stats', 'core'],
  config: ['core'],
  // The FIFO verification counts replaced workers with metrics' one count (metrics/replaced.ts).
  fifo: ['metrics', 'stats', 'core'],
  // relay -> fifo: the commands a relay offers are typed against the FIFO's command names.
  relay: ['fifo', 'monitor', 'metrics', 'stats', 'core'],
  web: ['relay', 'monitor', 'metrics', 'stats', 'core'],
  // The browser page (served by web as compiled files, imported by nobody): the dashboard's column tables
  // and formatters, the relay's protocol types and deltas.
  page: ['present', 'views', 'relay', 'monitor', 'metrics', 'stats', 'core'],
  views: ['present', 'monitor', 'metrics', 'stats', 'core'],
  record: ['monitor', 'metrics', 'stats', 'core'],
  cli: ['views', 'relay', 'web', 'fifo', 'config', 'record', 'present', 'monitor', 'metrics', 'stats', 'core'],
};

/** Single files a folder may import outside its table: declarations, not code paths. */
const ALLOWED_FILES: Record<string, readonly string[]> = {
  // The dashboard offers the FIFO command catalogue (names, bytes, dangers); it runs them through TargetControl.
  views: ['fifo/commands.ts'],
};

/** npm packages only some folders may load: the terminal UI stays in views. */
const PACKAGE_OWNERS: Record<string, readonly string[]> = {
  blessed: ['views'],
  'blessed-contrib': ['views'],
};

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of src/ a path (relative to src/) belongs to. */
function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : '(src root)';
}

/** Every import of one file: relative ones as paths under src/, bare ones as package names. */
function importsOf(file: string, text: string): { local: string[]; packages: string[] } {
  const [imports] = parse(text, file);
  const local: string[] = [];
  const packages: string[] = [];
  for (const entry of imports) {
    const spec = entry.n;
    if (spec === undefined) continue;
    if (spec.startsWith('.')) {
      local.push(relative(SRC, normalize(join(dirname(file), spec))).replace(/\.js$/, '.ts'));
    } else if (!spec.startsWith('node:')) {
      packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return { local, packages };
}

/** The imports that break the table, as "from -> to" lines. */
function layoutViolations(files: ReadonlyArray<{ path: string; text: string }>): string[] {
  const problems: string[] = [];
  for (const { path, text } of files) {
    const from = relative(SRC, path);
    const folder = folderOf(from);
    if (ALLOWED[folder] === undefined) {
      problems.push(`${from}: folder "${folder}" has no place in the layout table`);
      continue;
    }
    const { local, packages } = importsOf(path, text);
    for (const to of local) {
      const target = folderOf(to);
      if (target === folder || ALLOWED[folder].includes(target)) continue;
      if ((ALLOWED_FILES[folder] ?? []).includes(to)) continue;
      problems.push(`${from} -> ${to} (${folder} may not import ${target})`);
    }
    for (const name of packages) {
      const owners = PACKAGE_OWNERS[name];
      if (owners !== undefined && !owners.includes(folder)) problems.push(`${from} -> ${name} (only ${owners.join(', ')} may load it)`);
    }
  }
  return problems;
}

/** Folder edges that lead back to where they started (the table itself must stay one-way). */
function tableCycles(): string[] {
  const cycles: string[] = [];
  const visit = (start: string, at: string, path: string[]): void => {
    for (const next of ALLOWED[at]) {
      if (next === start) cycles.push([...path, next].join(' -> '));
      else if (!path.includes(next)) visit(start, next, [...path, next]);
    }
  };
  for (const folder of Object.keys(ALLOWED)) visit(folder, folder, [folder]);
  return cycles;
}

const readAll = (): Array<{ path: string; text: string }> => sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

describe('import direction', () => {
  beforeAll(async () => {
    await init;
  });

  it('the layout table has no loop', () => {
    expect(tableCycles()).toEqual([]);
  });

  it('every import in src/ follows the table', () => {
    const files = readAll();
    // Guards against a reader that finds nothing: the tree has well over a hundred files and imports.
    expect(files.length).toBeGreaterThan(100);
    expect(files.reduce((n, f) => n + importsOf(f.path, f.text).local.length, 0)).toBeGreaterThan(300);
    expect(layoutViolations(files)).toEqual([]);
  });

  it('catches a wrong import of each kind: static, type-only, dynamic, a package', () => {
    const at = (path: string, text: string) => ({ path: join(SRC, path), text });
    expect(
      layoutViolations([
        at('stats/client.ts', "import { createMonitor } from '../monitor/monitor.js';\n"),
        at('metrics/derive.ts', "import type { TargetUpdate } from '../monitor/types.js';\n"),
        at('core/errors.ts', "export async function f() { return import('../stats/client.js'); }\n"),
        at('web/server.ts', "import blessed from 'blessed';\n"),
        at('fifo/run.ts', "import { safeText } from '../core/safe-text.js';\nimport type { Snapshot } from '../stats/snapshot.js';\n"),
        at('extra/thing.ts', ''),
      ]),
    ).toEqual([
      'stats/client.ts -> monitor/monitor.ts (stats may not import monitor)',
      'metrics/derive.ts -> monitor/types.ts (metrics may not import monitor)',
      'core/errors.ts -> stats/client.ts (core may not import stats)',
      'web/server.ts -> blessed (only views may load it)',
      'extra/thing.ts: folder "extra" has no place in the layout table',
    ]);
  });
});
