// Loaded by bin/uwsgitop-ts once the Node version is known to be supported (import() is syntax that old Nodes
// reject, so it cannot be in the launcher itself).
'use strict';
import('./start.mjs').catch(function (err) {
  // A missing or broken build: one line, not a stack trace.
  process.stderr.write('uwsgitop-ts: ' + (err instanceof Error ? err.message : String(err)) + '\n');
  process.exitCode = 1;
});
