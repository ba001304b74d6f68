import type { Violation } from "../domain/invariants.js";
import {
  BOOKED_FLOWS,
  compareBooked,
  deadLettersViolation,
  flowViolations,
  HOUR_MS,
  hoursToCompare,
  stallWindow,
  unpublishedViolation,
  type AmountDifference,
} from "../domain/stalls.js";
import type { BookedCounts, DeadLetterCount, PipelineSource } from "./ports.js";

export interface StallCheckConfig {
  /** STALL_AFTER_MS: how long a settled item or an outbox event may take to reach the ledger. */
  stallAfterMs: number;
  /** STALL_LOOKBACK_MS: how far back settled items are compared. */
  lookbackMs: number;
}

export interface StallReport {
  violations: Violation[];
  notes: string[];
}

/**
 * Events that did not make it: settled items the ledger has not booked after `stallAfterMs` (or booked with another
 * amount), outbox events not published after it, dead letters waiting. Each source counts and sums its settled items
 * per hour and currency; only the hours where either differs from the ledger's are compared item by item, so the
 * check reads little on a long, healthy history.
 */
export async function checkStalls(
  booked: BookedCounts,
  sources: readonly PipelineSource[],
  deadLetters: DeadLetterCount | undefined,
  config: StallCheckConfig,
  now = new Date(),
): Promise<StallReport> {
  const { since, settledBefore } = stallWindow(now, config);
  const report: StallReport = { violations: [], notes: [] };
  for (const source of sources) {
    await checkSource(booked, source, config, { since, settledBefore, now }, report).catch((err: unknown) =>
      report.notes.push(`the ${source.service} service's settled items and outbox were not compared: ${String(err)}`),
    );
  }
  await countDeadLetters(deadLetters, report);
  return report;
}

async function countDeadLetters(
  source: DeadLetterCount | undefined,
  { violations, notes }: StallReport,
): Promise<void> {
  if (source === undefined) return; // a ledger that consumes no events has no dead letters
  try {
    const { stream, messages } = await source.deadLetters();
    if (messages > 0) violations.push(deadLettersViolation(stream, messages));
  } catch (err) {
    notes.push(`dead letters were not counted: ${String(err)}`);
  }
}

async function checkSource(
  booked: BookedCounts,
  source: PipelineSource,
  config: StallCheckConfig,
  { since, settledBefore, now }: { since: Date; settledBefore: Date; now: Date },
  { violations, notes }: StallReport,
): Promise<void> {
  const health = await source.health(since, settledBefore);
  const flows = BOOKED_FLOWS.filter((f) => source.flows.includes(f.name));
  const bookedHours = await booked.bookedPerHour(flows, since);
  for (const flow of flows) {
    const missing: string[] = [];
    const differing: AmountDifference[] = [];
    for (const hour of hoursToCompare(flow.name, health.hours, bookedHours)) {
      const until = new Date(Math.min(hour + HOUR_MS, settledBefore.getTime()));
      for await (const items of source.settledItems(flow.name, new Date(hour), until, settledBefore)) {
        const found = compareBooked(
          flow,
          items,
          await booked.bookedAmounts(
            flow,
            items.map((i) => flow.transactionId(i.id)),
          ),
        );
        missing.push(...found.missing);
        differing.push(...found.differing);
      }
    }
    const listed = flowViolations(flow, { missing, differing }, source.service, config.stallAfterMs);
    violations.push(...listed.violations);
    notes.push(...listed.notes);
  }
  if (health.unpublished > 0n && health.oldestUnpublished)
    violations.push(unpublishedViolation(source.service, health.unpublished, health.oldestUnpublished, now));
}
