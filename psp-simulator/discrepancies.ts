import { SUPPORTED_CURRENCIES } from "./currencies.js";
import type { Movement } from "./movements.js";
import { fileLine, SETTLEMENT_COLUMNS, type FileLine } from "./settlement-csv.js";

export const DISCREPANCY_KINDS = [
  "drop_line",
  "duplicate_line",
  "amount_mismatch",
  "currency_mismatch",
  "malformed_line",
  "unknown_line",
] as const;

export const MALFORMATIONS = ["missing_column", "non_integer_amount"] as const;
export type Malformation = (typeof MALFORMATIONS)[number];

/** Targets the first line of any psp_reference. */
export const ANY = "any";

/**
 * A fault in a settlement file, on the first line of the file whose psp_reference is `target` (or the first line
 * at all for "any"). Field names are those of `POST /v1/test_helpers/settlements/discrepancies`.
 */
export type Discrepancy =
  | { kind: "drop_line" | "duplicate_line"; target: string }
  /** The line's gross (and so its net) is off by `delta`. */
  | { kind: "amount_mismatch"; target: string; delta: number }
  /** Another currency on the line; null: the first supported currency that is not the line's. */
  | { kind: "currency_mismatch"; target: string; currency: string | null }
  | { kind: "malformed_line"; target: string; form: Malformation }
  /** A charge of `amount` for a payment that does not exist, right after the target line, at its time, in its currency. */
  | { kind: "unknown_line"; target: string; amount: number };

const GROSS = SETTLEMENT_COLUMNS.indexOf("gross");

/** 1999 -> "19.99": the amount as if written in major units. */
function decimal(amount: number): string {
  const digits = String(Math.abs(amount)).padStart(3, "0");
  return `${amount < 0 ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function malformed(fields: string[], form: Malformation): string[] {
  if (form === "missing_column") return fields.slice(0, -1);
  return fields.map((field, i) => (i === GROSS ? decimal(Number(field)) : field));
}

function otherCurrency(currency: string): string {
  return SUPPORTED_CURRENCIES.find((c) => c !== currency) ?? currency;
}

/** Puts `d` into `lines` (in place); false if no line is its target. `unknownCharge` makes the charge of an unknown_line. */
function inject(
  lines: FileLine[],
  d: Discrepancy,
  unknownCharge: (amount: number, next: Movement) => Movement,
): boolean {
  const index = lines.findIndex((line) => d.target === ANY || line.movement.pspReference === d.target);
  const line = lines[index];
  if (line === undefined) return false;
  const { movement } = line;
  switch (d.kind) {
    case "drop_line":
      lines.splice(index, 1);
      break;
    case "duplicate_line":
      lines.splice(index, 0, line);
      break;
    case "amount_mismatch":
      lines[index] = fileLine({ ...movement, gross: movement.gross + d.delta });
      break;
    case "currency_mismatch":
      lines[index] = fileLine({ ...movement, currency: d.currency ?? otherCurrency(movement.currency) });
      break;
    case "malformed_line":
      lines[index] = { movement, fields: malformed(line.fields, d.form) };
      break;
    case "unknown_line":
      lines.splice(index + 1, 0, fileLine(unknownCharge(d.amount, movement)));
      break;
  }
  return true;
}

/**
 * The discrepancies waiting for a file, and those already in each day's file. A discrepancy goes into the next
 * file written that has its target; it stays with that day, so re-cutting the day gives the same faults again.
 */
export class DiscrepancyInjector {
  private pending: Discrepancy[] = [];
  private readonly applied = new Map<string, Discrepancy[]>();

  constructor(private readonly chargeFee: (amount: number, currency: string) => number) {}

  add(discrepancies: readonly Discrepancy[]): void {
    this.pending.push(...discrepancies);
  }

  waiting(): readonly Discrepancy[] {
    return this.pending;
  }

  /** Day `date`'s lines with its own discrepancies, then with each waiting one that finds its target, which then becomes its own. */
  apply(date: string, clean: readonly FileLine[]): FileLine[] {
    const lines = [...clean];
    let unknown = 0;
    // Numbered per file, in order, so that re-cutting a day names its unknown payments the same.
    const unknownCharge = (amount: number, next: Movement): Movement => {
      const suffix = `unknown_${date.replace(/-/g, "")}_${++unknown}`;
      const fee = this.chargeFee(amount, next.currency);
      return {
        ...next,
        pspReference: `pi_${suffix}`,
        ourReference: `pay_${suffix}`,
        type: "charge",
        gross: amount,
        fee,
      };
    };
    const own = [...(this.applied.get(date) ?? [])];
    for (const d of own) inject(lines, d, unknownCharge);
    const waiting = this.pending;
    this.pending = [];
    for (const d of waiting) (inject(lines, d, unknownCharge) ? own : this.pending).push(d);
    this.applied.set(date, own);
    return lines;
  }
}
