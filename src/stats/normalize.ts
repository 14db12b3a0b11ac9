/** Instance stats document (parsed JSON object) -> InstanceDocument, record by record. */
import { processFields } from './normalize-process.js';
import { isObject, isValidRecord, joinPath, jsonType, mapList, readList, readRecord } from './decode-record.js';
import { parseRequest, parseStatus } from './normalize-request.js';
import {
  appSchema,
  cacheSchema,
  coreSchema,
  cronSchema,
  daemonSchema,
  instanceTopSchema,
  legionMemberSchema,
  legionSchema,
  metricSchema,
  socketSchema,
  spoolerSchema,
  workerSchema,
} from './schema.js';
import type {
  Core,
  InFlightRequest,
  InstanceDocument,
  Legion,
  Lock,
  Metric,
  MetricType,
  Worker,
} from './snapshot.js';

const METRIC_TYPES: readonly MetricType[] = ['counter', 'gauge', 'absolute', 'alias'];

/** Turn an instance document into the snapshot model; problems go to `warnings`. */
export function normalizeInstance(raw: Record<string, unknown>, readAtMs: number, warnings: string[]): InstanceDocument {
  const top = readRecord(instanceTopSchema, raw, '', warnings) ?? instanceTopSchema.parse({});
  const workers: Worker[] = [];
  const workerList = readList(raw, 'workers', '', warnings) ?? [];
  for (let i = 0; i < workerList.length; i++) {
    const w = normalizeWorker(workerList[i], i, readAtMs, warnings);
    if (w !== null) workers.push(w);
  }
  return {
    ...processFields(top),
    listenQueue: top.listen_queue ?? null,
    listenQueueErrors: top.listen_queue_errors ?? null,
    signalQueue: top.signal_queue,
    load: top.load,
    locks: readLocks(raw, warnings),
    daemons: mapList(raw, 'daemons', '', warnings, daemonSchema, (d) => ({ cmd: d.cmd, pid: d.pid, respawns: d.respawns })),
    caches: mapList(raw, 'caches', '', warnings, cacheSchema, (c) => ({
      name: c.name,
      hash: c.hash,
      hashsize: c.hashsize,
      keysize: c.keysize,
      maxItems: c.max_items,
      blocks: c.blocks,
      blocksize: c.blocksize,
      items: c.items,
      hits: c.hits,
      misses: c.miss,
      full: c.full,
      lastModifiedAt: c.last_modified_at,
    })),
    metrics: readMetrics(raw, warnings),
    sockets: mapList(raw, 'sockets', '', warnings, socketSchema, (s) => ({
      name: s.name,
      proto: s.proto,
      queue: s.queue,
      maxQueue: s.max_queue,
      shared: s.shared !== 0,
      canOffload: s.can_offload !== 0,
    })),
    workers,
    spoolers: mapList(raw, 'spoolers', '', warnings, spoolerSchema, (s) => ({
      dir: s.dir,
      pid: s.pid,
      tasks: s.tasks,
      respawns: s.respawns,
      running: s.running !== 0,
    })),
    crons: mapList(raw, 'crons', '', warnings, cronSchema, (c) => ({
      minute: c.minute,
      hour: c.hour,
      day: c.day,
      month: c.month,
      week: c.week,
      command: c.command,
      unique: c.unique !== 0,
      legion: c.legion,
      pid: c.pid,
      startedAt: c.started_at,
    })),
    legions: mapList(raw, 'legions', '', warnings, legionSchema, (l, rawLegion, _i, path): Legion => ({
      legion: l.legion,
      addr: l.addr,
      uuid: l.uuid,
      valor: l.valor,
      checksum: l.checksum,
      quorum: l.quorum,
      iAmTheLord: l.i_am_the_lord,
      lordValor: l.lord_valor,
      lordUuid: l.lord_uuid,
      nodes: l.nodes,
      members: mapList(rawLegion, 'members', path, warnings, legionMemberSchema, (m) => ({
        name: m.name,
        uuid: m.uuid,
        valor: m.valor,
        checksum: m.checksum,
        lastSeen: m.last_seen,
      })),
    })),
  };
}

// The slot is the array index + 1 whatever happens to other elements, so it stays stable for cheap slots.
function normalizeWorker(input: unknown, index: number, readAtMs: number, warnings: string[]): Worker | null {
  const path = `workers[${index}]`;
  const w = readRecord(workerSchema, input, path, warnings);
  if (w === null) return null;
  const raw = input as Record<string, unknown>;
  const slot = index + 1;
  const { status, signal } = parseStatus(w.status);
  const coreList = readList(raw, 'cores', path, warnings);
  let cores: Core[] | null = null;
  const inFlight: InFlightRequest[] = [];
  if (coreList !== null) {
    cores = [];
    const coresPath = joinPath(path, 'cores');
    for (let i = 0; i < coreList.length; i++) {
      const item = coreList[i];
      // A valid core (nearly all of tens of thousands) costs no path string: it is only needed for a warning.
      const c = isValidRecord(coreSchema, item) ? item : readRecord(coreSchema, item, `${coresPath}[${i}]`, warnings);
      if (c === null) continue;
      const inRequest = c.in_request !== 0;
      const request = inRequest
        ? parseRequest({ workerSlot: slot, workerPid: w.pid, coreId: c.id }, c.vars, c.req_info.request_start, readAtMs)
        : null;
      if (request !== null) inFlight.push(request);
      cores.push({
        id: c.id,
        requests: c.requests,
        staticRequests: c.static_requests,
        routedRequests: c.routed_requests,
        offloadedRequests: c.offloaded_requests,
        writeErrors: c.write_errors,
        readErrors: c.read_errors,
        inRequest,
        request,
      });
    }
  }
  return {
    slot,
    id: w.id,
    pid: w.pid,
    accepting: w.accepting !== 0,
    requests: w.requests,
    deltaRequests: w.delta_requests,
    exceptions: w.exceptions,
    harakiriCount: w.harakiri_count,
    signals: w.signals,
    signalQueue: w.signal_queue,
    status,
    signal,
    statusRaw: w.status,
    rssBytes: w.rss,
    vszBytes: w.vsz,
    ussBytes: w.uss ?? null,
    pssBytes: w.pss ?? null,
    runningTimeUs: w.running_time,
    lastSpawn: w.last_spawn,
    respawnCount: w.respawn_count,
    txBytes: w.tx,
    avgRtUs: w.avg_rt,
    apps: mapList(raw, 'apps', path, warnings, appSchema, (a) => ({
      id: a.id,
      modifier1: a.modifier1,
      mountpoint: a.mountpoint,
      startupTime: a.startup_time,
      requests: a.requests,
      exceptions: a.exceptions,
      chdir: a.chdir,
    })),
    cores,
    inFlight,
  };
}

// Locks are written as one-key objects: [{"user 0": 0}, {"signal": 0}] (the value is the holder's pid).
function readLocks(raw: Record<string, unknown>, warnings: string[]): Lock[] {
  const list = readList(raw, 'locks', '', warnings) ?? [];
  const locks: Lock[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const path = `locks[${i}]`;
    if (!isObject(item)) {
      warnings.push(`${path}: expected object, got ${jsonType(item)}`);
      continue;
    }
    for (const [name, pid] of Object.entries(item)) {
      if (typeof pid === 'number') locks.push({ name, pid });
      else warnings.push(`${path}[${JSON.stringify(name)}]: expected number, got ${jsonType(pid)}`);
    }
  }
  return locks;
}

// Metrics are an object keyed by metric name (only with --enable-metrics).
function readMetrics(raw: Record<string, unknown>, warnings: string[]): Metric[] {
  const value = raw['metrics'];
  if (value === undefined) return [];
  if (!isObject(value)) {
    warnings.push(`metrics: expected object, got ${jsonType(value)}`);
    return [];
  }
  const metrics: Metric[] = [];
  for (const [name, item] of Object.entries(value)) {
    const m = readRecord(metricSchema, item, `metrics[${JSON.stringify(name)}]`, warnings);
    if (m === null) continue;
    metrics.push({ name, type: METRIC_TYPES[m.type] ?? 'unknown', oid: m.oid, value: m.value });
  }
  return metrics;
}
