import type { Money } from "../../lib/money.js";

export type StatsPeriod = "hour" | "day";

const PERIOD_MS: Record<StatsPeriod, number> = { hour: 3_600_000, day: 86_400_000 };

/** The payments created in one period (UTC), counted by where they stand now. */
export interface PaymentStatsBucket {
  start: Date;
  created: number;
  succeeded: number;
  failed: number;
  /** Per currency, in the order currencies first appear; absent when nothing was charged. */
  charged: Money[];
}

/** One period's payments in one currency, as the store counts them. */
export interface PaymentStatsRow {
  start: Date;
  currency: string;
  created: number;
  succeeded: number;
  failed: number;
  chargedMinor: bigint;
}

export interface StatsRange {
  period: StatsPeriod;
  /** The first period's start, inclusive. */
  from: Date;
  /** The end of the period `until` falls in, exclusive. */
  to: Date;
  starts: Date[];
}

/** `periods` whole UTC hours or days, the last one holding `until`. */
export function statsRange(period: StatsPeriod, periods: number, until: Date): StatsRange {
  const size = PERIOD_MS[period];
  const to = Math.floor(until.getTime() / size) * size + size;
  const from = to - periods * size;
  return {
    period,
    from: new Date(from),
    to: new Date(to),
    starts: Array.from({ length: periods }, (_, i) => new Date(from + i * size)),
  };
}

/** Every period of the range, oldest first, with the rows' counts summed over currencies and zeros where none. */
export function statsBuckets(range: StatsRange, rows: readonly PaymentStatsRow[]): PaymentStatsBucket[] {
  const buckets = new Map(
    range.starts.map((start) => [
      start.getTime(),
      { start, created: 0, succeeded: 0, failed: 0, charged: [] as Money[] },
    ]),
  );
  for (const row of rows) {
    const bucket = buckets.get(row.start.getTime());
    if (bucket === undefined) throw new Error(`a stats row for ${row.start.toISOString()} is outside the range`);
    bucket.created += row.created;
    bucket.succeeded += row.succeeded;
    bucket.failed += row.failed;
    if (row.chargedMinor > 0n) bucket.charged.push({ amountMinor: row.chargedMinor, currency: row.currency });
  }
  return [...buckets.values()];
}
