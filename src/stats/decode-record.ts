/**
 * Record-by-record validation: a field of the wrong type becomes a warning naming its path (e.g.
 * `workers[2].requests: expected number, got string`) and that field's default, and the rest is still used.
 */
import type { z } from 'zod';
import { compileFastCheck } from './schema-fast.js';
import type { RecordOf, RecordSchema, Shape } from './schema.js';

const fastChecks = new WeakMap<RecordSchema, (value: unknown) => boolean>();

function fastCheckFor(schema: RecordSchema): (value: unknown) => boolean {
  let check = fastChecks.get(schema);
  if (check === undefined) {
    check = compileFastCheck(schema);
    fastChecks.set(schema, check);
  }
  return check;
}

/** True when `value` is a record of `schema` as it is (every field present, of the right type): readRecord would return it unchanged. */
export function isValidRecord<S extends Shape>(schema: RecordSchema<S>, value: unknown): value is RecordOf<S> {
  return fastCheckFor(schema as unknown as RecordSchema)(value);
}

/** Describe a JSON value's type the way a user reads it (null and array are not 'object'). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Join a parent path and a key or index the way the warnings show it: `workers[2].cores[0].vars`. */
export function joinPath(parent: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? String(key) : `${parent}.${String(key)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${jsonType(valueAt(input, issue.path))}`;
  return issue.message;
}

/**
 * Validate one record with its schema. A record whose fields are all present and of the right type is
 * returned as it is (unknown keys included: callers read only the schema's keys). On problems, warn per bad field and parse again without those
 * fields so their defaults apply. Returns null (with a warning) when the record is not an object at all.
 */
export function readRecord<S extends Shape>(
  schema: RecordSchema<S>,
  input: unknown,
  path: string,
  warnings: string[],
): RecordOf<S> | null {
  if (!isObject(input)) {
    warnings.push(`${path || 'document'}: expected object, got ${jsonType(input)}`);
    return null;
  }
  if (fastCheckFor(schema as unknown as RecordSchema)(input)) return input as RecordOf<S>;
  const first = schema.safeParse(input);
  if (first.success) return first.data;
  const copy: Record<PropertyKey, unknown> = { ...input };
  const absurd: PropertyKey[] = [];
  for (const issue of first.error.issues) {
    let where = path;
    for (const key of issue.path) where = joinPath(where, key);
    const top = issue.path[0];
    const bad = valueAt(input, issue.path);
    const range = issue.code === 'too_big' || issue.code === 'too_small' || (issue.code === 'invalid_type' && issue.expected === 'number');
    if (typeof bad === 'number' && range && issue.path.length === 1 && top !== undefined) {
      // A number out of range (1e308, 1e999 = Infinity): unknown, not the default 0 that would look real.
      warnings.push(`${where}: out of range (${Number.isFinite(bad) ? 'beyond ±2^53' : 'infinite'}), shown as -`);
      absurd.push(top);
    } else {
      warnings.push(`${where || 'document'}: ${describeIssue(issue, input)}`);
    }
    if (top !== undefined) delete copy[top];
  }
  const second = schema.safeParse(copy);
  // Every field has a default, so the second parse only fails on a schema bug: treat the record as unusable.
  if (!second.success) return null;
  const out = second.data as Record<PropertyKey, unknown>;
  for (const key of absurd) out[key] = NaN;
  return out as RecordOf<S>;
}

/**
 * A list field: the array, or null when absent. A value that is not an array is warned about and read as
 * absent.
 */
export function readList(parent: Record<string, unknown>, key: string, path: string, warnings: string[]): unknown[] | null {
  const value = parent[key];
  if (value === undefined) return null;
  if (Array.isArray(value)) return value;
  warnings.push(`${joinPath(path, key)}: expected array, got ${jsonType(value)}`);
  return null;
}

/** Validate and map every element of a list field; elements that are not objects are skipped with a warning. */
export function mapList<S extends Shape, T>(
  parent: Record<string, unknown>,
  key: string,
  path: string,
  warnings: string[],
  schema: RecordSchema<S>,
  map: (record: RecordOf<S>, raw: Record<string, unknown>, index: number, path: string) => T,
): T[] {
  const list = readList(parent, key, path, warnings);
  if (list === null) return [];
  const out: T[] = [];
  const listPath = joinPath(path, key);
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    const itemPath = joinPath(listPath, i);
    const record = readRecord(schema, raw, itemPath, warnings);
    if (record !== null) out.push(map(record, raw as Record<string, unknown>, i, itemPath));
  }
  return out;
}
