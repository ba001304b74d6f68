/** One day of a daily series of money in one currency: `day` is YYYY-MM-DD (UTC), `valueMinor` integer minor units. */
export interface DailyValue {
  day: string;
  valueMinor: bigint;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day `days` after `day` (YYYY-MM-DD, UTC). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
