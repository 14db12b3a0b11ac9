/** Saved documents: `file:PATH` (read afresh on every read) and `-` (standard input, read once, replayed). */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StatsReadError } from '../core/errors.js';
import type { StatsAddress } from './address.js';
import { cancelledError, explainPermission, tooLargeError } from './transport-errors.js';
import { sizeText } from '../core/units.js';

export interface FileReadOptions {
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

/** Race `work` against the deadline and the abort signal. */
async function bounded<T>(address: StatsAddress, options: FileReadOptions, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StatsReadError(`${what} did not finish within ${options.timeoutMs} ms (timeout)`, 'timeout')),
      options.timeoutMs,
    );
    onAbort = () => reject(cancelledError(address));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

function fileError(path: string, err: NodeJS.ErrnoException): StatsReadError {
  switch (err.code) {
    case 'ENOENT':
      return new StatsReadError(`no such file: ${path} (file: reads a saved stats document)`, 'not-found', false);
    case 'ENOTDIR':
      return new StatsReadError(`no such file: ${path} (a part of the path is not a directory)`, 'not-found', false);
    case 'EACCES':
    case 'EPERM':
      return new StatsReadError(`permission denied reading ${path} (${err.code}): ${explainPermission(path, 'file')}`, 'permission', false);
    default:
      return new StatsReadError(`cannot read ${path} (${err.code ?? 'EIO'}): ${err.message}`, 'io');
  }
}

async function readWholeFile(address: StatsAddress & { kind: 'file' }, maxBytes: number): Promise<Buffer> {
  const path = address.path;
  let handle: FileHandle | undefined;
  try {
    // O_NONBLOCK: a FIFO opens at once (a blocking open waits for a writer, beyond any deadline), and the kind
    // is checked on the descriptor itself, so a path swapped after a check cannot slip through.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = await handle.stat();
    if (info.isDirectory()) throw new StatsReadError(`${path} is a directory, not a saved stats document`, 'not-found', false);
    if (!info.isFile()) {
      // Pipes go through '-'.
      throw new StatsReadError(`${path} is not a regular file: pipe it to standard input and use - instead`, 'unsupported', false);
    }
    if (info.size > maxBytes) throw tooLargeError(address, maxBytes);
  } catch (err) {
    await handle?.close();
    if (err instanceof StatsReadError) throw err;
    throw fileError(path, err as NodeJS.ErrnoException);
  }
  try {
    // Read at most maxBytes + 1: a file that grew past the cap since stat() is still refused.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLargeError(address, maxBytes);
    }
    if (total === 0) throw new StatsReadError(`${path} is empty: not a saved stats document`, 'empty', false);
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof StatsReadError) throw err;
    throw fileError(path, err as NodeJS.ErrnoException);
  } finally {
    await handle.close();
  }
}

/** Read a saved document from a regular file, bounded in time and size. */
export function readFileTarget(address: StatsAddress & { kind: 'file' }, options: FileReadOptions): Promise<Buffer> {
  return bounded(address, options, `reading file:${address.path}`, readWholeFile(address, options.maxBytes));
}

type StdinOutcome = { ok: Buffer } | { fail: StatsReadError };

// Standard input can be read only once: its bytes (or its failure) are kept and replayed on every read.
const consumed = new WeakMap<NodeJS.ReadableStream, Promise<StdinOutcome>>();

function consume(stream: NodeJS.ReadableStream, maxBytes: number): Promise<StdinOutcome> {
  return new Promise<StdinOutcome>((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = (outcome: StdinOutcome): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) {
        stop({ fail: new StatsReadError(`the document on standard input exceeds ${sizeText(maxBytes)} (the size limit): stopped reading`, 'too-large', false) });
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      if (total === 0) stop({ fail: new StatsReadError('standard input is empty: pipe a saved stats document into it (uwsgitop-ts - < stats.json)', 'empty', false) });
      else stop({ ok: Buffer.concat(chunks, total) });
    };
    const onError = (err: Error): void => stop({ fail: new StatsReadError(`cannot read standard input: ${err.message}`, 'io', false) });
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

/** Read the saved document on `stream` (read once; later reads replay the same bytes). */
export async function readStdinTarget(address: StatsAddress, stream: NodeJS.ReadableStream, options: FileReadOptions): Promise<Buffer> {
  if ((stream as { isTTY?: boolean }).isTTY) {
    throw new StatsReadError('- reads a saved stats document from standard input, but standard input is a terminal: pipe a file into it (uwsgitop-ts - < stats.json)', 'unsupported', false);
  }
  let outcome = consumed.get(stream);
  if (!outcome) {
    outcome = consume(stream, options.maxBytes);
    consumed.set(stream, outcome);
  }
  // A slow pipe may miss this read's deadline; it keeps filling the kept copy for the next read.
  const result = await bounded(address, options, 'reading standard input', outcome);
  if ('fail' in result) throw result.fail;
  return result.ok;
}
