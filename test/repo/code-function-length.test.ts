/**
 * No function in src/ is longer than 80 lines. The TypeScript compiler (its API, over the tsconfig projects
 * that build src/) parses every file; each function declaration, method, constructor, accessor, function
 * expression and arrow function is measured from its first token to its end (a nested function counts
 * inside its parent too), and the test lists every offender with its file, line and length.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { API } from 'typescript/unstable/sync';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import { isConstructorDeclaration, isFunctionLikeDeclaration } from 'typescript/unstable/ast/is';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LIMIT = 80;
const api = new API({ cwd: ROOT });
afterAll(() => api.close());

interface Measured {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** The parsed files of the projects `configs` (paths relative to ROOT), keyed by absolute path. */
function parsed(configs: string[]): Map<string, SourceFile> {
  const snapshot = api.updateSnapshot({ openProjects: configs.map((c) => join(ROOT, c)) });
  const files = new Map<string, SourceFile>();
  for (const project of snapshot.getProjects()) {
    for (const name of project.program.getSourceFileNames()) {
      const file = project.program.getSourceFile(name);
      if (file !== undefined) files.set(name, file);
    }
  }
  return files;
}

function nameOf(node: Node, file: SourceFile): string {
  if (isConstructorDeclaration(node)) return 'constructor';
  const named = node as unknown as { name?: Node };
  if (named.name !== undefined) return named.name.getText(file);
  const parent = node.parent as unknown as { name?: Node } | undefined;
  return parent?.name !== undefined ? parent.name.getText(file) : '(anonymous)';
}

function measure(file: SourceFile): Measured[] {
  const out: Measured[] = [];
  const visit = (node: Node): void => {
    if (isFunctionLikeDeclaration(node) && (node as unknown as { body?: Node }).body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.end).line;
      out.push({ file: relative(ROOT, file.fileName), line: start + 1, name: nameOf(node, file), lines: end - start + 1 });
    }
    node.forEachChild(visit);
  };
  visit(file);
  return out;
}

function sourcesOnDisk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourcesOnDisk(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('function length', () => {
  it('measures what it says on a sample: an arrow, a constructor, a method, a nested function, a getter', () => {
    const files = parsed(['test/fixtures/function-length/tsconfig.json']);
    const sample = [...files.entries()].find(([name]) => name.endsWith('function-length/sample.ts'))![1];
    expect(measure(sample).map((m) => [m.name, m.line, m.lines])).toEqual([
      ['f', 2, 3],
      ['constructor', 6, 1],
      ['m', 7, 4],
      ['inner', 8, 1],
      ['double', 11, 3],
    ]);
  });

  it(`no function in src/ is over ${LIMIT} lines`, () => {
    const files = parsed(['tsconfig.json', 'tsconfig.page.json']);
    const src = join(ROOT, 'src') + '/';
    const ours = [...files.values()].filter((f) => f.fileName.startsWith(src));
    // Every source file is measured: none escapes both projects.
    expect(ours.map((f) => f.fileName).sort()).toEqual(sourcesOnDisk(join(ROOT, 'src')).sort());
    const offenders = ours
      .flatMap(measure)
      .filter((m) => m.lines > LIMIT)
      .map((m) => `${m.file}:${m.line} ${m.name} (${m.lines} lines)`);
    expect(offenders).toEqual([]);
  });
});
