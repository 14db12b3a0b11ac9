/**
 * zod schemas for the records of the three stats document kinds (instance, emperor, router), as uWSGI
 * 2.0.x writes them (key names as in the document).
 *
 * Each schema covers one record, not a whole document: decode-record.ts validates record by record so that
 * one field of the wrong type costs only that field (a warning and its default), never the document.
 * Every field has a default because uWSGI versions and flags omit keys; unknown keys are ignored (stripped).
 * Nested lists (workers' cores/apps, subscriptions' nodes...) are read by the normalisers record by record,
 * so they are not part of their parent's schema.
 */
import { z } from 'zod';

const num = z.number().default(0);
const str = z.string().default('');
/** Numbers some uWSGI builds leave out (Linux-only, --memory-report...): absent stays absent (null later). */
const optNum = z.number().optional();
const strList = z.array(z.string()).default([]);

/** Top-level scalars every kind carries. */
const common = {
  version: str,
  pid: num,
  uid: num,
  gid: num,
  cwd: str,
};

export const instanceTopSchema = z.object({
  ...common,
  listen_queue: optNum,
  listen_queue_errors: optNum,
  signal_queue: num,
  load: num,
});

export const daemonSchema = z.object({ cmd: str, pid: num, respawns: num });

export const cacheSchema = z.object({
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

export const metricSchema = z.object({ type: num, oid: str, value: num });

export const socketSchema = z.object({
  name: str,
  proto: str,
  queue: num,
  max_queue: num,
  shared: num,
  can_offload: num,
});

/** A worker's own fields; its `apps` and `cores` lists are read separately. */
export const workerSchema = z.object({
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

export const appSchema = z.object({
  id: num,
  modifier1: num,
  mountpoint: str,
  startup_time: num,
  requests: num,
  exceptions: num,
  chdir: str,
});

export const coreSchema = z.object({
  id: num,
  requests: num,
  static_requests: num,
  routed_requests: num,
  offloaded_requests: num,
  write_errors: num,
  read_errors: num,
  in_request: num,
  vars: strList,
  req_info: z.object({ request_start: optNum }).default({}),
});

export const spoolerSchema = z.object({ dir: str, pid: num, tasks: num, respawns: num, running: num });

export const cronSchema = z.object({
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
export const legionSchema = z.object({
  legion: str,
  addr: str,
  uuid: str,
  valor: num,
  checksum: num,
  quorum: num,
  i_am_the_lord: num,
  lord_valor: num,
  lord_uuid: str,
  nodes: strList,
});

export const legionMemberSchema = z.object({ name: str, uuid: str, valor: num, checksum: num, last_seen: num });

export const emperorTopSchema = z.object({
  ...common,
  emperor: strList,
  emperor_tyrant: num,
  throttle_level: num,
});

export const vassalSchema = z.object({
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

export const blacklistSchema = z.object({
  id: str,
  throttle_level: num,
  attempt: num,
  first_attempt: num,
  last_attempt: num,
});

export const routerTopSchema = z.object({ ...common, active_sessions: num, cheap: num });

export const staticNodeSchema = z.object({ name: str, hits: num, grace: num });

/** A subscription's own fields; its `nodes` list is read separately. */
export const subscriptionSchema = z.object({ key: str, hash: num, hits: num, sni_enabled: num });

export const subscriptionNodeSchema = z.object({
  name: str,
  modifier1: num,
  modifier2: num,
  last_check: num,
  pid: num,
  uid: num,
  gid: num,
  requests: num,
  last_requests: num,
  tx: num,
  rx: num,
  cores: num,
  load: num,
  weight: num,
  wrr: num,
  ref: num,
  failcnt: num,
  death_mark: num,
});
