import type { WalletBalance } from "../domain/invariants.js";
import type { Amount, BookedFlow, HourTotal, SettledItem } from "../domain/stalls.js";

export interface WalletBalancesPort {
  /** Every seller's available balance in every currency. */
  listAll(): Promise<WalletBalance[]>;
}

/** A service's own account of what it settled and has not yet published (its GetPipelineHealth and ListSettled). */
export interface PipelineSource {
  /** "payment" or "wallet", for the report. */
  service: string;
  flows: readonly string[];
  health(
    since: Date,
    settledBefore: Date,
  ): Promise<{ hours: HourTotal[]; unpublished: bigint; oldestUnpublished: Date | undefined }>;
  /** `flow`'s items created in [from, until) and settled before `settledBefore`, a page at a time. */
  settledItems(flow: string, from: Date, until: Date, settledBefore: Date): AsyncIterable<SettledItem[]>;
}

/** Records waiting in the dead-letter stream (ConsumerMetrics.deadLetters). */
export interface DeadLetterCount {
  deadLetters(): Promise<{ stream: string; messages: number }>;
}

/** The journal's account checkpoints (migration 003). */
export interface Checkpoints {
  /** Folds finished entries into the checkpoints; how many accounts moved, or undefined when another instance's checkpointer holds the lock. */
  advanceCheckpoints(): Promise<number | undefined>;
}

/** What the ledger booked of each flow, as the stall check compares it with the sources. */
export interface BookedCounts {
  /** Transactions of each flow per hour of posting and currency since `since`, with their amount entries added up. */
  bookedPerHour(flows: readonly BookedFlow[], since: Date): Promise<HourTotal[]>;
  /** The amount `flow`'s entry books in each of `transactionIds` that was posted (the others are absent). */
  bookedAmounts(flow: BookedFlow, transactionIds: string[]): Promise<Map<string, Amount>>;
}
