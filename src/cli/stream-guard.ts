/**
 * Standard output and error that fail for a reason other than a reader going away (EPIPE) or a terminal
 * hanging up (EIO, handled by the dashboard): `uwsgitop-ts --json :9191 > /dev/full` ends with one line
 * naming the stream and the reason, and a non-zero status, never a stack trace.
 */

/** Errors that are a normal end for a command-line tool's stream, not a failure. */
function isNormalEnd(code: unknown): boolean {
  return code === 'EPIPE' || code === 'EIO' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EBADF: 'not open for writing',
  EAGAIN: 'would block',
  ENXIO: 'no such device',
};

export interface StreamGuard {
  /** The one line already said, when a stream failed (null: none failed). */
  readonly failure: string | null;
  /** The exit status main() returns: at least 1 once a stream failed. */
  status(code: number): number;
  /** Stop watching (main() returned; a late failure still sets the process's exit status). */
  settle(): void;
}

/** Watch `stdout` and `stderr` for write failures; the first is said once on stderr (when stderr still works). */
export function guardStreams(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): StreamGuard {
  let failure: string | null = null;
  let settled = false;
  const watch = (stream: NodeJS.WritableStream, name: string): void => {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (failure !== null || isNormalEnd(err?.code)) return;
      const code = typeof err?.code === 'string' ? err.code : 'EIO';
      failure = `uwsgitop-ts: cannot write to ${name}: ${REASONS[code] ?? err?.message ?? 'write error'} (${code})\n`;
      if (stream !== stderr) {
        try {
          stderr.write(failure);
        } catch {
          // Nothing left to say it on.
        }
      }
      // main() has returned: only the process's status can still carry it.
      if (settled) process.exitCode = Math.max(typeof process.exitCode === 'number' ? process.exitCode : 0, 1);
    });
  };
  watch(stdout, 'standard output');
  watch(stderr, 'standard error');
  return {
    get failure() {
      return failure;
    },
    status: (code) => (failure !== null ? Math.max(code, 1) : code),
    settle: () => {
      settled = true;
    },
  };
}
