/**
 * The records of the three stats document kinds (instance, emperor, router), as uWSGI 2.0.x writes them (key
 * names as in the document), described once as field specs. Both validators are made from these: the
 * straight-line pre-check that valid records pass (schema-fast.ts) and, only for records that fail it, the zod
 * schema that supplies defaults and the issue paths. zod is loaded on that first failure, so a valid document
 * (and the start-up of every mode) never pays for loading it.
 *
 * Each schema covers one record, not a whole document: decode-record.ts validates record by record so that
 * one field of the wrong type costs only that field (a warning and its default), never the document.
 * Every field has a default because uWSGI versions and flags omit keys; unknown keys are ignored (stripped).
 * Nested lists (workers' cores/apps, subscriptions' nodes...) are read by the normalisers record by record,
 * so they are not part of their parent's schema.
 */
import { createRequire } from 'node:module';
import type { z } from 'zod';

/** One field: a number (0 when absent, or left absent when optional), a string, a string list, or an object. */
export type FieldSpec =
  | { readonly kind: 'number'; readonly optional: boolean }
  | { readonly kind: 'string' }
  | { readonly kind: 'strings' }
  | { readonly kind: 'object'; readonly shape: Shape };

export type Shape = Readonly<Record<string, FieldSpec>>;

type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];

type FieldOutput<F> = F extends { kind: 'number' }
  ? number
  : F extends { kind: 'string' }
    ? string
    : F extends { kind: 'strings' }
      ? string[]
      : F extends { kind: 'object'; shape: infer S extends Shape }
        ? RecordOf<S>
        : never;

/** A validated record of shape S (what zod's output is). */
export type RecordOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: FieldOutput<S[K]> } & {
  [K in OptionalKeys<S>]?: number | undefined;
};

/** A record schema: its field specs, and zod's parse/safeParse of them (zod built on first use). */
export interface RecordSchema<S extends Shape = Shape> {
  readonly shape: S;
  parse(input: unknown): RecordOf<S>;
  safeParse(input: unknown): z.ZodSafeParseResult<RecordOf<S>>;
}

/**
 * The numbers uWSGI writes are integers and doubles of ordinary size; beyond 2^53 (1e308, 1e999 read as
 * Infinity) a value is garbage, not a count: readRecord warns and makes it NaN, which every output shows as `-`.
 */
export const NUMBER_LIMIT = Number.MAX_SAFE_INTEGER;

const num = { kind: 'number', optional: false } as const;
const str = { kind: 'string' } as const;
/** Numbers some uWSGI builds leave out (Linux-only, --memory-report...): absent stays absent (null later). */
const optNum = { kind: 'number', optional: true } as const;
const strList = { kind: 'strings' } as const;

/** A legion's one-word strings and numbers: named alike in uWSGI's document and in the snapshot. */
export const LEGION_STRINGS = ['legion', 'addr', 'uuid'] as const;
export const LEGION_NUMBERS = ['valor', 'checksum', 'quorum'] as const;

/** A subscription node's one-word numbers: named alike in uWSGI's document and in the snapshot (and the relay's schema). */
export const SUBSCRIPTION_NODE_NUMBERS = ['modifier1', 'modifier2', 'pid', 'uid', 'gid', 'requests', 'tx', 'rx', 'cores', 'load', 'weight', 'wrr', 'ref', 'failcnt'] as const;

/** One shape entry, `value`, for each of `names` (fields read the same way). */
export function fieldsOf<K extends string, V>(names: readonly K[], value: V): Record<K, V> {
  return Object.fromEntries(names.map((n) => [n, value])) as Record<K, V>;
}

const object = <S extends Shape>(shape: S) => ({ kind: 'object', shape }) as const;

type Zod = typeof import('zod');
// Synchronous, because records are read synchronously; zod's CommonJS build serves that.
const requireZod = (): Zod => createRequire(import.meta.url)('zod') as Zod;

function zodField(zl: Zod, f: FieldSpec): z.ZodType {
  switch (f.kind) {
    case 'number': {
      const sane = zl.z.number().gte(-NUMBER_LIMIT).lte(NUMBER_LIMIT);
      return f.optional ? sane.optional() : sane.default(0);
    }
    case 'string':
      return zl.z.string().default('');
    case 'strings':
      return zl.z.array(zl.z.string()).default([]);
    case 'object':
      return zodObject(zl, f.shape).default({});
  }
}

function zodObject(zl: Zod, shape: Shape): z.ZodObject {
  return zl.z.object(Object.fromEntries(Object.entries(shape).map(([k, f]) => [k, zodField(zl, f)])));
}

function record<S extends Shape>(shape: S): RecordSchema<S> {
  let built: z.ZodType<RecordOf<S>> | null = null;
  const zodSchema = (): z.ZodType<RecordOf<S>> => (built ??= zodObject(requireZod(), shape) as unknown as z.ZodType<RecordOf<S>>);
  return {
    shape,
    parse: (input) => zodSchema().parse(input),
    safeParse: (input) => zodSchema().safeParse(input),
  };
}

/** Top-level scalars every kind carries. */
const common = {
  version: str,
  pid: num,
  uid: num,
  gid: num,
  cwd: str,
};

export const instanceTopSchema = record({
  ...common,
  listen_queue: optNum,
  listen_queue_errors: optNum,
  signal_queue: num,
  load: num,
});

export const daemonSchema = record({ cmd: str, pid: num, respawns: num });

export const cacheSchema = record({
  name: str,
  hash: str,
  hashsize: num,
  keysize: num,
  max_items: num,
  blocks: num,
  blocksize: num,
  items: num,
  hits: num,
  miss: num,
  full: num,
  last_modified_at: num,
});

export const metricSchema = record({ type: num, oid: str, value: num });

export const socketSchema = record({
  name: str,
  proto: str,
  queue: num,
  max_queue: num,
  shared: num,
  can_offload: num,
});

/** A worker's own fields; its `apps` and `cores` lists are read separately. */
export const workerSchema = record({
  id: num,
  pid: num,
  accepting: num,
  requests: num,
  delta_requests: num,
  exceptions: num,
  harakiri_count: num,
  signals: num,
  signal_queue: num,
  status: str,
  rss: num,
  vsz: num,
  uss: optNum,
  pss: optNum,
  running_time: num,
  last_spawn: num,
  respawn_count: num,
  tx: num,
  avg_rt: num,
});

export const appSchema = record({
  id: num,
  modifier1: num,
  mountpoint: str,
  startup_time: num,
  requests: num,
  exceptions: num,
  chdir: str,
});

export const coreSchema = record({
  id: num,
  requests: num,
  static_requests: num,
  routed_requests: num,
  offloaded_requests: num,
  write_errors: num,
  read_errors: num,
  in_request: num,
  vars: strList,
  req_info: object({ request_start: optNum }),
});

export const spoolerSchema = record({ dir: str, pid: num, tasks: num, respawns: num, running: num });

export const cronSchema = record({
  minute: num,
  hour: num,
  day: num,
  month: num,
  week: num,
  command: str,
  unique: num,
  legion: str,
  pid: num,
  started_at: num,
});

/** A legion's own fields; its `members` list is read separately. */
export const legionSchema = record({
  ...fieldsOf(LEGION_STRINGS, str),
  ...fieldsOf(LEGION_NUMBERS, num),
  i_am_the_lord: num,
  lord_valor: num,
  lord_uuid: str,
  nodes: strList,
});

export const legionMemberSchema = record({ name: str, uuid: str, valor: num, checksum: num, last_seen: num });

export const emperorTopSchema = record({
  ...common,
  emperor: strList,
  emperor_tyrant: num,
  throttle_level: num,
});

export const vassalSchema = record({
  id: str,
  pid: num,
  born: num,
  last_mod: num,
  last_heartbeat: num,
  loyal: num,
  ready: num,
  accepting: num,
  last_loyal: num,
  last_ready: num,
  last_accepting: num,
  first_run: num,
  last_run: num,
  cursed: num,
  zerg: num,
  on_demand: str,
  uid: num,
  gid: num,
  monitor: str,
  respawns: num,
});

export const blacklistSchema = record({
  id: str,
  throttle_level: num,
  attempt: num,
  first_attempt: num,
  last_attempt: num,
});

export const routerTopSchema = record({ ...common, active_sessions: num, cheap: num });

export const staticNodeSchema = record({ name: str, hits: num, grace: num });

/** A subscription's own fields; its `nodes` list is read separately. */
export const subscriptionSchema = record({ key: str, hash: num, hits: num, sni_enabled: num });

export const subscriptionNodeSchema = record({
  name: str,
  ...fieldsOf(SUBSCRIPTION_NODE_NUMBERS, num),
  last_check: num,
  last_requests: num,
  death_mark: num,
});
