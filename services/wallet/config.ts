import { envInt } from "../lib/config.js";
import { parseMinimums } from "./domain/payout-schedule.js";
import type { WalletServiceConfig } from "./service.js";

/** Daily, like most marketplaces' automatic payouts. */
export const DEFAULT_PAYOUT_SCHEDULE_INTERVAL_MS = 24 * 3600 * 1000;

/** The longest wait a Node timer takes; a longer interval would fire at once. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/**
 * The payout jobs from the environment: PAYOUT_POLL_INTERVAL_MS, PAYOUT_POLL_STALE_AFTER_MS,
 * PAYOUT_SCHEDULE_INTERVAL_MS (0 = no scheduled payouts) and PAYOUT_SCHEDULE_MINIMUMS ("USD=1000,*=1").
 */
export function payoutJobsFromEnv(
  defaultScheduleIntervalMs: number,
): Pick<WalletServiceConfig, "payoutPoller" | "payoutSchedule"> {
  const intervalMs = envInt("PAYOUT_SCHEDULE_INTERVAL_MS", defaultScheduleIntervalMs);
  if (intervalMs < 0 || intervalMs > MAX_INTERVAL_MS)
    throw new Error(`PAYOUT_SCHEDULE_INTERVAL_MS must be between 0 (off) and ${MAX_INTERVAL_MS}, got ${intervalMs}`);
  return {
    payoutPoller: {
      intervalMs: envInt("PAYOUT_POLL_INTERVAL_MS", 5_000),
      staleAfterMs: envInt("PAYOUT_POLL_STALE_AFTER_MS", 10_000),
    },
    payoutSchedule:
      intervalMs === 0
        ? undefined
        : { intervalMs, minimums: parseMinimums(process.env.PAYOUT_SCHEDULE_MINIMUMS ?? "") },
  };
}
