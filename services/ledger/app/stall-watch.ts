import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../../lib/log.js";
import { startPeriodic } from "../../lib/periodic.js";
import type { Violation } from "../domain/invariants.js";
import type { StallReport } from "./stall-check.js";

const STALL_INVARIANTS: readonly Violation["invariant"][] = [
  "settled_not_booked",
  "settled_amount_differs",
  "outbox_events_unpublished",
  "dead_letters_waiting",
];

/**
 * Runs the stall check every `intervalMs` and keeps `invariant_violations{invariant}` at what it last found, for an
 * alert: the rest of CheckInvariants reads the whole journal and runs only when asked.
 */
export function startStallWatch(
  check: () => Promise<StallReport>,
  intervalMs: number,
  registry: Registry,
  log: Logger,
): () => Promise<void> {
  const gauge = new Gauge({
    name: "invariant_violations",
    help: "Violations the last periodic stall check found, by invariant (settled_not_booked and settled_amount_differs count the items listed, at most 100 per flow).",
    labelNames: ["invariant"],
    registers: [registry],
  });
  return startPeriodic(
    "stall check",
    intervalMs,
    async () => {
      const { violations, notes } = await check();
      for (const invariant of STALL_INVARIANTS)
        gauge.set({ invariant }, violations.filter((v) => v.invariant === invariant).length);
      const [first] = violations;
      if (first !== undefined)
        log.warn("events stalled on their way to the ledger", {
          violations: violations.length,
          first: first.detail,
          notes,
        });
    },
    log,
  );
}
