/**
 * Structural differences between two JSON values, as a list of operations, and their application. The relay
 * sends each target's state once, then only what changed; the page and the relay client rebuild the state.
 * Pure, depending only on the error classes: the browser page imports this very module.
 */
import { DeltaMismatchError } from '../core/errors.js';

/** One step of a JSON path: an object key or an array index. */
export type PathStep = string | number;

/** `[path, value]` sets the value at path; `[path]` deletes the key at path. An empty path replaces the root. */
export type DeltaOp = [PathStep[], unknown] | [PathStep[]];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: object, key: PathStep): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<PathStep, unknown>)[key] : undefined;
}

// One path array for the whole walk (pushed and popped), copied only into an emitted operation: building a
// new path per node made a 64-worker diff allocation-bound.
function walk(prev: unknown, next: unknown, path: PathStep[], out: DeltaOp[]): void {
  if (prev === next) return;
  if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
    for (let i = 0; i < next.length; i++) {
      if (prev[i] === next[i]) continue;
      path.push(i);
      walk(prev[i], next[i], path, out);
      path.pop();
    }
    return;
  }
  if (isObject(prev) && isObject(next)) {
    for (const key in prev) {
      if (!Object.prototype.hasOwnProperty.call(prev, key) || prev[key] === undefined) continue;
      if (!Object.prototype.hasOwnProperty.call(next, key) || next[key] === undefined) out.push([[...path, key]]);
    }
    for (const key in next) {
      if (!Object.prototype.hasOwnProperty.call(next, key)) continue;
      const n = next[key];
      if (n === undefined) continue;
      const p = own(prev, key);
      if (p === n) continue;
      path.push(key);
      if (p === undefined) out.push([path.slice(), n]);
      else walk(p, n, path, out);
      path.pop();
    }
    return;
  }
  // Numbers that JSON sends as null (NaN, Infinity) compare equal to each other and to null.
  const nullish = (v: unknown): boolean => v === null || (typeof v === 'number' && !Number.isFinite(v));
  if (nullish(prev) && nullish(next)) return;
  out.push([path.slice(), next]);
}

/**
 * The operations that turn `prev` into `next` (both JSON-shaped: what JSON.stringify would send).
 * Arrays of the same length are compared element by element; any other change replaces the value.
 */
export function diffJson(prev: unknown, next: unknown): DeltaOp[] {
  const out: DeltaOp[] = [];
  walk(prev, next, [], out);
  return out;
}

// Keys an attacker could use to reach Object.prototype through a crafted path.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function copy(value: unknown): Record<PathStep, unknown> | unknown[] {
  return Array.isArray(value) ? value.slice() : { ...(value as object) };
}

function setOwn(target: object, key: PathStep, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Apply operations to `base` without changing it: containers along each changed path are copied, the rest
 * is shared with `base`.
 */
export function applyDelta<T>(base: T, ops: readonly DeltaOp[]): T {
  let root: unknown = base;
  const copied = new Set<unknown>();
  const writable = (v: unknown): Record<PathStep, unknown> | unknown[] => {
    if (copied.has(v)) return v as Record<PathStep, unknown>;
    const c = copy(v);
    copied.add(c);
    return c;
  };
  for (const op of ops) {
    if (!Array.isArray(op) || !Array.isArray(op[0])) throw new DeltaMismatchError('a delta operation is not [path, value?]');
    const path = op[0];
    if (path.length === 0) {
      if (op.length < 2) throw new DeltaMismatchError('cannot delete the root');
      root = op[1];
      continue;
    }
    if (typeof root !== 'object' || root === null) throw new DeltaMismatchError('a delta path goes through a non-object');
    root = writable(root);
    let node = root as Record<PathStep, unknown>;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      if ((typeof key !== 'string' && typeof key !== 'number') || FORBIDDEN.has(String(key))) throw new DeltaMismatchError('a delta path has a forbidden step');
      if (i === path.length - 1) {
        if (op.length < 2) {
          if (Array.isArray(node)) throw new DeltaMismatchError('cannot delete an array element');
          delete node[key];
        } else {
          if (Array.isArray(node) && (typeof key !== 'number' || key < 0 || key >= node.length)) throw new DeltaMismatchError('a delta index is out of range');
          setOwn(node, key, op[1]);
        }
        break;
      }
      const child = own(node, key);
      if (typeof child !== 'object' || child === null) throw new DeltaMismatchError('a delta path goes through a non-object');
      const w = writable(child);
      setOwn(node, key, w);
      node = w as Record<PathStep, unknown>;
    }
  }
  return root as T;
}

/** A JSON-shaped deep copy (what a client would hold after parsing what was sent). */
export function jsonShape(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}
