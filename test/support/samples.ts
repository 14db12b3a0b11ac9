/**
 * Where the real uWSGI stats documents the tests read live: test/fixtures/samples, inside the repository. One
 * loader for the suite and the benchmark scripts: test/support/bed/samples.mjs; this module is the suite's name for it.
 */
export * from './bed/samples.mjs';
