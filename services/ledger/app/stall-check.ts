import type { Knex } from "knex";
import type { Violation } from "../domain/invariants.js";
import {
  amountDiffersViolation,
  BOOKED_FLOWS,
  compareBooked,
  deadLettersViolation,
  hoursToCompare,
  notBookedViolation,
  unpublishedViolation,
  type AmountDifference,
} from "../domain/stalls.js";
import { bookedAmounts, bookedPerHour } from "../store/booked-counts.js";
import type { DeadLetterCount, PipelineSource } from "./ports.js";

const HOUR_MS = 3600_000;
/** Items listed per flow and kind of violation; the count of the others is in a note. */
const MAX_IDS_PER_FLOW = 100;

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
  db: Knex,
  sources: readonly PipelineSource[],
  deadLetters: DeadLetterCount | undefined,
  config: StallCheckConfig,
  now = new Date(),
): Promise<StallReport> {
  const settledBefore = new Date(now.getTime() - config.stallAfterMs);
  const since = new Date(Math.floor((settledBefore.getTime() - config.lookbackMs) / HOUR_MS) * HOUR_MS);
  const report: StallReport = { violations: [], notes: [] };
  for (const source of sources) {
    await checkSource(db, source, config, { since, settledBefore, now }, report).catch((err: unknown) =>
      report.notes.push(`the ${source.service} service's settled items and outbox were not compared: ${String(err)}`),
    );
  }
  await countDeadLetters(deadLetters, report);
  return report;
}

async function countDeadLetters(source: DeadLetterCount | undefined, { violations, notes }: StallReport): Promise<void> {
  if (source === undefined) return; // a ledger that consumes no events has no dead letters
  try {
    const { stream, messages } = await source.deadLetters();
    if (messages > 0) violations.push(deadLettersViolation(stream, messages));
  } catch (err) {
    notes.push(`dead letters were not counted: ${String(err)}`);
  }
}

async function checkSource(
  db: Knex,
  source: PipelineSource,
  config: StallCheckConfig,
  { since, settledBefore, now }: { since: Date; settledBefore: Date; now: Date },
  { violations, notes }: StallReport,
): Promise<void> {
  const health = await source.health(since, settledBefore);
  const flows = BOOKED_FLOWS.filter((f) => source.flows.includes(f.name));
  const booked = await bookedPerHour(db, flows, since);
  for (const flow of flows) {
    const missing: string[] = [];
    const differing: AmountDifference[] = [];
    for (const hour of hoursToCompare(flow.name, health.hours, booked)) {
      const until = new Date(Math.min(hour + HOUR_MS, settledBefore.getTime()));
      for await (const items of source.settledItems(flow.name, new Date(hour), until, settledBefore)) {
        const found = compareBooked(flow, items, await bookedAmounts(db, flow, items.map((i) => flow.transactionId(i.id))));
        missing.push(...found.missing);
        differing.push(...found.differing);
      }
    }
    violations.push(...missing.slice(0, MAX_IDS_PER_FLOW).map((id) => notBookedViolation(flow, id, source.service, config.stallAfterMs)));
    if (missing.length > MAX_IDS_PER_FLOW) notes.push(`${flow.name}: ${missing.length - MAX_IDS_PER_FLOW} more settled but not booked than are listed`);
    violations.push(...differing.slice(0, MAX_IDS_PER_FLOW).map((d) => amountDiffersViolation(flow, d, source.service)));
    if (differing.length > MAX_IDS_PER_FLOW) notes.push(`${flow.name}: ${differing.length - MAX_IDS_PER_FLOW} more booked with another amount than are listed`);
  }
  if (health.unpublished > 0n && health.oldestUnpublished) violations.push(unpublishedViolation(source.service, health.unpublished, health.oldestUnpublished, now));
}
