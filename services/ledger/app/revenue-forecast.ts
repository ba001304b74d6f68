import {
  forecastRevenue,
  MAX_HORIZON_DAYS,
  type Forecast,
  type NotEnoughHistory,
} from "../../lib/forecast/forecast-revenue.js";
import { invalidArgument } from "../../lib/errors.js";
import { DAY_MS, dayOfNumber } from "../../lib/utc-day.js";
import { requireCurrency } from "../../lib/validate.js";
import type { DailyRevenue } from "../domain/revenue.js";

/** How far back a forecast reads the books: two years are plenty for a weekly season, and keep the fit fast. */
export const FORECAST_HISTORY_DAYS = 730;

export interface RevenueForecastRequest {
  currency: string;
  horizonDays: number;
}

export interface RevenueForecastAnswer {
  currency: string;
  /** The days forecast from; absent when nothing is booked in the currency in those days. */
  history?: { firstDay: string; lastDay: string };
  result: { kind: "forecasts"; netRevenue: Forecast; grossCharged: Forecast } | NotEnoughHistory;
}

export function requireForecastRequest({ currency, horizonDays }: RevenueForecastRequest): RevenueForecastRequest {
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
    throw invalidArgument("horizon_days", `must be from 1 to ${MAX_HORIZON_DAYS} days, got ${horizonDays}`);
  }
  return { currency: requireCurrency("currency", currency), horizonDays };
}

/**
 * The history starts at the currency's first day with anything booked: the zeros before a shop opened are not
 * revenue that stopped, and would be learnt as a level rising from nothing.
 */
function fromFirstBookedDay(history: readonly DailyRevenue[]): DailyRevenue[] {
  const first = history.findIndex((d) => d.grossChargedMinor !== 0n || d.netRevenueMinor !== 0n);
  return first === -1 ? [] : history.slice(first);
}

/** What the forecast reads from the books (the ledger store). */
export interface DailyRevenueSource {
  /** Every day from `fromDay` to `toDay` (YYYY-MM-DD, UTC, inclusive), zeros on days without any. */
  dailyRevenueHistory(currency: string, fromDay: string, toDay: string): Promise<DailyRevenue[]>;
}

/**
 * Net revenue and gross charged forecast for the `horizonDays` after yesterday (UTC: today is not over), from the
 * books' daily history of the currency (at most FORECAST_HISTORY_DAYS back).
 */
export async function forecastRevenueFromBooks(
  store: DailyRevenueSource,
  request: RevenueForecastRequest,
  now: Date = new Date(),
): Promise<RevenueForecastAnswer> {
  const { currency, horizonDays } = requireForecastRequest(request);
  const yesterday = Math.floor(now.getTime() / DAY_MS) - 1;
  const history = fromFirstBookedDay(
    await store.dailyRevenueHistory(
      currency,
      dayOfNumber(yesterday - FORECAST_HISTORY_DAYS + 1),
      dayOfNumber(yesterday),
    ),
  );
  const [first] = history;
  const last = history.at(-1);
  const span = first && last ? { firstDay: first.day, lastDay: last.day } : undefined;
  const net = forecastRevenue(
    history.map((d) => ({ day: d.day, valueMinor: d.netRevenueMinor })),
    { horizonDays },
  );
  const gross = forecastRevenue(
    history.map((d) => ({ day: d.day, valueMinor: d.grossChargedMinor })),
    { horizonDays },
  );
  // Both series have the same days: both are forecasts, or neither is.
  if (net.kind === "not_enough_history") return { currency, history: span, result: net };
  if (gross.kind === "not_enough_history") return { currency, history: span, result: gross };
  return { currency, history: span, result: { kind: "forecasts", netRevenue: net, grossCharged: gross } };
}
