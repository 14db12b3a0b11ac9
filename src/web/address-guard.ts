/**
 * Per-address limits of the relay's HTTP server, so one peer cannot lock others out or guess the token
 * quickly: a share of the connections per address, and a pause after too many wrong tokens.
 */

export interface AddressGuardOptions {
  /** Open connections one address may hold (the server's own maxConnections bounds the total). */
  maxConnectionsPerAddress: number;
  /** Wrong tokens one address may present per window before it must wait for the window's end. */
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

/** Addresses remembered for wrong tokens at most: beyond, the oldest are forgotten (bounded memory). */
const MAX_TRACKED = 10_000;

export class AddressGuard {
  private readonly open = new Map<string, number>();
  private readonly failures = new Map<string, { count: number; sinceMs: number }>();
  private readonly now: () => number;

  constructor(private readonly options: AddressGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Count a new connection from `address`; false when it already holds its share (close the socket). */
  connect(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.options.maxConnectionsPerAddress) return false;
    this.open.set(address, n + 1);
    return true;
  }

  /** A connection counted by connect() closed. */
  disconnect(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1;
    if (n <= 0) this.open.delete(address);
    else this.open.set(address, n);
  }

  /** Whole seconds `address` must wait before presenting a token again, 0 when it may. */
  waitSeconds(address: string): number {
    const f = this.failures.get(address);
    if (f === undefined) return 0;
    const left = f.sinceMs + this.options.windowMs - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= this.options.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  /** `address` presented a wrong token. */
  failed(address: string): void {
    const now = this.now();
    const f = this.failures.get(address);
    if (f !== undefined && now - f.sinceMs < this.options.windowMs) {
      f.count++;
      return;
    }
    if (f === undefined && this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(address, { count: 1, sinceMs: now });
  }
}
