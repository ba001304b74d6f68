import {
  ExceptionStatus,
  LineClass,
  RunStatus,
  type ListExceptionsResponse,
  type ReconciliationException,
  type Run,
} from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { formatDecimal, type Money } from "../../lib/money.js";
import { describeFailure, type Outcome } from "./outcome.js";
import { csv } from "./csv.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";
import {
  latestRunPerDay,
  lineClassName,
  RECONCILIATION_CHART_DAYS,
  reconciliationChart,
} from "./reconciliation-chart.js";

const runStatus = (s: RunStatus) => enumName(RunStatus, s, "RUN_STATUS_");
export const exceptionStatus = (s: ExceptionStatus) => enumName(ExceptionStatus, s, "EXCEPTION_STATUS_").toLowerCase();

/**
 * The file's amount minus the ledger's, signed, where both are figures of one thing: an amount mismatch's line and
 * booking, a balance break's stated and expected closing balance (the previous one plus the day's movements).
 */
export function differenceOf(e: ReconciliationException): Money | undefined {
  const { fileAmount: file, ledgerAmount: ledger } = e;
  const comparable = e.lineClass === LineClass.AMOUNT_MISMATCH || e.lineClass === LineClass.BALANCE_BREAK;
  return comparable && file && ledger && file.currency === ledger.currency
    ? { amountMinor: file.amountMinor - ledger.amountMinor, currency: file.currency }
    : undefined;
}

function runRow(r: Run): SafeHtml {
  return html`<tr><td><a href="${path("reconciliation", "runs", r.runId.toString())}">${r.runId}</a></td><td>${r.date}</td><td class="status">${runStatus(r.status)}</td><td class="num">${r.lines}</td><td class="num">${r.executions}</td><td>${time(r.startedAt)}</td><td>${time(r.finishedAt)}</td></tr>`;
}

function exceptionRow(e: ReconciliationException): SafeHtml {
  // A line missing in the ledger names the transaction it should have been: there is nothing to open.
  const ledger = !e.ledgerTransactionId
    ? "-"
    : e.lineClass === LineClass.MISSING_IN_LEDGER
      ? html`${e.ledgerTransactionId} (not in the ledger)`
      : html`<a href="${path("ledger", "transactions", e.ledgerTransactionId)}">${e.ledgerTransactionId}</a>`;
  return html`<tr data-exception-id="${e.exceptionId}"><td class="num">${e.exceptionId}</td><td>${e.date}</td><td>${lineClassName(e.lineClass)}</td><td>${e.lineType}</td><td class="num">${e.lineNumber || "-"}</td><td>${e.ourReference}</td><td>${e.pspReference}</td><td class="num">${money(e.fileAmount)}</td><td class="num">${money(e.ledgerAmount)}</td><td class="num">${money(differenceOf(e))}</td><td>${ledger}</td><td class="status">${exceptionStatus(e.status)}${e.status === ExceptionStatus.OPEN ? html`<br><a href="${path("reconciliation", "exceptions", e.exceptionId.toString(), "adjust")}">Adjust</a>` : ""}</td><td>${e.detail}${e.resolution ? html`<br>${e.resolution}` : ""}</td></tr>`;
}

const EXCEPTION_HEADERS = [
  "#",
  "date",
  "class",
  "line type",
  "line",
  "our reference",
  "PSP reference",
  "file",
  "ledger",
  "difference",
  "ledger transaction",
  "status",
  "detail",
];

const decimal = (m: Money | undefined) => (m ? formatDecimal(m) : "");

/**
 * One row per exception, amounts as decimals of their currency (exact), for finance's spreadsheets; the difference
 * (file - ledger, see differenceOf) is in the file's currency.
 */
export function exceptionsCsv(exceptions: readonly ReconciliationException[]): string {
  const header = [
    "exception_id",
    "date",
    "class",
    "line_type",
    "line",
    "our_reference",
    "psp_reference",
    "file_amount",
    "file_currency",
    "ledger_amount",
    "ledger_currency",
    "difference",
    "ledger_transaction",
    "status",
    "detail",
    "resolution",
    "adjusted_by",
    "adjustment_reason",
  ];
  return csv([
    header,
    ...exceptions.map((e) => [
      e.exceptionId,
      e.date,
      lineClassName(e.lineClass),
      e.lineType,
      e.lineNumber,
      e.ourReference,
      e.pspReference,
      decimal(e.fileAmount),
      e.fileAmount?.currency ?? "",
      decimal(e.ledgerAmount),
      e.ledgerAmount?.currency ?? "",
      decimal(differenceOf(e)),
      e.ledgerTransactionId,
      exceptionStatus(e.status),
      e.detail,
      e.resolution,
      e.adjustment?.operatorId ?? "",
      e.adjustment?.reason ?? "",
    ]),
  ]);
}

/** Choosing the settlement day whose runs to list. */
export const runsForm = (date: string): SafeHtml =>
  html`<form class="inline" method="get" action="/reconciliation"><label>Day <input name="date" type="date" value="${date}"></label><button type="submit">Show</button></form>`;

/** The runs of a page: drawn as results per day by class when the page holds the latest days of every day's runs. */
export function runList(date: string, firstPage: boolean, listed: { runs: Run[]; nextPageToken: string }): SafeHtml {
  const next = listed.nextPageToken
    ? html`<p><a href="/reconciliation${query({ date, page: listed.nextPageToken })}">Older runs</a></p>`
    : "";
  const chart = date || !firstPage ? "" : reconciliationChart(latestRunPerDay(listed.runs, RECONCILIATION_CHART_DAYS));
  return html`${runsForm(date)}<p><a href="/reconciliation/exceptions">Open exceptions across days</a></p>${chart}${table(["run", "day", "status", "lines", "executions", "started (UTC)", "finished (UTC)"], listed.runs.map(runRow), "No runs.")}${next}`;
}

/** Whether a finished run's closing balances were checked against the previous day's, or why not. */
function balanceCheck(r: Run): SafeHtml | "" {
  if (r.balanceCheckNote) return html`<dt>Balance check</dt><dd id="balance-check">${r.balanceCheckNote}</dd>`;
  return r.status === RunStatus.FINISHED
    ? html`<dt>Balance check</dt><dd id="balance-check">checked against the previous day's closing balances</dd>`
    : "";
}

/** A run: its facts, the report per class and currency, a page of its exceptions, and the CSV of all of them. */
export function runDetail(r: Run, exceptions: Outcome<ListExceptionsResponse>): SafeHtml {
  const report = r.report.map(
    (row) =>
      html`<tr><td>${lineClassName(row.lineClass)}</td><td>${row.currency || "-"}</td><td class="num">${row.count}</td><td class="num">${row.currency ? money({ amountMinor: row.amountMinor, currency: row.currency }) : "-"}</td></tr>`,
  );
  const exceptionsHtml = exceptions.ok
    ? html`${table(EXCEPTION_HEADERS, exceptions.value.exceptions.map(exceptionRow), "No exceptions.")}${exceptions.value.nextPageToken ? html`<p><a href="${path("reconciliation", "runs", r.runId.toString()) + query({ page: exceptions.value.nextPageToken })}">More exceptions</a></p>` : ""}`
    : notice("error", describeFailure("reconciliation service", exceptions.error));
  return html`<dl><dt>Status</dt><dd class="status">${runStatus(r.status)}</dd><dt>Source</dt><dd>${r.source}</dd><dt>Checksum</dt><dd><code>${r.checksum}</code></dd>
<dt>Lines</dt><dd>${r.lines}</dd><dt>Executions</dt><dd>${r.executions}</dd>${r.error ? html`<dt>Error</dt><dd>${r.error}</dd>` : ""}
<dt>Closing balances</dt><dd>${r.closingBalances.map(money).join(", ") || "-"}</dd>${balanceCheck(r)}</dl>
<h2>Report</h2>
${table(["class", "currency", "lines", "amount"], report, "No report.")}
<h2>Exceptions</h2>
${exceptionsHtml}
<p><a href="${path("reconciliation", "runs", r.runId.toString(), "exceptions.csv")}">Download every exception of the run (CSV)</a></p>`;
}

/** Finance's work queue: a page of the open exceptions across days, under the one just adjusted. */
export function openExceptions(
  adjusted: string | null,
  listed: { exceptions: ReconciliationException[]; nextPageToken: string },
): SafeHtml {
  const next = listed.nextPageToken
    ? html`<p><a href="/reconciliation/exceptions${query({ page: listed.nextPageToken })}">More</a></p>`
    : "";
  return html`${adjusted ? notice("info", `Exception ${adjusted} adjusted.`) : ""}<p>Finance's work queue: every open exception, across days.</p>${table(EXCEPTION_HEADERS, listed.exceptions.map(exceptionRow), "No open exceptions.")}${next}`;
}
