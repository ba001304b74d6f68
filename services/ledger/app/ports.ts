import type { WalletBalance } from "../domain/invariants.js";
import type { HourTotal, SettledItem } from "../domain/stalls.js";

export interface WalletBalancesPort {
  /** Every seller's available balance in every currency. */
  listAll(): Promise<WalletBalance[]>;
}

/** A service's own account of what it settled and has not yet published (its GetPipelineHealth and ListSettled). */
export interface PipelineSource {
  /** "payment" or "wallet", for the report. */
  service: string;
  flows: readonly string[];
  health(since: Date, settledBefore: Date): Promise<{ hours: HourTotal[]; unpublished: bigint; oldestUnpublished: Date | undefined }>;
  /** `flow`'s items created in [from, until) and settled before `settledBefore`, a page at a time. */
  settledItems(flow: string, from: Date, until: Date, settledBefore: Date): AsyncIterable<SettledItem[]>;
}

/** Records waiting in the dead-letter stream (ConsumerMetrics.deadLetters). */
export interface DeadLetterCount {
  deadLetters(): Promise<{ stream: string; messages: number }>;
}
