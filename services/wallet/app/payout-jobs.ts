import type { Logger } from "../../lib/log.js";
import { startPeriodic } from "../../lib/periodic.js";
import type { PayoutSchedule } from "../domain/payout-schedule.js";
import type { PayoutFlow } from "./payout-flow.js";

export interface PayoutPollerConfig {
  intervalMs: number;
  /** A PENDING payout untouched for this long is sent again or asked about. */
  staleAfterMs: number;
  batchSize: number;
}

export const defaultPayoutPollerConfig: PayoutPollerConfig = { intervalMs: 5_000, staleAfterMs: 10_000, batchSize: 50 };

/** Learns from the PSP how PENDING payouts end, and sends those it never got. Each instance claims its own batch. */
export function startPayoutPoller(flow: PayoutFlow, config: PayoutPollerConfig, log: Logger): () => Promise<void> {
  return startPeriodic(
    "payout poll",
    config.intervalMs,
    (stopping) => flow.refreshStale(config.staleAfterMs, config.batchSize, stopping),
    log,
  );
}

/** Pays out whole balances every `schedule.intervalMs` (see PayoutFlow.runSchedule). */
export function startPayoutScheduler(flow: PayoutFlow, schedule: PayoutSchedule, log: Logger): () => Promise<void> {
  return startPeriodic("scheduled payouts", schedule.intervalMs, () => flow.runSchedule(schedule, new Date()), log);
}
