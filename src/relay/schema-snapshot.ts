/**
 * zod schemas of what a relay update carries: the Snapshot model (src/stats/snapshot.ts), the derived values
 * and events (src/metrics/types.ts) and the target state (src/monitor/types.ts), as JSON brings them.
 * Unknown fields are dropped (the protocol says to ignore them); a number may arrive as null because JSON
 * has no NaN or Infinity (the relay's JSON.stringify writes them as null), and reads back as NaN.
 */
import { z } from 'zod';
import type { Derived, MonitorEvent } from '../metrics/types.js';
import type { Snapshot } from '../stats/snapshot.js';
import { fieldsOf, LEGION_NUMBERS, LEGION_STRINGS, SUBSCRIPTION_NODE_NUMBERS } from '../stats/schema.js';
import type { TargetState } from '../monitor/types.js';

/** A number, or null standing for a value JSON cannot carry (NaN, Infinity). */
const num = z.union([z.number(), z.null().transform(() => Number.NaN)]);
const nullableNum = z.number().nullable();
const str = z.string();
const bool = z.boolean();

const inFlightSchema = z.object({
  workerSlot: num,
  workerPid: num,
  coreId: num,
  method: str,
  host: str,
  uri: str,
  path: str,
  query: str,
  remoteAddr: str,
  startedAt: nullableNum,
  ageSeconds: nullableNum,
  vars: z.array(z.tuple([str, str])),
});

const coreSchema = z.object({
  id: num,
  requests: num,
  staticRequests: num,
  routedRequests: num,
  offloadedRequests: num,
  writeErrors: num,
  readErrors: num,
  inRequest: bool,
  request: inFlightSchema.nullable(),
});

const workerAppSchema = z.object({ id: num, modifier1: num, mountpoint: str, startupTime: num, requests: num, exceptions: num, chdir: str });

const workerSchema = z.object({
  slot: num,
  id: num,
  pid: num,
  accepting: bool,
  requests: num,
  deltaRequests: num,
  exceptions: num,
  harakiriCount: num,
  signals: num,
  signalQueue: num,
  status: z.enum(['idle', 'busy', 'pause', 'cheap', 'sig', 'unknown']),
  signal: nullableNum,
  statusRaw: str,
  rssBytes: num,
  vszBytes: num,
  ussBytes: nullableNum,
  pssBytes: nullableNum,
  runningTimeUs: num,
  lastSpawn: num,
  respawnCount: num,
  txBytes: num,
  avgRtUs: num,
  apps: z.array(workerAppSchema),
  cores: z.array(coreSchema).nullable(),
  inFlight: z.array(inFlightSchema),
});

const metricTypeSchema = z.enum(['counter', 'gauge', 'absolute', 'alias', 'unknown']);

const cacheSchema = z.object({
  name: str,
  hash: str,
  hashsize: num,
  keysize: num,
  maxItems: num,
  blocks: num,
  blocksize: num,
  items: num,
  hits: num,
  misses: num,
  full: num,
  lastModifiedAt: num,
});

const legionSchema = z.object({
  ...fieldsOf(LEGION_STRINGS, str),
  ...fieldsOf(LEGION_NUMBERS, num),
  iAmTheLord: num,
  lordValor: num,
  lordUuid: str,
  nodes: z.array(str),
  members: z.array(z.object({ name: str, uuid: str, valor: num, checksum: num, lastSeen: num })),
});

/** Top-level scalars every document kind carries. */
const docCommon = { version: str, pid: num, uid: num, gid: num, cwd: str };

const instanceDocSchema = z.object({
  ...docCommon,
  listenQueue: nullableNum,
  listenQueueErrors: nullableNum,
  signalQueue: num,
  load: num,
  locks: z.array(z.object({ name: str, pid: num })),
  daemons: z.array(z.object({ cmd: str, pid: num, respawns: num })),
  caches: z.array(cacheSchema),
  metrics: z.array(z.object({ name: str, type: metricTypeSchema, oid: str, value: num })),
  sockets: z.array(z.object({ name: str, proto: str, queue: num, maxQueue: num, shared: bool, canOffload: bool, queueFrom: z.literal('kernel').optional() })),
  workers: z.array(workerSchema),
  spoolers: z.array(z.object({ dir: str, pid: num, tasks: num, respawns: num, running: bool })),
  crons: z.array(
    z.object({ minute: num, hour: num, day: num, month: num, week: num, command: str, unique: bool, legion: str, pid: num, startedAt: num }),
  ),
  legions: z.array(legionSchema),
});

const vassalSchema = z.object({
  id: str,
  pid: num,
  born: num,
  lastMod: num,
  lastHeartbeat: num,
  loyal: num,
  ready: bool,
  accepting: bool,
  lastLoyal: num,
  lastReady: num,
  lastAccepting: num,
  firstRun: num,
  lastRun: num,
  cursed: num,
  zerg: num,
  onDemand: str,
  uid: num,
  gid: num,
  monitor: str,
  respawns: num,
});

const emperorDocSchema = z.object({
  ...docCommon,
  emperor: z.array(str),
  emperorTyrant: bool,
  throttleLevel: num,
  vassals: z.array(vassalSchema),
  blacklist: z.array(z.object({ id: str, throttleLevel: num, attempt: num, firstAttempt: num, lastAttempt: num })),
});

const subscriptionNodeSchema = z.object({
  name: str,
  ...fieldsOf(SUBSCRIPTION_NODE_NUMBERS, num),
  lastCheck: num,
  lastRequests: num,
  deathMark: bool,
});

const routerDocSchema = z.object({
  ...docCommon,
  activeSessions: num,
  routerName: str,
  routerSockets: z.array(str),
  staticNodes: z.array(z.object({ name: str, hits: num, grace: num })),
  subscriptions: z.array(z.object({ key: str, hash: num, hits: num, sniEnabled: bool, nodes: z.array(subscriptionNodeSchema) })),
  cheap: bool,
});

const snapshotBase = {
  target: str,
  readAtMs: num,
  monotonicMs: num,
  bytes: num,
  durationMs: num,
  warnings: z.array(str),
  repairs: z.array(str),
};

const processOsSchema = z.object({ pid: num, cpuTicks: num, rssBytes: num, vszBytes: num });
const kernelQueueSchema = z.object({ queue: num, maxQueue: num });
const osFactsSchema = z.object({
  local: bool,
  note: str,
  master: processOsSchema.nullable(),
  workers: z.array(processOsSchema.nullable()),
  sockets: z.array(kernelQueueSchema.nullable()).optional(),
  socketsNote: str.optional(),
});

/** One snapshot of any kind, as a relay sends it. */
export const snapshotSchema = z.discriminatedUnion('kind', [
  z.object({ ...snapshotBase, kind: z.literal('instance'), doc: instanceDocSchema, os: osFactsSchema.optional() }),
  z.object({ ...snapshotBase, kind: z.literal('emperor'), doc: emperorDocSchema }),
  z.object({ ...snapshotBase, kind: z.literal('router'), doc: routerDocSchema }),
]);

const rate = nullableNum;

/** Derived values of one poll. */
export const derivedSchema = z.object({
  target: str,
  intervalSeconds: nullableNum,
  restarted: bool,
  instance: z
    .object({
      rps: rate,
      eps: rate,
      txps: rate,
      busyness: rate,
      totalRequests: num,
      totalExceptions: num,
      totalTx: num,
      busy: num,
      idle: num,
      paused: num,
      cheap: num,
      sig: num,
      running: num,
      avgRtUs: nullableNum,
      uptimeSeconds: nullableNum,
      uptimeFrom: z.enum(['master', 'workers', 'saved']).optional(),
      inFlight: nullableNum,
      intervalAvgRtUs: nullableNum.optional(),
      cpuPct: nullableNum.optional(),
      masterCpuPct: nullableNum.optional(),
      masterRssBytes: nullableNum.optional(),
      osNote: str.nullable().optional(),
    })
    .nullable(),
  workers: z.array(
    z.object({
      slot: num, pid: num, rps: rate, eps: rate, txps: rate, busyness: rate, sharePct: num, appRps: z.array(rate),
      cpuPct: rate.optional(), intervalAvgRtUs: rate.optional(), rssBytes: nullableNum.optional(), vszBytes: nullableNum.optional(),
      memoryFrom: z.enum(['uwsgi', 'os']).nullable().optional(),
    }),
  ),
  caches: z.array(z.object({ name: str, hitsPerSec: rate, missesPerSec: rate, hitRatio: rate })),
  metrics: z.array(z.object({ name: str, type: metricTypeSchema, value: num, rate })),
  nodes: z.array(z.object({ key: str, name: str, rps: rate })),
  vassals: z.array(z.object({ id: str, respawnsDelta: num })),
});

const EVENT_TYPES = [
  'target-down',
  'target-up',
  'instance-restarted',
  'workers-reloaded',
  'worker-respawned',
  'worker-paused',
  'worker-resumed',
  'worker-cheap',
  'worker-signal',
  'chain-reload-progress',
  'listen-queue-high',
  'exceptions-rising',
  'cache-full',
  'legion-lord-changed',
  'legion-member-joined',
  'legion-member-left',
  'legion-quorum',
  'vassal-spawned',
  'vassal-respawned',
  'vassal-cursed',
  'vassal-gone',
  'node-added',
  'node-removed',
  'node-failing',
  'node-dead',
  'command',
  'document-warning',
  'daemon-respawned',
  'relay-message-dropped',
  'worker-crash-loop',
  'discovered',
] as const satisfies ReadonlyArray<MonitorEvent['type']>;

/** One event. */
export const eventSchema = z.object({
  atMs: num,
  target: str,
  type: z.enum(EVENT_TYPES),
  severity: z.enum(['info', 'warn', 'error']),
  message: str,
  data: z.record(z.string(), z.union([str, z.number(), bool, z.null()])).optional(),
});

/** A target's connection state. */
export const targetStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('connecting') }),
  z.object({ state: z.literal('live') }),
  z.object({ state: z.literal('stale'), sinceMs: num, ageSeconds: num }),
  z.object({ state: z.literal('down'), error: str, sinceMs: num, nextRetryAtMs: nullableNum }),
]);

/** The TargetUpdate fields of an update message (and of a hello's `latest`). */
export const targetUpdateShape = {
  target: str,
  seq: num,
  state: targetStateSchema,
  snapshot: snapshotSchema.nullable(),
  derived: derivedSchema.nullable(),
  events: z.array(eventSchema),
  error: str.nullable(),
};

/** True when A and B are assignable to each other (an optional field on one side only still passes). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * True only when A and B are the same type, optional fields included: a field the schema lacks is stripped
 * silently on the relay's clients, and a delta through it no longer applies (os.sockets was).
 */
export type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
// Compile-time proof that the schemas describe the model types: a field added to one and not the other fails the build.
const schemasMatchModel: [
  Identical<z.output<typeof snapshotSchema>, Snapshot>,
  Identical<z.output<typeof derivedSchema>, Derived>,
  // `fold` is the detector's note to the event log, gone before an event is logged or sent.
  Identical<z.output<typeof eventSchema>, Omit<MonitorEvent, 'fold'>>,
  Identical<z.output<typeof targetStateSchema>, TargetState>,
] = [true, true, true, true];
void schemasMatchModel;
