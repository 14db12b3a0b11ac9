/**
 * The snapshot model: one typed, normalised view of one stats document, read from one target at one moment.
 * Every later stage (metrics, views, text/JSON reports, relay, FIFO verification) consumes only these types.
 *
 * Units: times are epoch seconds unless the name says otherwise, memory is bytes, durations in the document
 * (avg_rt, running_time) keep uWSGI's microseconds and say so in the name.
 */

/** The three kinds of stats document uWSGI emits. */
export type DocumentKind = 'instance' | 'emperor' | 'router';

/** A worker's state, by uWSGI's precedence: cheap, pause, sig<N>, busy, idle. */
export type WorkerStatus = 'idle' | 'busy' | 'pause' | 'cheap' | 'sig' | 'unknown';

/** The request a busy core is serving, parsed from its `vars` and `req_info`. */
export interface InFlightRequest {
  /** Worker slot (array index + 1), not the worker id. */
  workerSlot: number;
  workerPid: number;
  coreId: number;
  method: string;
  host: string;
  /** REQUEST_URI as sent (path and query). */
  uri: string;
  /** PATH_INFO, or the URI's path part. */
  path: string;
  /** QUERY_STRING ('' when none). */
  query: string;
  remoteAddr: string;
  /** Epoch seconds the request started (req_info.request_start), null when uWSGI does not say. */
  startedAt: number | null;
  /** Seconds between startedAt and the moment the document was read, null when startedAt is unknown. */
  ageSeconds: number | null;
  /** Every request variable, in document order (KEY=VALUE split on the first '='). */
  vars: Array<[string, string]>;
}

export interface Core {
  id: number;
  requests: number;
  staticRequests: number;
  routedRequests: number;
  offloadedRequests: number;
  writeErrors: number;
  readErrors: number;
  inRequest: boolean;
  /** The in-flight request when inRequest, else null. */
  request: InFlightRequest | null;
}

export interface WorkerApp {
  id: number;
  modifier1: number;
  mountpoint: string;
  startupTime: number;
  requests: number;
  exceptions: number;
  chdir: string;
}

export interface Worker {
  /** Array index + 1: stable across respawns and meaningful for cheap slots whose id is 0. */
  slot: number;
  /** uWSGI's worker id (0 for slots never spawned in cheaper mode). */
  id: number;
  pid: number;
  accepting: boolean;
  requests: number;
  deltaRequests: number;
  exceptions: number;
  harakiriCount: number;
  signals: number;
  signalQueue: number;
  status: WorkerStatus;
  /** The signal number when status is 'sig', else null. */
  signal: number | null;
  /** The status string exactly as uWSGI sent it (already made safe for display by the views, not here). */
  statusRaw: string;
  rssBytes: number;
  vszBytes: number;
  ussBytes: number | null;
  pssBytes: number | null;
  /** Microseconds spent serving requests since the worker started (not uptime). */
  runningTimeUs: number;
  /** Epoch seconds of the last (re)spawn; 0 when never spawned. */
  lastSpawn: number;
  respawnCount: number;
  txBytes: number;
  /** uWSGI's running average response time, microseconds. */
  avgRtUs: number;
  apps: WorkerApp[];
  /** Null when the document has no cores (--stats-no-cores). */
  cores: Core[] | null;
  /** The requests being served by this worker's cores right now. */
  inFlight: InFlightRequest[];
}

export interface Cache {
  name: string;
  hash: string;
  hashsize: number;
  keysize: number;
  maxItems: number;
  blocks: number;
  blocksize: number;
  items: number;
  hits: number;
  misses: number;
  full: number;
  lastModifiedAt: number;
}

export type MetricType = 'counter' | 'gauge' | 'absolute' | 'alias' | 'unknown';

export interface Metric {
  name: string;
  type: MetricType;
  oid: string;
  value: number;
}

export interface Socket {
  name: string;
  proto: string;
  queue: number;
  maxQueue: number;
  shared: boolean;
  canOffload: boolean;
  /** Set only on a socket whose queue/maxQueue were replaced by the kernel's (src/metrics/kernel-queue.ts), never by the decoder. */
  queueFrom?: 'kernel';
}

/** A listening unix socket's queue as the kernel reports it (sock_diag): connections waiting, and the backlog. */
export interface KernelQueue {
  queue: number;
  maxQueue: number;
}

export interface Lock {
  name: string;
  pid: number;
}

export interface Daemon {
  cmd: string;
  pid: number;
  respawns: number;
}

export interface Spooler {
  dir: string;
  pid: number;
  tasks: number;
  respawns: number;
  running: boolean;
}

export interface Cron {
  minute: number;
  hour: number;
  day: number;
  month: number;
  week: number;
  command: string;
  unique: boolean;
  legion: string;
  pid: number;
  startedAt: number;
}

export interface LegionMember {
  name: string;
  uuid: string;
  valor: number;
  checksum: number;
  lastSeen: number;
}

export interface Legion {
  legion: string;
  addr: string;
  uuid: string;
  valor: number;
  checksum: number;
  quorum: number;
  /** Epoch seconds this node became lord, 0 when it is not the lord. */
  iAmTheLord: number;
  lordValor: number;
  lordUuid: string;
  nodes: string[];
  members: LegionMember[];
}

export interface InstanceDocument {
  version: string;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  /** Linux only; null when the document does not carry it. */
  listenQueue: number | null;
  listenQueueErrors: number | null;
  signalQueue: number;
  load: number;
  locks: Lock[];
  daemons: Daemon[];
  caches: Cache[];
  /** Empty when uWSGI runs without --enable-metrics (or with --stats-no-metrics). */
  metrics: Metric[];
  sockets: Socket[];
  workers: Worker[];
  spoolers: Spooler[];
  crons: Cron[];
  legions: Legion[];
}

export interface Vassal {
  id: string;
  pid: number;
  born: number;
  lastMod: number;
  lastHeartbeat: number;
  loyal: number;
  ready: boolean;
  accepting: boolean;
  lastLoyal: number;
  lastReady: number;
  lastAccepting: number;
  firstRun: number;
  lastRun: number;
  cursed: number;
  zerg: number;
  onDemand: string;
  uid: number;
  gid: number;
  monitor: string;
  respawns: number;
}

export interface BlacklistEntry {
  id: string;
  throttleLevel: number;
  attempt: number;
  firstAttempt: number;
  lastAttempt: number;
}

export interface EmperorDocument {
  version: string;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  emperor: string[];
  emperorTyrant: boolean;
  throttleLevel: number;
  vassals: Vassal[];
  blacklist: BlacklistEntry[];
}

export interface SubscriptionNode {
  name: string;
  modifier1: number;
  modifier2: number;
  lastCheck: number;
  pid: number;
  uid: number;
  gid: number;
  requests: number;
  lastRequests: number;
  tx: number;
  rx: number;
  cores: number;
  load: number;
  weight: number;
  wrr: number;
  ref: number;
  failcnt: number;
  deathMark: boolean;
}

export interface Subscription {
  key: string;
  hash: number;
  hits: number;
  sniEnabled: boolean;
  nodes: SubscriptionNode[];
}

export interface StaticNode {
  name: string;
  hits: number;
  grace: number;
}

export interface RouterDocument {
  version: string;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  activeSessions: number;
  /** The router's name as the document keys it (fastrouter, http, rawrouter, sslrouter...). */
  routerName: string;
  /** The router's listening sockets. */
  routerSockets: string[];
  staticNodes: StaticNode[];
  subscriptions: Subscription[];
  cheap: boolean;
}

/** Fields common to every snapshot, whatever the kind. */
export interface SnapshotBase {
  /** The target as the user named it (canonical address string). */
  target: string;
  /** Wall clock when the read finished, epoch milliseconds. */
  readAtMs: number;
  /** Monotonic clock (performance.now()) when the read finished, milliseconds: use it for rates. */
  monotonicMs: number;
  /** Bytes received (body only, after any HTTP headers). */
  bytes: number;
  /** How long the read took, milliseconds. */
  durationMs: number;
  /** Problems that did not stop the document from being used: each names a path and what was wrong. */
  warnings: string[];
  /** Repairs applied to make the bytes valid JSON (empty for valid JSON). */
  repairs: string[];
}

/** One process as the OS sees it (/proc/PID/stat). */
export interface ProcessOs {
  pid: number;
  /** utime + stime, in clock ticks (CLOCK_TICKS_PER_SECOND). */
  cpuTicks: number;
  rssBytes: number;
  vszBytes: number;
}

/**
 * What the OS says about an instance read from this box (src/stats/proc-os.ts): absent for a saved document,
 * `local: false` with the reason in `note` for a remote target or pids that are not proven to be its own.
 */
export interface OsFacts {
  local: boolean;
  /** Where the figures come from ('local: /proc/PID/stat') or why there are none ('not local: ...'). */
  note: string;
  master: ProcessOs | null;
  /** In the document's worker order; null for a slot whose pid is not proven to be this instance's worker. */
  workers: Array<ProcessOs | null>;
  /** The kernel's queue of each socket in the document's order (null: TCP, or not a listener here); absent when not asked or not answered. */
  sockets?: Array<KernelQueue | null>;
  /** Why the kernel's queues are missing, when they were asked for and could not be had. */
  socketsNote?: string;
}

export interface InstanceSnapshot extends SnapshotBase {
  kind: 'instance';
  doc: InstanceDocument;
  /** The OS's view of the instance's processes, for a live read. */
  os?: OsFacts;
}

export interface EmperorSnapshot extends SnapshotBase {
  kind: 'emperor';
  doc: EmperorDocument;
}

export interface RouterSnapshot extends SnapshotBase {
  kind: 'router';
  doc: RouterDocument;
}

/** One read of one target, normalised. */
export type Snapshot = InstanceSnapshot | EmperorSnapshot | RouterSnapshot;
