/** Milliseconds, fixed or drawn uniformly from `min..max` (inclusive). */
export type LatencyMs = number | { min: number; max: number };

/**
 * The fault configuration, in the field names of `POST /v1/test_helpers/faults`. Rates are probabilities in 0..1;
 * a field that is 0 is off.
 */
export type FaultConfig = {
  /** A request that creates or moves money (payments, capture, cancel, refunds, payouts) answers 500 before doing anything. */
  fail_before_commit_rate: number;
  /** Such a request answers 500 after it was carried out and its idempotent result saved. */
  fail_after_commit_rate: number;
  /** Holds back the answer to any `/v1/*` request but the test helpers. */
  latency_ms: LatencyMs;
  /** Any `/v1/*` request but the test helpers answers 500 before doing anything. */
  error_rate: number;
  /** An event is never sent, as if lost on the network. */
  webhook_drop_rate: number;
  /** An event is delivered twice, by two independent deliveries. */
  webhook_duplicate_rate: number;
  /** Each delivery's first attempt waits a random 0..N ms, so later events can overtake earlier ones. */
  webhook_reorder_ms: number;
};

export const NO_FAULTS: FaultConfig = {
  fail_before_commit_rate: 0,
  fail_after_commit_rate: 0,
  latency_ms: 0,
  error_rate: 0,
  webhook_drop_rate: 0,
  webhook_duplicate_rate: 0,
  webhook_reorder_ms: 0,
};

/**
 * The current fault configuration of one simulator and the dice for it. A fault that is off draws no random
 * number, so a test that injects `random` only has to script the draws of the faults it turned on.
 */
export class Faults {
  private config = NO_FAULTS;

  constructor(private readonly random: () => number) {}

  set(config: FaultConfig): void {
    this.config = config;
  }

  get(): FaultConfig {
    return this.config;
  }

  failBeforeCommit(): boolean {
    return this.chance(this.config.fail_before_commit_rate);
  }

  failAfterCommit(): boolean {
    return this.chance(this.config.fail_after_commit_rate);
  }

  failRequest(): boolean {
    return this.chance(this.config.error_rate);
  }

  dropWebhook(): boolean {
    return this.chance(this.config.webhook_drop_rate);
  }

  duplicateWebhook(): boolean {
    return this.chance(this.config.webhook_duplicate_rate);
  }

  latencyMs(): number {
    const latency = this.config.latency_ms;
    return typeof latency === "number" ? latency : this.between(latency.min, latency.max);
  }

  webhookReorderMs(): number {
    return this.between(0, this.config.webhook_reorder_ms);
  }

  private chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private between(min: number, max: number): number {
    if (min === max) return min;
    return Math.min(max, min + Math.floor(this.random() * (max - min + 1)));
  }
}
