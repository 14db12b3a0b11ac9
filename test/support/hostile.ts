/**
 * The hostile catalogue: document strings an attacker controls (a request URI, a Host header, a cache or
 * socket name from a config a tenant wrote), planted in every string field of the three document kinds,
 * and the check every output must pass: no raw control, C1 or bidi character in the bytes that come out.
 */
import { sampleDoc } from './samples.js';

/** Each string acts on a terminal (title, clear, CSI/OSC by C1), reorders text, breaks a line or is HTML. */
export const HOSTILE_PARTS = [
  '\x1b]0;pwned\x07', // OSC: set the window title
  '\x1b[2J', // CSI: clear the screen
  '\u009b31m', // C1 CSI (8-bit)
  '\u009d0;pwned\u009c', // C1 OSC ... ST
  '\u0085', // NEL
  '\u202eevil', // right-to-left override
  '\u2066\u200f', // isolate, RLM
  '\u0000\u007f\u0008', // NUL, DEL, backspace
  '\nuwsgi_up 1\r', // a new exposition line
  '\u2028', // line separator
  '<img src=x onerror=alert(1)>', // HTML
  '"} 666', // a label value that closes itself
];

/** One hostile value naming where it was planted, so a leak can be traced to its field. */
export function hostile(field: string): string {
  return `${field}:${HOSTILE_PARTS.join('')}`;
}

/** Characters that must never come out raw (C0 but newline, DEL, C1, bidi controls, line/paragraph separators, BOM). */
// eslint-disable-next-line no-control-regex
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

/** The first unsafe character in `text` with what surrounds it, or null when the text is clean. */
export function rawUnsafe(text: string): string | null {
  const m = RAW_UNSAFE.exec(text);
  if (m === null) return null;
  return `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40))}`;
}

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The busy instance sample with a hostile value in every string a document can carry. */
export function hostileInstance(): any {
  const doc = sampleDoc('instance-busy.json');
  doc.version = hostile('version');
  doc.cwd = hostile('cwd');
  doc.sockets[0].name = hostile('socket');
  doc.sockets[0].proto = hostile('proto');
  doc.caches[0].name = hostile('cache');
  doc.caches[0].hash = hostile('hash');
  doc.metrics[hostile('metric')] = { type: 1, oid: '', value: 7 };
  doc.locks = [{ [hostile('lock')]: 0 }];
  doc.daemons = [{ cmd: hostile('daemon'), pid: 4242, respawns: 1 }];
  doc.spoolers = [{ dir: hostile('spooler'), pid: 4343, tasks: 2, respawns: 0, running: 0 }];
  doc.crons = [{ minute: -1, hour: -1, day: -1, month: -1, week: -1, command: hostile('cron'), unique: 0, legion: hostile('cronlegion'), pid: 0, started_at: 0 }];
  for (const w of doc.workers) {
    w.status = w.status === 'busy' ? 'busy' : w.status;
    for (const a of w.apps) {
      a.mountpoint = hostile('mountpoint');
      a.chdir = hostile('chdir');
    }
    for (const c of w.cores ?? []) {
      if (c.in_request !== 1) continue;
      c.vars = [
        'REQUEST_METHOD=' + hostile('method'),
        'REQUEST_URI=/' + hostile('uri'),
        'PATH_INFO=/' + hostile('path'),
        'REMOTE_ADDR=' + hostile('remote'),
        'HTTP_HOST=' + hostile('host'),
        'HTTP_USER_AGENT=' + hostile('agent'),
        '',
      ];
    }
  }
  return doc;
}

/** The Emperor sample with hostile vassal ids and blacklist entries. */
export function hostileEmperor(): any {
  const doc = sampleDoc('emperor.json');
  doc.version = hostile('version');
  doc.emperor = [hostile('emperor')];
  doc.vassals.forEach((v: any, i: number) => (v.id = hostile(`vassal${i}`)));
  doc.blacklist = [{ id: hostile('blacklisted'), throttle_level: 1, attempt: 2, first_attempt: 0, last_attempt: 0 }];
  return doc;
}

/** The fastrouter sample with hostile subscription keys, node names and router socket names. */
export function hostileRouter(): any {
  const doc = sampleDoc('fastrouter.json');
  doc.version = hostile('version');
  for (const key of Object.keys(doc)) if (Array.isArray(doc[key]) && doc[key].every((x: unknown) => typeof x === 'string')) doc[key] = doc[key].map(() => hostile('routersocket'));
  for (const s of doc.subscriptions ?? []) {
    s.key = hostile('key');
    for (const n of s.nodes) n.name = hostile('node');
  }
  return doc;
}
