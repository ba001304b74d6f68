import type { Logger } from "../../lib/log.js";
import { startPeriodic } from "../../lib/periodic.js";
import type { PaymentStore } from "../store/payment-store.js";
import type { PaymentFlow } from "./payment-flow.js";

export interface PollerConfig {
  intervalMs: number;
  /** A payment untouched for this long is polled: its webhook may have been lost, or its creation interrupted. */
  staleAfterMs: number;
  batchSize: number;
}

/**
 * Polls the PSP for payments stuck in flight and resumes interrupted ones, so that a lost webhook or a crash
 * mid-CreatePayment still resolves. Each instance claims its own batch (SKIP LOCKED), so several can run.
 */
export function startInFlightPoller(store: PaymentStore, flow: PaymentFlow, config: PollerConfig, log: Logger): () => Promise<void> {
  return startPeriodic(
    "in-flight poll",
    config.intervalMs,
    async (stopping) => {
      for (const id of await store.claimStale(config.staleAfterMs, config.batchSize)) {
        if (stopping.aborted) return;
        await flow.refresh(id).catch((err: unknown) => log.warn("could not refresh in-flight payment", { paymentId: id, error: String(err) }));
      }
    },
    log,
  );
}
