import { formatMoney } from "../../lib/money.js";

/** Every class a settlement line (or a ledger transaction the file lacks) ends in. */
export const CLASSES = [
  "matched",
  "missing_in_ledger",
  "missing_in_file",
  "amount_mismatch",
  "currency_mismatch",
  "duplicate_line",
  "already_settled",
  "malformed_line",
  "balance_break",
] as const;
export type LineClass = (typeof CLASSES)[number];
export type ExceptionClass = Exclude<LineClass, "matched">;

/** One row of a run's report: how many lines of a class, and how much money, in one currency ("" when unreadable). */
export interface ReportRow {
  class: LineClass;
  currency: string;
  count: number;
  amountMinor: bigint;
}

/** Counts and sums per class and currency, in class order then currency order. */
export class ReportBuilder {
  /** Per class, then per currency: a line each, no key to build. */
  private readonly rows = new Map<LineClass, Map<string, ReportRow>>();

  add(lineClass: LineClass, currency: string, amountMinor: bigint): void {
    let byCurrency = this.rows.get(lineClass);
    if (byCurrency === undefined) {
      byCurrency = new Map();
      this.rows.set(lineClass, byCurrency);
    }
    let row = byCurrency.get(currency);
    if (row === undefined) {
      row = { class: lineClass, currency, count: 0, amountMinor: 0n };
      byCurrency.set(currency, row);
    }
    row.count++;
    row.amountMinor += amountMinor;
  }

  build(): ReportRow[] {
    return [...this.rows.values()]
      .flatMap((byCurrency) => [...byCurrency.values()])
      .sort(
        (a, b) =>
          CLASSES.indexOf(a.class) - CLASSES.indexOf(b.class) ||
          (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0),
      );
  }
}

/** Rows as JSON-safe values (amounts as strings of minor units). */
export const reportToJson = (rows: ReportRow[]) =>
  rows.map((r) => ({ class: r.class, currency: r.currency, count: r.count, amount_minor: r.amountMinor.toString() }));

export const reportFromJson = (json: ReturnType<typeof reportToJson>): ReportRow[] =>
  json.map((r) => ({ class: r.class, currency: r.currency, count: r.count, amountMinor: BigInt(r.amount_minor) }));

/** The report table's columns: the text of a row's cell, and whether it is a number (aligned right). */
const COLUMNS: { title: string; cell: (row: ReportRow) => string; numeric: boolean }[] = [
  { title: "class", cell: (r) => r.class, numeric: false },
  { title: "currency", cell: (r) => r.currency || "-", numeric: false },
  { title: "lines", cell: (r) => String(r.count), numeric: true },
  {
    title: "amount",
    cell: (r) => (r.currency ? formatMoney({ amountMinor: r.amountMinor, currency: r.currency }) : "-"),
    numeric: true,
  },
];

/** The report as a table for a terminal. */
export function formatReportTable(rows: ReportRow[]): string {
  const columns = COLUMNS.map((column) => ({
    ...column,
    width: Math.max(column.title.length, ...rows.map((row) => column.cell(row).length)),
  }));
  const line = (cellOf: (column: (typeof columns)[number]) => string) =>
    columns
      .map((column) => (column.numeric ? cellOf(column).padStart(column.width) : cellOf(column).padEnd(column.width)))
      .join("  ")
      .trimEnd();
  return [
    line((column) => column.title),
    columns.map(({ width }) => "-".repeat(width)).join("  "),
    ...rows.map((row) => line((column) => column.cell(row))),
  ].join("\n");
}
