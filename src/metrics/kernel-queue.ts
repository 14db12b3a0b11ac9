/**
 * Listen queues as they really are: uWSGI reports 0/0 for unix sockets (and IPv6 TCP ones), so where the kernel answered
 * (snapshot.os.sockets, read by src/stats/sock-diag.ts) its figures replace uWSGI's, marked `queueFrom:
 * 'kernel'`. Pure; every view, event and export of the queue goes through here.
 */
import type { InstanceDocument, InstanceSnapshot, Socket } from '../stats/snapshot.js';

/** The instance's sockets with the kernel's queue where it is known (the same objects when it is not). */
export function effectiveSockets(snap: InstanceSnapshot): Socket[] {
  const kernel = snap.os?.sockets;
  if (kernel === undefined) return snap.doc.sockets;
  return snap.doc.sockets.map((s, i) => {
    const k = kernel[i];
    return k ? { ...s, queue: k.queue, maxQueue: k.maxQueue, queueFrom: 'kernel' as const } : s;
  });
}

/**
 * The document with the kernel's queues in: each unix socket's, and the instance-wide listen queue the fullest
 * of them when it is fuller (uWSGI's own figure covers its IPv4 TCP sockets only; the kernel is asked about the others). The same document when the kernel said nothing.
 */
export function effectiveDocument(snap: InstanceSnapshot): InstanceDocument {
  const sockets = effectiveSockets(snap);
  if (sockets === snap.doc.sockets) return snap.doc;
  // uWSGI's listen_queue is its fullest socket's queue (the master keeps the largest): the kernel's count the same way.
  let kernel = 0;
  for (const s of sockets) if (s.queueFrom === 'kernel') kernel = Math.max(kernel, s.queue);
  return { ...snap.doc, sockets, listenQueue: Math.max(snap.doc.listenQueue ?? 0, kernel) };
}

/** Whether any of the instance's queue figures came from the kernel. */
export function queueFromKernel(snap: InstanceSnapshot): boolean {
  return snap.os?.sockets?.some((k) => k !== null) === true;
}

/** The listen queue as an operator reads it: the fullest socket's queue against that socket's own capacity. */
export interface QueueFill {
  /** Connections waiting (uWSGI's listen_queue: its fullest socket's); null where uWSGI has none (not Linux). */
  queue: number | null;
  /** The max_queue of the socket holding them; null without sockets. */
  max: number | null;
  /** queue / max, 0 when either is unknown. */
  ratio: number;
  /** That socket's name when the instance has several and connections wait (which one fills up matters), else null. */
  socket: string | null;
}

/**
 * The instance's listen queue and its capacity, computed once for every output (dashboard, text, page, JSON):
 * not the sum of every socket's max_queue, which hides one full socket behind an empty one, nor one number
 * against another socket's maximum.
 */
export function listenQueueFill(doc: InstanceDocument): QueueFill {
  let best: Socket | null = null;
  for (const s of doc.sockets) {
    if (best === null || s.queue > best.queue || (s.queue === best.queue && s.maxQueue > 0 && (best.maxQueue === 0 || s.maxQueue < best.maxQueue))) best = s;
  }
  const queue = doc.listenQueue ?? best?.queue ?? null;
  const max = best === null ? null : best.maxQueue;
  const ratio = queue !== null && max !== null && max > 0 && Number.isFinite(queue) ? queue / max : 0;
  return { queue, max, ratio, socket: best !== null && doc.sockets.length > 1 && (queue ?? 0) > 0 ? best.name : null };
}
