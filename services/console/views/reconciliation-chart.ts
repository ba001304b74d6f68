import { LineClass, RunStatus, type Run } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { barChart, wholeNumber } from "./charts.js";
import { enumName, html, path, table, type SafeHtml } from "./html.js";

/** How many settlement days the chart shows. */
export const RECONCILIATION_CHART_DAYS = 14;

const EXCEPTION_CLASSES: { lineClass: LineClass; color: string }[] = [
  { lineClass: LineClass.MISSING_IN_LEDGER, color: "#c0392b" },
  { lineClass: LineClass.MISSING_IN_FILE, color: "#e67e22" },
  { lineClass: LineClass.AMOUNT_MISMATCH, color: "#8e44ad" },
  { lineClass: LineClass.CURRENCY_MISMATCH, color: "#16a085" },
  { lineClass: LineClass.DUPLICATE_LINE, color: "#2c3e50" },
  { lineClass: LineClass.ALREADY_SETTLED, color: "#d4ac0d" },
  { lineClass: LineClass.MALFORMED_LINE, color: "#7f8c8d" },
  { lineClass: LineClass.BALANCE_BREAK, color: "#e84393" },
];
/** missing_in_ledger, as finance reads it. */
export const lineClassName = (c: LineClass) => enumName(LineClass, c, "LINE_CLASS_").toLowerCase();

/** The newest finished run of each of the latest settlement days, oldest day first. */
export function latestRunPerDay(runs: readonly Run[], days: number): Run[] {
  const byDay = new Map<string, Run>();
  for (const run of runs) {
    if (run.status !== RunStatus.FINISHED) continue;
    const seen = byDay.get(run.date);
    if (seen === undefined || run.runId > seen.runId) byDay.set(run.date, run);
  }
  return [...byDay.values()].sort((a, b) => a.date.localeCompare(b.date)).slice(-days);
}

const linesOf = (run: Run, lineClass: LineClass) =>
  run.report.filter((r) => r.lineClass === lineClass).reduce((sum, r) => sum + r.count, 0n);

/** The exceptions of each day stacked by class, and a table of every class (matched too) per day. */
export function reconciliationChart(runs: readonly Run[]): SafeHtml {
  if (runs.length === 0) return html`<p class="empty">No finished reconciliation runs yet.</p>`;
  const chart = barChart({
    title: "Reconciliation exceptions per settlement day, by class",
    categories: runs.map((r) => r.date.slice(5)),
    series: EXCEPTION_CLASSES.map(({ lineClass, color }) => ({
      name: lineClassName(lineClass),
      color,
      values: runs.map((r) => Number(linesOf(r, lineClass))),
    })),
    format: wholeNumber,
    integer: true,
  });
  const classes = [LineClass.MATCHED, ...EXCEPTION_CLASSES.map((c) => c.lineClass)];
  const rows = [...runs]
    .reverse()
    .map(
      (r) =>
        html`<tr><td><a href="${path("reconciliation", "runs", r.runId.toString())}">${r.date}</a></td>${classes.map((c) => html`<td class="num">${linesOf(r, c)}</td>`)}</tr>`,
    );
  return html`${chart}${table(["day", ...classes.map(lineClassName)], rows)}`;
}
