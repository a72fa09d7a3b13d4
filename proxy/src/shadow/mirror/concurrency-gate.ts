/**
 * Runs at most `maxInFlight` tasks at once, with at most `maxQueued` waiting; a task
 * beyond both is refused at once (the caller counts it as dropped). Shadow copies are
 * worth nothing late, so nothing waits unboundedly.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly queue: (() => Promise<void>)[] = [];

  constructor(readonly maxInFlight: number, readonly maxQueued: number) {}

  /** Starts or queues `task`; false when the gate is full. */
  offer(task: () => Promise<void>): boolean {
    if (this.running < this.maxInFlight) {
      this.start(task);
      return true;
    }
    if (this.queue.length >= this.maxQueued) return false;
    this.queue.push(task);
    return true;
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once nothing runs or waits (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running > 0 || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private start(task: () => Promise<void>): void {
    this.running++;
    // A task reports its own failures; the gate only keeps the count right.
    task().catch(() => undefined).finally(() => {
      this.running--;
      const next = this.queue.shift();
      if (next) this.start(next);
    });
  }
}
