/**
 * The 100,000-worker document: the busy sample's workers cloned with 5- and 6-digit ids and pids, a third of
 * them busy with a request in flight (about 48 MB of JSON), as one uWSGI instance with that many workers
 * would write it.
 */
import { sampleDoc } from './samples.js';

/** JSON text of an instance with `count` workers, every third busy (one in-flight core), the rest idle without cores. */
export function hugeInstanceBody(count = 100_000): string {
  const doc = sampleDoc('instance-busy.json');
  const busy = doc.workers.find((w: { status: string }) => w.status === 'busy');
  const idle = doc.workers.find((w: { status: string }) => w.status !== 'busy');
  busy.cores = busy.cores.filter((c: { in_request: number }) => c.in_request === 1);
  idle.cores = [];
  const busyText = JSON.stringify(busy);
  const idleText = JSON.stringify(idle);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    // Only id, pid and requests differ: splice them into the template text rather than build objects.
    const template = i % 3 === 0 ? busyText : idleText;
    parts.push(template.replace(/^\{"id":\d+,"pid":\d+/, `{"id":${i + 1},"pid":${100_000 + i}`).replace(/"requests":\d+/, `"requests":${i * 7}`));
  }
  return JSON.stringify({ ...doc, workers: [] }).replace('"workers":[]', `"workers":[${parts.join(',')}]`);
}
