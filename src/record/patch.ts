/**
 * JSON patches between consecutive stats documents: consecutive polls differ in a few counters, so a
 * recording stores the ops that turn the previous document into the next one (docs/recording-format.md).
 * An op is [0, path, value] (set; an index equal to an array's length appends), [1, path] (delete a key, or
 * cut an array at that index) or [2, path, n] (add the integer n to the integer there).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type PathStep = string | number;
export type PatchOp = [0, PathStep[], JsonValue] | [1, PathStep[]] | [2, PathStep[], number];

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Hot path (a 32 x 100 document has some 40,000 values): unchanged values are skipped before any call.
function walk(a: JsonValue, b: JsonValue, path: PathStep[], ops: PatchOp[]): void {
  if (typeof a === 'number' && typeof b === 'number') {
    // Counters grow by small steps: an integer difference compresses far better than the new value.
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(b - a)) ops.push([2, [...path], b - a]);
    else if (!Object.is(a, b)) ops.push([0, [...path], b]);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) {
      const av = a[i]!;
      const bv = b[i]!;
      if (av === bv) continue;
      path.push(i);
      walk(av, bv, path, ops);
      path.pop();
    }
    if (b.length < a.length) ops.push([1, [...path, b.length]]);
    for (let i = common; i < b.length; i++) ops.push([0, [...path, i], b[i]!]);
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    // for-in allocates nothing (Object.keys would, for each of thousands of cores). A key added or removed
    // replaces the object; uWSGI writes its keys in a fixed order, which the replaced object keeps.
    const mark = ops.length;
    let count = 0;
    let same = true;
    for (const key in b) {
      count++;
      // No JSON value is undefined: undefined is a missing key. An inherited name (constructor) reads as
      // present here, but then the key counts differ and the whole object is replaced all the same.
      const av = a[key];
      if (av === undefined) {
        same = false;
        break;
      }
      const bv = b[key]!;
      if (av === bv) continue;
      path.push(key);
      walk(av, bv, path, ops);
      path.pop();
    }
    if (same) {
      for (const _ in a) count--;
      if (count === 0) return;
    }
    ops.length = mark;
  }
  ops.push([0, [...path], b]);
}

/** The ops that turn document `a` into document `b` (empty when they are equal). */
export function diff(a: JsonValue, b: JsonValue): PatchOp[] {
  const ops: PatchOp[] = [];
  if (a !== b) walk(a, b, [], ops);
  return ops;
}

function fail(why: string): never {
  throw new RangeError(`bad patch: ${why}`);
}

/** Apply ops to `doc` in place where possible; returns the new document (the root may be replaced). */
export function applyPatch(doc: JsonValue, ops: readonly PatchOp[]): JsonValue {
  let root = doc;
  for (const op of ops) {
    if (!Array.isArray(op) || !Array.isArray(op[1])) fail('an op is not [kind, path, ...]');
    const path = op[1];
    if (path.length === 0) {
      if (op[0] === 0) root = op[2];
      else if (op[0] === 2 && typeof root === 'number') root += op[2];
      else fail('op on the document root');
      continue;
    }
    let parent: JsonValue = root;
    for (let i = 0; i < path.length - 1; i++) {
      const step = path[i]!;
      const next: JsonValue | undefined = Array.isArray(parent) && typeof step === 'number' ? parent[step] : isPlainObject(parent) && typeof step === 'string' && Object.hasOwn(parent, step) ? parent[step] : undefined;
      if (next === undefined) fail(`path ${JSON.stringify(path)} does not exist`);
      parent = next;
    }
    const last = path[path.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number' && last >= 0 && last <= parent.length) {
      if (op[0] === 0) parent[last] = op[2];
      else if (op[0] === 1) parent.length = last;
      else if (typeof parent[last] === 'number') parent[last] = (parent[last] as number) + op[2];
      else fail(`adding to a non-number at ${JSON.stringify(path)}`);
    } else if (isPlainObject(parent) && typeof last === 'string') {
      // Defined, not assigned: a key named __proto__ (uWSGI echoes request data) stays a plain key.
      if (op[0] === 0) Object.defineProperty(parent, last, { value: op[2], writable: true, enumerable: true, configurable: true });
      else if (op[0] === 1) delete parent[last];
      else if (typeof parent[last] === 'number') parent[last] = (parent[last] as number) + op[2];
      else fail(`adding to a non-number at ${JSON.stringify(path)}`);
    } else {
      fail(`path ${JSON.stringify(path)} does not exist`);
    }
  }
  return root;
}
