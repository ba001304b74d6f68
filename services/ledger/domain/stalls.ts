import { payoutsInTransit, pspReceivable, type Direction } from "../../contracts/accounting/accounts.js";
import {
  payInTransactionId,
  payoutTransactionId,
  refundTransactionId,
} from "../../contracts/accounting/transaction-ids.js";
import type { Violation } from "./invariants.js";

/** A flow of settled items that another service reports and the ledger books, one transaction per item. */
export interface BookedFlow {
  name: "payin" | "refund" | "payout";
  /** The ledger transaction that books item `id`. */
  transactionId(id: string): string;
  /** A LIKE pattern matching exactly those transactions. */
  pattern: string;
  /** The one entry of such a transaction that carries the item's amount: a LIKE pattern of its account, its direction. */
  amountEntry: { account: string; direction: Direction };
}

export const BOOKED_FLOWS: readonly BookedFlow[] = [
  {
    name: "payin",
    transactionId: payInTransactionId,
    pattern: payInTransactionId("%"),
    amountEntry: { account: pspReceivable("%").code, direction: "DEBIT" },
  },
  {
    name: "refund",
    transactionId: refundTransactionId,
    pattern: refundTransactionId("%"),
    amountEntry: { account: pspReceivable("%").code, direction: "CREDIT" },
  },
  {
    name: "payout",
    transactionId: (id) => payoutTransactionId(id, "paid"),
    pattern: payoutTransactionId("%", "paid"),
    amountEntry: { account: payoutsInTransit("%").code, direction: "DEBIT" },
  },
];

/** Items of one flow and currency in one hour: how many, and their amounts added up (minor units). */
export interface HourTotal {
  flow: string;
  /** Epoch milliseconds of the hour's start. */
  hour: number;
  currency: string;
  count: bigint;
  sumMinor: bigint;
}

/**
 * The hours whose items must be compared one by one: those where, in some currency, the source settled a
 * different number or total than the ledger booked, and the hour after each (the source counts by creation, the
 * ledger by posting, so an item booked in the next hour can hide a missing one there).
 */
export function hoursToCompare(flow: string, source: HourTotal[], booked: HourTotal[]): number[] {
  const key = (t: HourTotal) => `${t.hour}/${t.currency}`;
  const bookedBy = new Map(booked.filter((t) => t.flow === flow).map((t) => [key(t), t]));
  const ofFlow = source.filter((t) => t.flow === flow);
  const sourceHours = new Set(ofFlow.map((t) => t.hour));
  const differing = ofFlow.filter(
    (t) => t.count !== (bookedBy.get(key(t))?.count ?? 0n) || t.sumMinor !== (bookedBy.get(key(t))?.sumMinor ?? 0n),
  );
  const hours = new Set(differing.flatMap(({ hour: h }) => (sourceHours.has(h + 3600_000) ? [h, h + 3600_000] : [h])));
  return [...hours].sort((a, b) => a - b);
}

/** Sources and ledger count items by the hour. */
export const HOUR_MS = 3600_000;

/**
 * The items the check compares: those settled before `stallAfterMs` ago (the others may still be on their way), from
 * the start of the hour `lookbackMs` before that (sources and ledger count by the hour).
 */
export function stallWindow(
  now: Date,
  { stallAfterMs, lookbackMs }: { stallAfterMs: number; lookbackMs: number },
): { since: Date; settledBefore: Date } {
  const settledBefore = new Date(now.getTime() - stallAfterMs);
  return { since: new Date(Math.floor((settledBefore.getTime() - lookbackMs) / HOUR_MS) * HOUR_MS), settledBefore };
}

export interface Amount {
  currency: string;
  amountMinor: bigint;
}

/** A settled item as its source reports it; a source that predates amounts gives the id only. */
export interface SettledItem extends Partial<Amount> {
  id: string;
}

export interface AmountDifference {
  item: SettledItem & Amount;
  booked: Amount;
}

/** The items with no transaction in `booked` (by transaction id), and those booked with another amount or currency. */
export function compareBooked(
  flow: BookedFlow,
  items: SettledItem[],
  booked: ReadonlyMap<string, Amount>,
): { missing: string[]; differing: AmountDifference[] } {
  const missing: string[] = [];
  const differing: AmountDifference[] = [];
  for (const item of items) {
    const found = booked.get(flow.transactionId(item.id));
    if (found === undefined) missing.push(item.id);
    else if (
      item.amountMinor !== undefined &&
      item.currency !== undefined &&
      (found.amountMinor !== item.amountMinor || found.currency !== item.currency)
    ) {
      differing.push({ item: { ...item, amountMinor: item.amountMinor, currency: item.currency }, booked: found });
    }
  }
  return { missing, differing };
}

/** Items listed per flow and kind of violation; the count of the others is in a note. */
export const MAX_IDS_PER_FLOW = 100;

/** What one flow's comparison found, as violations (at most MAX_IDS_PER_FLOW of each kind) and notes counting the rest. */
export function flowViolations(
  flow: BookedFlow,
  { missing, differing }: { missing: string[]; differing: AmountDifference[] },
  service: string,
  stallAfterMs: number,
): { violations: Violation[]; notes: string[] } {
  const violations = [
    ...missing.slice(0, MAX_IDS_PER_FLOW).map((id) => notBookedViolation(flow, id, service, stallAfterMs)),
    ...differing.slice(0, MAX_IDS_PER_FLOW).map((d) => amountDiffersViolation(flow, d, service)),
  ];
  const notes: string[] = [];
  if (missing.length > MAX_IDS_PER_FLOW)
    notes.push(`${flow.name}: ${missing.length - MAX_IDS_PER_FLOW} more settled but not booked than are listed`);
  if (differing.length > MAX_IDS_PER_FLOW)
    notes.push(`${flow.name}: ${differing.length - MAX_IDS_PER_FLOW} more booked with another amount than are listed`);
  return { violations, notes };
}

export function notBookedViolation(flow: BookedFlow, id: string, service: string, stallAfterMs: number): Violation {
  return {
    invariant: "settled_not_booked",
    transactionId: flow.transactionId(id),
    detail: `${flow.name} "${id}" was settled by the ${service} service over ${stallAfterMs} ms ago, but the ledger has no "${flow.transactionId(id)}"`,
  };
}

export function amountDiffersViolation(
  flow: BookedFlow,
  { item, booked }: AmountDifference,
  service: string,
): Violation {
  return {
    invariant: "settled_amount_differs",
    transactionId: flow.transactionId(item.id),
    currency: item.currency,
    detail: `${flow.name} "${item.id}" was settled by the ${service} service for ${item.amountMinor} ${item.currency}, but "${flow.transactionId(item.id)}" booked ${booked.amountMinor} ${booked.currency}`,
  };
}

export function unpublishedViolation(service: string, count: bigint, oldest: Date, now: Date): Violation {
  return {
    invariant: "outbox_events_unpublished",
    detail: `the ${service} service's outbox holds ${count} unpublished events, the oldest from ${oldest.toISOString()} (${now.getTime() - oldest.getTime()} ms ago)`,
  };
}

export function deadLettersViolation(stream: string, messages: number): Violation {
  return {
    invariant: "dead_letters_waiting",
    detail: `${messages} dead letters wait in ${stream} (scripts/dead-letters.ts list)`,
  };
}
