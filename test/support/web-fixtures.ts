/** Test-only helpers for the relay tests: a hand-driven monitor, a Prometheus text parser, a WebSocket client that records messages. */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { SAMPLES } from './samples.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { Snapshot } from '../../src/stats/snapshot.js';

export { FakeMonitor } from './fake-monitor.js';

export interface PromFamily {
  type: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/** Parse Prometheus text exposition (0.0.4): TYPE lines and samples with escaped label values. */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { type: 'untyped', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const typeLine = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typeLine) {
      family(typeLine[1]!).type = typeLine[2]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let lm: RegExpExecArray | null;
    let consumed = 0;
    while ((lm = re.exec(body)) !== null) {
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_all, ch: string) => (ch === 'n' ? '\n' : ch));
      consumed = re.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels in ${JSON.stringify(line)}`);
    const value = m[4] === 'NaN' ? NaN : m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    family(m[1]!).samples.push({ labels, value });
  }
  return families;
}

export interface StrictSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Exposition {
  types: Map<string, string>;
  samples: StrictSample[];
}

/** A strict Prometheus text (0.0.4) reader: throws on anything a Prometheus server would reject or merge. */
export function strictParse(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: StrictSample[] = [];
  const seen = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const name = line.split(' ')[2]!;
      if (helps.has(name)) throw new Error(`second HELP for ${name}`);
      helps.add(name);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (types.has(name!)) throw new Error(`second TYPE for ${name}`);
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad type ${type}`);
      types.set(name!, type!);
      continue;
    }
    // The format ignores empty lines (prom-client puts one between families).
    if (line === '') continue;
    if (line.startsWith('#')) throw new Error(`unexpected line ${JSON.stringify(line)}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not a sample: ${JSON.stringify(line)}`);
    const name = m[1]!;
    // A histogram's or summary's samples carry suffixes of the family's name.
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = types.has(name) ? name : ['histogram', 'summary'].includes(types.get(base) ?? '') ? base : name;
    if (!types.has(family) || !helps.has(family)) throw new Error(`${name} has no TYPE/HELP before its samples`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    let pos = 0;
    while (pos < body.length) {
      re.lastIndex = pos;
      const lm = re.exec(body);
      if (!lm) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      if (lm[1]! in labels) throw new Error(`label ${lm[1]} twice in ${JSON.stringify(line)}`);
      labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_a, ch: string) => (ch === 'n' ? '\n' : ch));
      pos = re.lastIndex;
    }
    const key = name + JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) throw new Error(`duplicate series ${line}`);
    seen.add(key);
    samples.push({ name, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

/** The value of the one sample of `name` whose labels include `labels` (throws when none or several). */
export function promValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string>): number {
  const matches = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}

/** A WebSocket client that keeps every text message it receives (raw and parsed). */
export interface RecordingClient {
  ws: WebSocket;
  raw: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  messages: any[];
  /** Wait for a message matching `pred` (searching those already received first). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

/** Open a WebSocket; resolves once open (rejects with the HTTP status on a refused upgrade). */
export function recordingClient(url: string, options: WebSocket.ClientOptions = {}): Promise<RecordingClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const raw: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const messages: any[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const waiters: Array<{ pred: (m: any) => boolean; done: (m: any) => void }> = [];
    ws.on('message', (data) => {
      const text = data.toString();
      raw.push(text);
      const msg = JSON.parse(text);
      messages.push(msg);
      for (const w of [...waiters]) {
        if (w.pred(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.done(msg);
        }
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
    ws.on('open', () =>
      resolve({
        ws,
        raw,
        messages,
        waitFor(pred, timeoutMs = 10000) {
          const found = messages.find(pred);
          if (found !== undefined) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error('timed out waiting for a WebSocket message')), timeoutMs);
            waiters.push({ pred, done: (m) => (clearTimeout(timer), ok(m)) });
          });
        },
        close: () => ws.terminate(),
      }),
    );
  });
}

/** A real sample instance document grown to `workers` workers (ids, pids, counters varied), decoded. */
export function bigInstanceSnapshot(workers: number, target: string, round = 0): Snapshot {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const doc: any = JSON.parse(readFileSync(`${SAMPLES}/instance-busy.json`, 'utf8'));
  const template = doc.workers[0];
  doc.workers = Array.from({ length: workers }, (_, i) => ({
    ...template,
    id: i + 1,
    pid: 10000 + i,
    requests: 1000 + i * 7 + round * 3,
    status: i % 5 === 0 ? 'busy' : 'idle',
    cores: template.cores?.map((c: Record<string, unknown>) => ({ ...c, in_request: 0, vars: [], req_info: {} })),
  }));
  const now = Date.now();
  return decodeSnapshot(Buffer.from(JSON.stringify(doc)), { target, readAtMs: now, monotonicMs: performance.now(), durationMs: 1 });
}
