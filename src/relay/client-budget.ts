/**
 * What one WebSocket client may cost the relay: a client sends commands, a few a minute, so a flood of
 * frames, a stream of bad messages or replies it never reads are abuse. The client that exceeds its budget
 * is closed; the others never pay for it.
 */

export interface ClientBudgetLimits {
  /** Messages a second, on average (a token bucket refilled at this rate). */
  messagesPerSecond: number;
  /** Messages at once before the rate applies. */
  burst: number;
  /** Error replies (bad JSON, unknown messages, one command at a time) before the client is closed. */
  maxErrorReplies: number;
  /** Reply bytes queued to a client that does not read them. */
  maxQueuedBytes: number;
}

export const DEFAULT_CLIENT_BUDGET: ClientBudgetLimits = { messagesPerSecond: 10, burst: 30, maxErrorReplies: 20, maxQueuedBytes: 1024 * 1024 };

/** One client's spending; each method returns why the client must be closed, or null. */
export class ClientBudget {
  private tokens: number;
  private lastMs: number;
  private errors = 0;

  constructor(
    private readonly limits: ClientBudgetLimits = DEFAULT_CLIENT_BUDGET,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burst;
    this.lastMs = now();
  }

  /** A message arrived. */
  message(): string | null {
    const t = this.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((t - this.lastMs) / 1000) * this.limits.messagesPerSecond);
    this.lastMs = t;
    if (this.tokens < 1) return `more than ${this.limits.messagesPerSecond} messages a second`;
    this.tokens -= 1;
    return null;
  }

  /** An error reply is about to go out. */
  errorReply(): string | null {
    this.errors++;
    return this.errors > this.limits.maxErrorReplies ? `more than ${this.limits.maxErrorReplies} bad messages` : null;
  }

  /** A reply was queued; `buffered` is what the socket holds unsent. */
  queued(buffered: number): string | null {
    return buffered > this.limits.maxQueuedBytes ? `${buffered} bytes of replies it does not read` : null;
  }
}
