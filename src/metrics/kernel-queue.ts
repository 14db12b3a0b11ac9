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
 * The document with the kernel's queues in: each unix socket's, and the instance-wide listen queue with
 * them added (uWSGI's own figure covers its IPv4 TCP sockets only; the kernel is asked about the others). The same document when the kernel said nothing.
 */
export function effectiveDocument(snap: InstanceSnapshot): InstanceDocument {
  const sockets = effectiveSockets(snap);
  if (sockets === snap.doc.sockets) return snap.doc;
  let kernel = 0;
  for (const s of sockets) if (s.queueFrom === 'kernel') kernel += s.queue;
  return { ...snap.doc, sockets, listenQueue: (snap.doc.listenQueue ?? 0) + kernel };
}

/** Whether any of the instance's queue figures came from the kernel. */
export function queueFromKernel(snap: InstanceSnapshot): boolean {
  return snap.os?.sockets?.some((k) => k !== null) === true;
}
