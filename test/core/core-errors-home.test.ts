/**
 * Every error class of ours lives in src/core/errors.ts and is matched by `instanceof`, never by its name:
 * a renamed class then fails to compile instead of silently changing an exit code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/core/errors.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const ours = new Set(Object.keys(errors));

describe('error classes', () => {
  it('are all declared in src/core/errors.ts', () => {
    const elsewhere = sources(SRC)
      .filter((p) => !p.endsWith(join('core', 'errors.ts')))
      .flatMap((p) =>
        [...readFileSync(p, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends (\w+)/g)]
          .filter((m) => m[2] === 'Error' || ours.has(m[2]!))
          .map((m) => `${relative(SRC, p)}: ${m[1]}`),
      );
    expect(elsewhere).toEqual([]);
  });

  it('are never matched by their name string', () => {
    const byName = sources(SRC).flatMap((p) =>
      [...readFileSync(p, 'utf8').matchAll(/\.name === '(\w+)'/g)]
        .filter((m) => ours.has(m[1]!))
        .map((m) => `${relative(SRC, p)}: ${m[1]}`),
    );
    expect(byName).toEqual([]);
  });
});
