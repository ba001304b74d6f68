import type { Logger } from "../../lib/log.js";
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    const ids = await store.claimStale(config.staleAfterMs, config.batchSize);
    for (const id of ids) {
      if (stopped) return;
      await flow.refresh(id).catch((err: unknown) => log.warn("could not refresh in-flight payment", { paymentId: id, error: String(err) }));
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) => log.warn("in-flight poll failed", { error: String(err) }))
        .finally(schedule);
    }, config.intervalMs);
  };
  schedule();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
