/**
 * Test bed: real uWSGI instances (Debian's uwsgi-core) on free loopback ports or temp-dir sockets, stopped by
 * pid. One implementation for the suite and the benchmark scripts: test/support/bed/ (plain .mjs with .d.mts
 * types, which vitest and plain node both load); this module is the suite's name for it.
 */
export * from './bed/uwsgi.mjs';
export { freePort } from './bed/port.mjs';
