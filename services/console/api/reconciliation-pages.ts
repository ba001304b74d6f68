import { ExceptionStatus, LineClass, RunStatus, type ReconciliationException, type Run } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { attempt, describeFailure, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import type { Route } from "./http-app.js";
import { formatDecimal, type Money } from "../../lib/money.js";
import { csv } from "../views/csv.js";
import { latestRunPerDay, lineClassName, RECONCILIATION_CHART_DAYS, reconciliationChart } from "../views/reconciliation-chart.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "../views/html.js";

const PAGE_SIZE = 50;
const runStatus = (s: RunStatus) => enumName(RunStatus, s, "RUN_STATUS_");
export const exceptionStatus = (s: ExceptionStatus) => enumName(ExceptionStatus, s, "EXCEPTION_STATUS_").toLowerCase();
const DATE = /^\d{4}-\d{2}-\d{2}$/;

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
  return html`<tr data-exception-id="${e.exceptionId}"><td class="num">${e.exceptionId}</td><td>${e.date}</td><td>${lineClassName(e.lineClass)}</td><td>${e.lineType}</td><td class="num">${e.lineNumber || "-"}</td><td>${e.ourReference}</td><td>${e.pspReference}</td><td class="num">${money(e.fileAmount)}</td><td class="num">${money(e.ledgerAmount)}</td><td>${ledger}</td><td class="status">${exceptionStatus(e.status)}${e.status === ExceptionStatus.OPEN ? html`<br><a href="${path("reconciliation", "exceptions", e.exceptionId.toString(), "adjust")}">Adjust</a>` : ""}</td><td>${e.detail}${e.resolution ? html`<br>${e.resolution}` : ""}</td></tr>`;
}

const EXCEPTION_HEADERS = ["#", "date", "class", "line type", "line", "our reference", "PSP reference", "file", "ledger", "ledger transaction", "status", "detail"];

/** More than a spreadsheet is for (and than the console holds in memory for one download). */
const MAX_EXPORTED_EXCEPTIONS = 100_000;

/** Every page of a run's exceptions; undefined when there are more than MAX_EXPORTED_EXCEPTIONS. */
async function allExceptionsOfRun(clients: ConsoleClients, runId: bigint): Promise<ReconciliationException[] | undefined> {
  await clients.reconciliation.getRun({ runId }); // NOT_FOUND for a run that does not exist
  const exceptions: ReconciliationException[] = [];
  let pageToken = "";
  do {
    const page = await clients.reconciliation.listExceptions({ runId, pageSize: 500, pageToken });
    exceptions.push(...page.exceptions);
    if (exceptions.length > MAX_EXPORTED_EXCEPTIONS) return undefined;
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return exceptions;
}

const decimal = (m: Money | undefined) => (m ? formatDecimal(m) : "");

/** One row per exception, amounts as decimals of their currency (exact), for finance's spreadsheets. */
function exceptionsCsv(exceptions: readonly ReconciliationException[]): string {
  const header = ["exception_id", "date", "class", "line_type", "line", "our_reference", "psp_reference", "file_amount", "file_currency", "ledger_amount", "ledger_currency", "ledger_transaction", "status", "detail", "resolution", "adjusted_by", "adjustment_reason"];
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
      e.ledgerTransactionId,
      exceptionStatus(e.status),
      e.detail,
      e.resolution,
      e.adjustment?.operatorId ?? "",
      e.adjustment?.reason ?? "",
    ]),
  ]);
}

export function reconciliationRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/reconciliation$/,
      handle: async (ctx) => {
        const date = (ctx.url.searchParams.get("date") ?? "").trim();
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const form = html`<form class="inline" method="get" action="/reconciliation"><label>Day <input name="date" type="date" value="${date}"></label><button type="submit">Show</button></form>`;
        if (date && !DATE.test(date)) return ctx.page("Reconciliation runs", html`${form}${notice("error", "The day is YYYY-MM-DD.")}`, 400);
        const listed = await attempt(() => clients.reconciliation.listRuns({ date, pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok) return ctx.page("Reconciliation runs", html`${form}${notice("error", describeFailure("reconciliation service", listed.error))}`, httpStatusOf(listed.error));
        const next = listed.value.nextPageToken ? html`<p><a href="/reconciliation${query({ date, page: listed.value.nextPageToken })}">Older runs</a></p>` : "";
        // The first page of every day's runs holds the latest days: drawn as results per day by class.
        const chart = date || pageToken ? "" : reconciliationChart(latestRunPerDay(listed.value.runs, RECONCILIATION_CHART_DAYS));
        return ctx.page(
          "Reconciliation runs",
          html`${form}<p><a href="/reconciliation/exceptions">Open exceptions across days</a></p>${chart}${table(["run", "day", "status", "lines", "executions", "started (UTC)", "finished (UTC)"], listed.value.runs.map(runRow), "No runs.")}${next}`,
        );
      },
    },
    {
      method: "GET",
      pattern: /^\/reconciliation\/runs\/(\d{1,18})$/,
      handle: async (ctx) => {
        const runId = BigInt(ctx.params[0]!);
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const [got, exceptions] = await Promise.all([
          attempt(() => clients.reconciliation.getRun({ runId })),
          attempt(() => clients.reconciliation.listExceptions({ runId, pageSize: PAGE_SIZE, pageToken })),
        ]);
        if (!got.ok) return ctx.page(`Run ${runId}`, notice("error", describeFailure("reconciliation service", got.error)), httpStatusOf(got.error));
        const r = got.value.run!;
        const report = r.report.map(
          (row) =>
            html`<tr><td>${lineClassName(row.lineClass)}</td><td>${row.currency || "-"}</td><td class="num">${row.count}</td><td class="num">${row.currency ? money({ amountMinor: row.amountMinor, currency: row.currency }) : "-"}</td></tr>`,
        );
        const exceptionsHtml = exceptions.ok
          ? html`${table(EXCEPTION_HEADERS, exceptions.value.exceptions.map(exceptionRow), "No exceptions.")}${exceptions.value.nextPageToken ? html`<p><a href="${path("reconciliation", "runs", runId.toString()) + query({ page: exceptions.value.nextPageToken })}">More exceptions</a></p>` : ""}`
          : notice("error", describeFailure("reconciliation service", exceptions.error));
        return ctx.page(
          `Run ${r.runId} of ${r.date}`,
          html`<dl><dt>Status</dt><dd class="status">${runStatus(r.status)}</dd><dt>Source</dt><dd>${r.source}</dd><dt>Checksum</dt><dd><code>${r.checksum}</code></dd>
<dt>Lines</dt><dd>${r.lines}</dd><dt>Executions</dt><dd>${r.executions}</dd>${r.error ? html`<dt>Error</dt><dd>${r.error}</dd>` : ""}
<dt>Closing balances</dt><dd>${r.closingBalances.map(money).join(", ") || "-"}</dd></dl>
<h2>Report</h2>
${table(["class", "currency", "lines", "amount"], report, "No report.")}
<h2>Exceptions</h2>
${exceptionsHtml}
<p><a href="${path("reconciliation", "runs", runId.toString(), "exceptions.csv")}">Download every exception of the run (CSV)</a></p>`,
        );
      },
    },
    {
      method: "GET",
      pattern: /^\/reconciliation\/runs\/(\d{1,18})\/exceptions\.csv$/,
      handle: async (ctx) => {
        const runId = BigInt(ctx.params[0]!);
        const all = await attempt(() => allExceptionsOfRun(clients, runId));
        if (!all.ok) return ctx.page(`Run ${runId}`, notice("error", describeFailure("reconciliation service", all.error)), httpStatusOf(all.error));
        if (all.value === undefined) {
          const tooMany = `The run has more than ${MAX_EXPORTED_EXCEPTIONS} exceptions, too many for one download: read them with the reconciliation service's ListExceptions.`;
          return ctx.page(`Run ${runId}`, notice("error", tooMany), 413);
        }
        return { status: 200, body: exceptionsCsv(all.value), contentType: "text/csv; charset=utf-8", filename: `reconciliation-run-${runId}-exceptions.csv` };
      },
    },
    {
      method: "GET",
      pattern: /^\/reconciliation\/exceptions$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() => clients.reconciliation.listExceptions({ status: ExceptionStatus.OPEN, pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok) return ctx.page("Open exceptions", notice("error", describeFailure("reconciliation service", listed.error)), httpStatusOf(listed.error));
        const next = listed.value.nextPageToken ? html`<p><a href="/reconciliation/exceptions${query({ page: listed.value.nextPageToken })}">More</a></p>` : "";
        const adjusted = ctx.url.searchParams.get("adjusted");
        return ctx.page(
          "Open exceptions",
          html`${adjusted ? notice("info", `Exception ${adjusted} adjusted.`) : ""}<p>Finance's work queue: every open exception, across days.</p>${table(EXCEPTION_HEADERS, listed.value.exceptions.map(exceptionRow), "No open exceptions.")}${next}`,
        );
      },
    },
  ];
}
