import { invalidArgument } from "./errors.js";

/** Days are written YYYY-MM-DD and counted in UTC; a day number is the count of days since 1970-01-01. */
export const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is YYYY-MM-DD, a real calendar date. */
export const isUtcDay = (value: string): boolean =>
  DAY.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);

/** YYYY-MM-DD, a real calendar date. */
export function requireUtcDay(field: string, value: string): string {
  if (!isUtcDay(value)) throw invalidArgument(field, `must be a date written YYYY-MM-DD, got "${value}"`);
  return value;
}

export const dayNumber = (day: string): number => Date.parse(day) / DAY_MS;

export const dayOfNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The midnight (UTC) that starts `day`. */
export const startOfDay = (day: string): Date => new Date(Date.parse(day));
