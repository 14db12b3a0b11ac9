import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A test file that shows dates or times says so on its first line, `// @module-tag calendar`: scripts/test.sh
    // runs those files again with the wall clock 400 days ahead in a half-hour zone (the calendar pass).
    tags: [{ name: 'calendar', description: 'shows dates or times: run again by scripts/test.sh, clock +400 days, TZ=Asia/Kolkata' }],
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores: integration tests start real uWSGI instances, keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30000,
    hookTimeout: 60000,
    teardownTimeout: 20000,
  },
});
