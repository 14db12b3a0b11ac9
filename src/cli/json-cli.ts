/** `--json`: one read per target, one JSON record per target per line (NDJSON), in the order given. */
import { errorRecord, jsonLine, snapshotRecord } from '../views/json-record.js';
import type { Output } from './output.js';
import { deriveRead, failureLine, type Target } from './targets.js';
import { readRound } from './read-round.js';

/** Read each target once and print its record; returns true when some read failed. */
export async function runJsonOnce(targets: readonly Target[], out: Output, writeErr: (text: string) => void, signal: AbortSignal): Promise<boolean> {
  let failed = false;
  for (const outcome of await readRound(targets, signal)) {
    if (outcome.ok) {
      out.write(jsonLine(snapshotRecord(outcome.snapshot, deriveRead(outcome.target, null, outcome.snapshot))));
    } else {
      failed = true;
      out.write(jsonLine(errorRecord(outcome.target.name, outcome.error, outcome.atMs, outcome.code)));
      writeErr(failureLine(outcome.target.name, outcome.error));
    }
  }
  return failed;
}
