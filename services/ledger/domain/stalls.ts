import type { Violation } from "./invariants.js";

/** A flow of settled items that another service reports and the ledger books, one transaction per item. */
export interface BookedFlow {
  name: "payin" | "refund" | "payout";
  /** The ledger transaction that books item `id`. */
  transactionId(id: string): string;
  /** A LIKE pattern matching exactly those transactions. */
  pattern: string;
}

export const BOOKED_FLOWS: readonly BookedFlow[] = [
  { name: "payin", transactionId: (id) => `payin:${id}`, pattern: "payin:%" },
  { name: "refund", transactionId: (id) => `refund:${id}`, pattern: "refund:%" },
  { name: "payout", transactionId: (id) => `payout:${id}:paid`, pattern: "payout:%:paid" },
];

export interface HourCount {
  flow: string;
  /** Epoch milliseconds of the hour's start. */
  hour: number;
  count: bigint;
}

/**
 * The hours whose items must be compared one by one: those where the source settled a different number than the
 * ledger booked, and the hour after each (the source counts by creation, the ledger by posting, so an item booked
 * in the next hour can hide a missing one there).
 */
export function hoursToCompare(flow: string, source: HourCount[], booked: HourCount[]): number[] {
  const key = (c: HourCount) => c.hour;
  const sourceBy = new Map(source.filter((c) => c.flow === flow).map((c) => [key(c), c.count]));
  const bookedBy = new Map(booked.filter((c) => c.flow === flow).map((c) => [key(c), c.count]));
  const differing = [...sourceBy.keys()].filter((h) => sourceBy.get(h) !== (bookedBy.get(h) ?? 0n));
  const hours = new Set(differing.flatMap((h) => (sourceBy.has(h + 3600_000) ? [h, h + 3600_000] : [h])));
  return [...hours].sort((a, b) => a - b);
}

export function notBookedViolation(flow: BookedFlow, id: string, service: string, stallAfterMs: number): Violation {
  return {
    invariant: "settled_not_booked",
    transactionId: flow.transactionId(id),
    detail: `${flow.name} "${id}" was settled by the ${service} service over ${stallAfterMs} ms ago, but the ledger has no "${flow.transactionId(id)}"`,
  };
}

export function unpublishedViolation(service: string, count: bigint, oldest: Date, now: Date): Violation {
  return {
    invariant: "outbox_events_unpublished",
    detail: `the ${service} service's outbox holds ${count} unpublished events, the oldest from ${oldest.toISOString()} (${now.getTime() - oldest.getTime()} ms ago)`,
  };
}


export function deadLettersViolation(stream: string, messages: number): Violation {
  return { invariant: "dead_letters_waiting", detail: `${messages} dead letters wait in ${stream} (scripts/dead-letters.ts list)` };
}
