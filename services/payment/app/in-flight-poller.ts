import { withLogFields, type Logger } from "../../lib/log.js";
import { startPeriodic } from "../../lib/periodic.js";

export interface PollerConfig {
  intervalMs: number;
  /** A payment or refund untouched for this long is polled: its webhook may be lost, or its creation interrupted. */
  staleAfterMs: number;
  batchSize: number;
}

/** Something with work in flight at the PSP: payments, refunds. */
export interface InFlight {
  /** Claims up to `limit` items untouched for `staleAfterMs`; several instances claim disjoint batches. */
  claimStale(staleAfterMs: number, limit: number): Promise<string[]>;
  /** Resumes the item, or asks the PSP where it stands. */
  refresh(id: string): Promise<void>;
}

/**
 * Polls the PSP for payments and refunds stuck in flight and resumes interrupted ones, so that a lost webhook or a
 * crash mid-call still resolves.
 */
export function startInFlightPoller(
  sources: Record<"paymentId" | "refundId", InFlight>,
  config: PollerConfig,
  log: Logger,
): () => Promise<void> {
  return startPeriodic(
    "in-flight poll",
    config.intervalMs,
    async (stopping) => {
      // Keyed by the log field their ids go in.
      for (const [idField, source] of Object.entries(sources)) {
        for (const id of await source.claimStale(config.staleAfterMs, config.batchSize)) {
          if (stopping.aborted) return;
          // A refund's refresh adds its payment to the scope.
          await withLogFields({ [idField]: id }, () =>
            source
              .refresh(id)
              .catch((err: unknown) => log.warn("could not refresh an in-flight item", { error: String(err) })),
          );
        }
      }
    },
    log,
  );
}
