#!/usr/bin/env bash
# Sets up everything the tests need (real uWSGI, tmux, Chromium, faketime), builds, and runs the whole suite
# once on each supported Node line (scripts/node-lines.sh installs them from the npm registry into .tmp/node;
# UWSGITOP_NODE_LINES="22 24" picks fewer); then a calendar pass on this machine's node: the tests that show
# dates and times run again in a half-hour time zone with the wall clock 400 days ahead (Debian's libfaketime),
# so no expected value can depend on today's date or the zone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
mkdir -p .tmp
rm -f .tmp/vitest*.json
lines=${UWSGITOP_NODE_LINES:-$(bash scripts/node-lines.sh suite-lines)}
# The launcher's test shows its refusal on an unsupported Node (18): install that one too.
bash scripts/node-lines.sh bin 18 >/dev/null
status=0
# The recipes' compile-time checks (a half-added view, Prometheus family or FIFO effect must not compile: the
# `@ts-expect-error` lines under test/) are seen only by the compiler, so the tests' type check is part of the suite.
if npx tsc -p tsconfig.test.json > .tmp/typecheck.txt 2>&1; then rm -f .tmp/typecheck.txt; else status=1; fi
for line in $lines; do
  bin=$(bash scripts/node-lines.sh bin "$line")
  echo "suite on Node $("$bin/node" --version)" >&2
  # That node first on PATH: vitest, the workers and every CLI a test spawns (process.execPath or `node`) run on it.
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
    --outputFile.json=".tmp/vitest-node$line.json" "$@" || status=$?
done

calendar=0
if [ $# -eq 0 ]; then
  echo "calendar pass on Node $(node --version): TZ=Asia/Kolkata, wall clock +400 days" >&2
  # The files tagged `// @module-tag calendar` (vitest.config.ts declares the tag), wherever they sit under test/;
  # only those are loaded, and --tags-filter runs only their tagged tests.
  TZ=Asia/Kolkata FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+400d' \
    npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-calendar.json --tags-filter=calendar \
    $(grep -rlx --include='*.test.ts' '// @module-tag calendar' test | sort) \
    || calendar=$?
  [ "$calendar" -eq 0 ] || status=$calendar
fi

# One plain closing line that any CI reads: "tests: N passed, N failed" (every pass counted), each pass named.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  const each = [];
  const failures = [];
  for (const f of fs.readdirSync(".tmp").filter((f) => /^vitest-.*\.json$/.test(f)).sort()) {
    const r = JSON.parse(fs.readFileSync(".tmp/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    each.push(`${f.slice(7, -5)} ${r.numPassedTests}/${r.numTotalTests}`);
    // Each failure named right above the closing line: a CI log that keeps only the tail still says which.
    for (const file of r.testResults ?? [])
      for (const t of file.assertionResults ?? [])
        if (t.status === "failed") {
          const why = String((t.failureMessages ?? [])[0] ?? "").split("\n")[0].slice(0, 300);
          failures.push(`failed on ${f.slice(7, -5)}: ${file.name.replace(process.cwd() + "/", "")} > ${t.fullName}: ${why}`);
        }
  }
  if (fs.existsSync(".tmp/typecheck.txt")) {
    const first = fs.readFileSync(".tmp/typecheck.txt", "utf8").split("\n").find((l) => l.trim()) ?? "";
    failures.unshift(`failed: the type check of the tests (tsc -p tsconfig.test.json): ${first.slice(0, 300)}`);
  }
  for (const line of failures) console.log(line);
  const typecheck = fs.existsSync(".tmp/typecheck.txt") ? "failed" : "ok";
  console.log(`tests: ${passed} passed, ${failed} failed (${each.join(", ")}; type check ${typecheck})`);
' || true
exit "$status"
