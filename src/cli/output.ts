/**
 * Writing to the injected stdout without ever crashing on a closed pipe: `uwsgitop-ts --json --watch | head -1`
 * must end quietly with status 0, not with an EPIPE stack trace.
 */

// Streams that already carry our permanent error guard (one per stream, however often main() runs).
const guarded = new WeakSet<NodeJS.WritableStream>();

function isClosedPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ECONNRESET';
}

/** A line-oriented writer that notices when its reader went away and then stops writing. */
export class Output {
  private isClosed = false;
  private readonly closeListeners = new Set<() => void>();
  private readonly onError = (): void => this.markClosed();
  private readonly onClose = (): void => this.markClosed();

  constructor(private readonly stream: NodeJS.WritableStream) {
    if (!guarded.has(stream)) {
      // Errors after main() returned (a late EPIPE from a buffered write) must not become an uncaught exception.
      stream.on('error', () => undefined);
      guarded.add(stream);
    }
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  /** True once the reader has gone (EPIPE, stream closed or destroyed). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Write text unless the reader has gone; returns false when nothing more should be written. */
  write(text: string): boolean {
    if (this.isClosed) return false;
    const destroyed = (this.stream as { destroyed?: boolean }).destroyed === true;
    if (destroyed) {
      this.markClosed();
      return false;
    }
    try {
      this.stream.write(text);
    } catch (err) {
      if (!isClosedPipe(err)) throw err;
      this.markClosed();
    }
    return !this.isClosed;
  }

  /** Call `listener` once when the reader goes away. */
  onClosed(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Detach from the stream (the permanent error guard stays). */
  dispose(): void {
    this.stream.removeListener('error', this.onError);
    this.stream.removeListener('close', this.onClose);
    this.closeListeners.clear();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const l of [...this.closeListeners]) l();
  }
}
