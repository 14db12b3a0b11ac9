/** What the FIFO commands care about in an instance snapshot: which workers run, paused or not, their pids. */
import type { InstanceDocument, Worker } from '../stats/snapshot.js';
import { safeText } from '../core/safe-text.js';
import { servingWorkers } from '../metrics/replaced.js';

/** Workers that have a process and are not cheap (a cheap slot has pid 0, a dying one shows 'cheap' first). */
export function runningWorkers(doc: InstanceDocument): Worker[] {
  return servingWorkers(doc.workers);
}

/** True when the instance is paused: uWSGI pauses all workers together, so one `pause` status tells. */
export function isPaused(doc: InstanceDocument): boolean {
  return doc.workers.some((w) => w.pid > 0 && w.status === 'pause');
}

/** True when every running worker shows `pause` (a busy worker finishes its request first). */
export function allPaused(doc: InstanceDocument): boolean {
  const running = runningWorkers(doc);
  return running.length > 0 && running.every((w) => w.status === 'pause');
}

/** One short line describing the workers, for progress and "last seen" messages. */
export function describeWorkers(doc: InstanceDocument, limit = 8): string {
  const parts = doc.workers.slice(0, limit).map((w) => {
    const status = safeText(w.statusRaw || w.status);
    return w.pid > 0 ? `${w.slot}:pid ${w.pid} ${status}${w.accepting ? '' : ' not-accepting'}` : `${w.slot}:${status}`;
  });
  if (doc.workers.length > limit) parts.push(`... ${doc.workers.length - limit} more`);
  return `master pid ${doc.pid}, workers ${parts.join(', ') || 'none'}`;
}
