import { invalidArgument } from "../../lib/errors.js";
import { requireCurrency } from "../../lib/validate.js";
import { DAY_MS, dayNumber, dayOfNumber, requireUtcDay } from "../../lib/utc-day.js";

/**
 * The figures of revenue, each a sum of entries (ledger README, Revenue; the SQL view revenue_entries classifies):
 * gross_charged, Dr psp_receivable by pay-ins; refunds, Cr psp_receivable by refunds; disputes_lost, Cr
 * psp_receivable by lost disputes; platform_fee_revenue and fees_reversed, the credits and debits of
 * platform_fee_revenue; psp_fees and reconciliation_differences, debits minus credits of those expense accounts.
 */
export const REVENUE_FIGURES = [
  "gross_charged",
  "platform_fee_revenue",
  "fees_reversed",
  "refunds",
  "disputes_lost",
  "psp_fees",
  "reconciliation_differences",
] as const;
export type RevenueFigure = (typeof REVENUE_FIGURES)[number];

/** UTC days; ISO weeks (Monday to Sunday); calendar months. Also PostgreSQL's date_trunc units. */
export const GRANULARITIES = ["day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** About 10 years of days. */
export const MAX_REVENUE_DAYS = 3660;

export interface RevenueQuery {
  /** First and last day, inclusive, YYYY-MM-DD (UTC). */
  fromDay: string;
  toDay: string;
  granularity: Granularity;
  /** Absent: every currency with something booked in the range. */
  currency?: string;
}

export interface RevenueFigures {
  grossChargedMinor: bigint;
  platformFeeRevenueMinor: bigint;
  feesReversedMinor: bigint;
  refundsMinor: bigint;
  disputesLostMinor: bigint;
  pspFeesMinor: bigint;
  reconciliationDifferencesMinor: bigint;
  /** platform fee revenue - fees reversed - PSP fees - reconciliation differences. */
  netRevenueMinor: bigint;
}

/** One period of one currency; the figures cover its days from firstDay to lastDay (the range may cut a period). */
export interface RevenuePeriod extends RevenueFigures {
  currency: string;
  /** "2026-03-02", "2026-W10" (ISO week) or "2026-03". */
  period: string;
  firstDay: string;
  lastDay: string;
}

/** A figure summed over one period (by its first day, date_trunc's) in one currency, as the store returns it. */
export interface RevenueRow {
  currency: string;
  periodStart: string;
  figure: RevenueFigure;
  amountMinor: bigint;
}

/** One day of a currency's history, for forecasting. */
export interface DailyRevenue {
  day: string;
  grossChargedMinor: bigint;
  netRevenueMinor: bigint;
}

const FIELD: Record<RevenueFigure, Exclude<keyof RevenueFigures, "netRevenueMinor">> = {
  gross_charged: "grossChargedMinor",
  platform_fee_revenue: "platformFeeRevenueMinor",
  fees_reversed: "feesReversedMinor",
  refunds: "refundsMinor",
  disputes_lost: "disputesLostMinor",
  psp_fees: "pspFeesMinor",
  reconciliation_differences: "reconciliationDifferencesMinor",
};

/** Validates a request's range; `currency` "" means every currency. */
export function requireRevenueQuery(input: {
  fromDay: string;
  toDay: string;
  granularity: Granularity | undefined;
  currency: string;
}): RevenueQuery {
  const fromDay = requireUtcDay("from_day", input.fromDay);
  const toDay = requireUtcDay("to_day", input.toDay);
  const days = dayNumber(toDay) - dayNumber(fromDay) + 1;
  if (days < 1) throw invalidArgument("to_day", `must not be before from_day ${fromDay}, got ${toDay}`);
  if (days > MAX_REVENUE_DAYS) {
    throw invalidArgument(
      "to_day",
      `the range holds ${days} days, more than the limit of ${MAX_REVENUE_DAYS} (about 10 years); ask for a shorter range`,
    );
  }
  if (input.granularity === undefined) throw invalidArgument("granularity", "is required (DAY, WEEK or MONTH)");
  const currency = input.currency === "" ? undefined : requireCurrency("currency", input.currency);
  return { fromDay, toDay, granularity: input.granularity, currency };
}

/** The first day of the period holding day number `n`. */
function periodStart(granularity: Granularity, n: number): number {
  if (granularity === "day") return n;
  // Day 0, 1970-01-01, was a Thursday: Monday is 3 days before.
  if (granularity === "week") return n - ((((n + 3) % 7) + 7) % 7);
  return dayNumber(`${dayOfNumber(n).slice(0, 7)}-01`);
}

function nextPeriodStart(granularity: Granularity, start: number): number {
  if (granularity === "day") return start + 1;
  if (granularity === "week") return start + 7;
  const date = new Date(dayOfNumber(start));
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
}

/** ISO 8601 week: the week belongs to the year of its Thursday. */
function isoWeekLabel(monday: number): string {
  const thursday = monday + 3;
  const year = dayOfNumber(thursday).slice(0, 4);
  const week = Math.floor((thursday - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const LABEL: Record<Granularity, (start: number) => string> = {
  day: dayOfNumber,
  week: isoWeekLabel,
  month: (start) => dayOfNumber(start).slice(0, 7),
};

/** The periods of the range, oldest first, cut to it. */
export function revenuePeriods(
  query: Pick<RevenueQuery, "fromDay" | "toDay" | "granularity">,
): { start: string; period: string; firstDay: string; lastDay: string }[] {
  const { granularity } = query;
  const from = dayNumber(query.fromDay);
  const to = dayNumber(query.toDay);
  const periods = [];
  for (let start = periodStart(granularity, from); start <= to; start = nextPeriodStart(granularity, start)) {
    const end = nextPeriodStart(granularity, start) - 1;
    periods.push({
      start: dayOfNumber(start),
      period: LABEL[granularity](start),
      firstDay: dayOfNumber(Math.max(start, from)),
      lastDay: dayOfNumber(Math.min(end, to)),
    });
  }
  return periods;
}

export const zeroFigures = (): RevenueFigures => ({
  grossChargedMinor: 0n,
  platformFeeRevenueMinor: 0n,
  feesReversedMinor: 0n,
  refundsMinor: 0n,
  disputesLostMinor: 0n,
  pspFeesMinor: 0n,
  reconciliationDifferencesMinor: 0n,
  netRevenueMinor: 0n,
});

/**
 * Every period of the range for each currency (the one asked, or those in `rows`, by code), zeros where nothing
 * was booked, with its net revenue. Disputes lost are not taken off: the chart charges them to the sellers, whose
 * shares were withheld when the dispute opened; what a dispute costs the platform is the PSP's fee, in psp_fees.
 */
export function revenueReport(query: RevenueQuery, rows: readonly RevenueRow[]): RevenuePeriod[] {
  const periods = revenuePeriods(query);
  const currencies = query.currency !== undefined ? [query.currency] : [...new Set(rows.map((r) => r.currency))].sort();
  const report = new Map<string, RevenuePeriod>();
  for (const currency of currencies) {
    for (const { start, period, firstDay, lastDay } of periods)
      report.set(`${currency} ${start}`, { currency, period, firstDay, lastDay, ...zeroFigures() });
  }
  for (const row of rows) {
    const period = report.get(`${row.currency} ${row.periodStart}`);
    if (period === undefined)
      throw new Error(
        `a revenue row of ${row.currency} for the period starting ${row.periodStart} is outside the range`,
      );
    period[FIELD[row.figure]] += row.amountMinor;
  }
  const all = [...report.values()];
  for (const p of all)
    p.netRevenueMinor =
      p.platformFeeRevenueMinor - p.feesReversedMinor - p.pspFeesMinor - p.reconciliationDifferencesMinor;
  return all;
}

export const dailyRevenue = (periods: readonly RevenuePeriod[]): DailyRevenue[] =>
  periods.map((p) => ({ day: p.firstDay, grossChargedMinor: p.grossChargedMinor, netRevenueMinor: p.netRevenueMinor }));
