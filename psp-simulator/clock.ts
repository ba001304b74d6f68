// setTimeout fires at once for anything longer, so longer waits are taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface DueAction {
  /** Simulator time in ms. */
  at: number;
  action: () => void;
}

/**
 * The simulator's own time: real time plus an offset that only grows (`advance`). Everything that happens on its
 * own (authorization expiries, refund and payout resolutions, automatic review approvals) is scheduled here by
 * simulator time, so it runs when real time gets there or as soon as the clock is advanced past it, whichever
 * comes first. One real timer is armed for the earliest action.
 */
export class Clock {
  private offsetMs = 0;
  /** Sorted by `at`; actions due at the same time keep the order they were scheduled in. */
  private queue: DueAction[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The time the running action was due at, while one runs. */
  private runningAt: number | undefined;

  /** Milliseconds since the epoch, by the simulator's clock. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds, as in `created` fields. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /**
   * When what is happening now happened: inside a due action, the time it was due at (an advance runs actions
   * late, after `now()` has jumped past them); otherwise `now()`.
   */
  eventTime(): number {
    return this.runningAt ?? this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Runs `action` once the clock reads `time` (ms), never synchronously, not even when `time` has passed. */
  at(time: number, action: () => void): void {
    if (this.closed) return;
    const index = this.queue.findIndex((due) => due.at > time);
    this.queue.splice(index === -1 ? this.queue.length : index, 0, { at: time, action });
    this.arm();
  }

  after(delayMs: number, action: () => void): void {
    this.at(this.now() + delayMs, action);
  }

  /** Moves the clock forward and runs, before returning, everything that has become due, in time order. */
  advance(ms: number): void {
    this.offsetMs += ms;
    this.runDue();
  }

  /** Drops everything scheduled. */
  close(): void {
    this.closed = true;
    this.queue = [];
    clearTimeout(this.timer);
  }

  private runDue(): void {
    // An action may schedule another one that is already due; it runs in the same pass.
    for (let next = this.queue[0]; next !== undefined && next.at <= this.now(); next = this.queue[0]) {
      this.queue.shift();
      this.runningAt = next.at;
      try {
        next.action();
      } catch (error) {
        console.error("psp-simulator: scheduled action failed", error);
      } finally {
        this.runningAt = undefined;
      }
    }
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.queue[0];
    if (next === undefined || this.closed) return;
    this.timer = setTimeout(() => this.runDue(), Math.min(Math.max(0, next.at - this.now()), MAX_TIMER_MS));
  }
}
