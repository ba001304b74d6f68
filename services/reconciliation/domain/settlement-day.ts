import { requireUtcDay } from "../../lib/utc-day.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** YYYY-MM-DD, a real calendar date. */
export const requireSettlementDate = requireUtcDay;

/** The settlement day before `date`. */
export function previousDate(date: string): string {
  return new Date(Date.parse(date) - DAY_MS).toISOString().slice(0, 10);
}

/** The PSP's settlement day `date` as [start, end) in ms: from the cutoff ("HH:MM" UTC) of that date to the next one. */
export function settlementWindow(date: string, cutoff: string): { start: number; end: number } {
  const match = CUTOFF.exec(cutoff);
  if (!match) throw new Error(`settlement cutoff must be "HH:MM" (UTC), got ${JSON.stringify(cutoff)}`);
  const start = Date.parse(date) + (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  return { start, end: start + DAY_MS };
}

/** The last `lookbackDays` settlement days that are over at `now` (their cutoff passed), oldest first. */
export function completeDays(now: number, cutoff: string, lookbackDays: number): string[] {
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  // Today and yesterday may not be over yet (a day ends at the next day's cutoff).
  const candidates = Array.from({ length: lookbackDays + 2 }, (_, i) =>
    new Date(today - (lookbackDays + 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
  return lookbackDays === 0
    ? []
    : candidates.filter((date) => settlementWindow(date, cutoff).end <= now).slice(-lookbackDays);
}
