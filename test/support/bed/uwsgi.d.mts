// Types of uwsgi.mjs, the test bed's uWSGI starter (the suite imports it through test/support/uwsgi.ts).
import type net from 'node:net';

/** The repository's root, absolute. */
export declare const REPO_ROOT: string;
/** The demo/test WSGI app: /, /slow?s=N, /error, /cache?key. */
export declare const APP_PY: string;

/** Absolute path of the uwsgi binary; throws (failing the test) when uWSGI is not installed. */
export declare function uwsgiBinary(): string;
/** A new temp directory removed by cleanupAll(). */
export declare function tempDir(prefix?: string): string;
/** Poll `check` until it returns a truthy value or the time runs out (then throws with `what`). */
export declare function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs?: number, stepMs?: number): Promise<NonNullable<T>>;

export type StatsKind = 'tcp' | 'unix' | 'abstract' | 'none';

export interface StartOptions {
  /** Where the stats server listens (default tcp). */
  stats?: StatsKind;
  /** The option that binds the stats server (default --stats; e.g. --emperor-stats, --fastrouter-stats). */
  statsOption?: string;
  /** Bind the stats server here instead of a new address (e.g. to restart an instance at the same address). */
  statsAt?: string;
  /** Plugins to load first (options such as --fastrouter-stats exist only once their plugin is loaded). */
  plugins?: string[];
  /** Add --stats-http. */
  statsHttp?: boolean;
  /** Serve the app over --http-socket on a free port (default true). */
  http?: boolean;
  /** Load the demo app (default true when http). */
  app?: boolean;
  /** Load this WSGI file instead of the demo app. */
  wsgiFile?: string;
  workers?: number;
  /** Extra uWSGI options, e.g. ['--threads', '2']. */
  args?: string[];
  /** Master FIFO paths to declare (in the instance's dir when relative). */
  fifos?: string[];
  /** Wait for the stats server to answer (default true when stats is not 'none'). */
  waitForStats?: boolean;
  /**
   * Also wait until `workers` workers run and accept (default true without cheaper mode): a command written
   * to the master FIFO while a worker is still being forked can be lost (a `q` then never shuts down).
   */
  waitForWorkers?: boolean;
  /** How long each wait (stats server, workers) may take, ms (default 20000). */
  timeoutMs?: number;
  /** Start without the default `--master`. */
  noMaster?: boolean;
  /** Use this directory instead of a new temp dir. */
  dir?: string;
}

/** One running uWSGI master started by the test bed. */
export interface UwsgiProcess {
  pid: number;
  dir: string;
  /** The stats address as a uwsgitop-ts user would type it ('' when none). */
  statsAddress: string;
  /** The address passed to uWSGI's --stats. */
  statsBind: string;
  /** The stats server's TCP port on 127.0.0.1 (null for a socket file, an abstract name or none). */
  statsPort: number | null;
  httpPort: number | null;
  /** Started with --stats-http (the stats socket then waits for a request before answering). */
  statsHttp: boolean;
  fifos: string[];
  logFile: string;
  /** The instance's log so far. */
  log(): string;
  /** True while the master process has not exited. */
  alive(): boolean;
  /** Graceful stop (SIGINT), then SIGKILL of the whole process group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the master has exited. */
  exited: Promise<void>;
}

/** What a raw stats read needs to know of an instance. */
export type StatsEnd = { statsBind: string; statsHttp?: boolean };

/** Start a real uWSGI master with the given options and wait until its stats server answers. */
export declare function startUwsgi(options?: StartOptions): Promise<UwsgiProcess>;
/** Read one stats document straight from the socket, as bytes (test-bed only: independent of the code under test). */
export declare function rawStatsBytes(proc: StatsEnd, timeoutMs?: number): Promise<Buffer>;
/** Read one stats document straight from the socket, as text. */
export declare function rawStatsRead(proc: StatsEnd, timeoutMs?: number): Promise<string>;
/** Parse one stats document read with rawStatsRead (strips HTTP headers when present). */
export declare function rawStats(proc: StatsEnd): Promise<any>;
/** Every worker's `requests` summed. */
export declare function totalRequests(doc: { workers: Array<{ requests: number }> }): number;
/** The stats document once uWSGI has counted at least `total` requests. */
export declare function statsCounting(proc: StatsEnd, total: number): Promise<any>;
/** Send `count` HTTP GETs to the instance (`concurrency` at a time); resolves with the status codes. */
export declare function httpRequests(port: number, path: string, count: number, concurrency?: number): Promise<number[]>;
/** Send one raw HTTP request without waiting for the answer. */
export declare function rawHttpRequest(port: number, requestBytes: Buffer): net.Socket;
/** Stop every instance started here and remove the temp dirs tempDir() made. */
export declare function cleanupAll(): Promise<void>;
