import { net, type Movement } from "./movements.js";

/**
 * The settlement file format, a contract with whoever reconciles against it (see the README). Every file, the
 * simulator's daily ones and the synthetic benchmark ones, is written through these functions only.
 */

export const SETTLEMENT_COLUMNS = [
  "psp_reference",
  "our_reference",
  "type",
  "gross",
  "fee",
  "net",
  "currency",
  "time",
] as const;

export const SETTLEMENT_HEADER = `${SETTLEMENT_COLUMNS.join(",")}\n`;

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One line, newline included. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\n`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The fields of a movement line; `net` is always `gross - fee`. */
export function movementFields(movement: Movement): string[] {
  const { pspReference, ourReference, type, gross, fee, currency, time } = movement;
  return [pspReference, ourReference, type, String(gross), String(fee), String(net(movement)), currency, isoTime(time)];
}

/** The balance in `currency` at `time`: only `type`, `net`, `currency` and `time` are filled in. */
function closingBalanceFields(currency: string, balance: number, time: number): string[] {
  return ["", "", "closing_balance", "", "", String(balance), currency, isoTime(time)];
}

/** The balances in currency code order, as the closing balance lines list them. */
export function balanceRecord(balances: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...balances].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Closing balance lines, one per currency in code order. */
export function closingBalanceLines(balances: ReadonlyMap<string, number>, time: number): string {
  return Object.entries(balanceRecord(balances))
    .map(([currency, balance]) => csvLine(closingBalanceFields(currency, balance, time)))
    .join("");
}

/** A movement line of a file being written: the movement, and the fields written for it (which a fault may break). */
export interface FileLine {
  movement: Movement;
  fields: string[];
}

export function fileLine(movement: Movement): FileLine {
  return { movement, fields: movementFields(movement) };
}
