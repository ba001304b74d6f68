import { ExceptionStatus, type ReconciliationException } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { attempt, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import type { Route } from "./http-app.js";
import { concat, notice } from "../views/html.js";
import { exceptionsCsv, openExceptions, runDetail, runList, runsForm } from "../views/reconciliation-views.js";

const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** More than a spreadsheet is for (and than the console holds in memory for one download). */
const MAX_EXPORTED_EXCEPTIONS = 100_000;

/** Every page of a run's exceptions; undefined when there are more than MAX_EXPORTED_EXCEPTIONS. */
async function allExceptionsOfRun(
  clients: ConsoleClients,
  runId: bigint,
): Promise<ReconciliationException[] | undefined> {
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

export function reconciliationRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/reconciliation$/,
      handle: async (ctx) => {
        const date = (ctx.url.searchParams.get("date") ?? "").trim();
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        if (date && !DATE.test(date))
          return ctx.page(
            "Reconciliation runs",
            concat(runsForm(date), notice("error", "The day is YYYY-MM-DD.")),
            400,
          );
        const listed = await attempt(() => clients.reconciliation.listRuns({ date, pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok)
          return ctx.page(
            "Reconciliation runs",
            concat(runsForm(date), notice("error", describeFailure("reconciliation service", listed.error))),
            httpStatusOf(listed.error),
          );
        return ctx.page("Reconciliation runs", runList(date, pageToken === "", listed.value));
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
        if (!got.ok)
          return ctx.page(
            `Run ${runId}`,
            notice("error", describeFailure("reconciliation service", got.error)),
            httpStatusOf(got.error),
          );
        const run = got.value.run!;
        return ctx.page(`Run ${run.runId} of ${run.date}`, runDetail(run, exceptions));
      },
    },
    {
      method: "GET",
      pattern: /^\/reconciliation\/runs\/(\d{1,18})\/exceptions\.csv$/,
      handle: async (ctx) => {
        const runId = BigInt(ctx.params[0]!);
        const all = await attempt(() => allExceptionsOfRun(clients, runId));
        if (!all.ok)
          return ctx.page(
            `Run ${runId}`,
            notice("error", describeFailure("reconciliation service", all.error)),
            httpStatusOf(all.error),
          );
        if (all.value === undefined) {
          const tooMany = `The run has more than ${MAX_EXPORTED_EXCEPTIONS} exceptions, too many for one download: read them with the reconciliation service's ListExceptions.`;
          return ctx.page(`Run ${runId}`, notice("error", tooMany), 413);
        }
        return {
          status: 200,
          body: exceptionsCsv(all.value),
          contentType: "text/csv; charset=utf-8",
          filename: `reconciliation-run-${runId}-exceptions.csv`,
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/reconciliation\/exceptions$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() =>
          clients.reconciliation.listExceptions({ status: ExceptionStatus.OPEN, pageSize: PAGE_SIZE, pageToken }),
        );
        if (!listed.ok)
          return ctx.page(
            "Open exceptions",
            notice("error", describeFailure("reconciliation service", listed.error)),
            httpStatusOf(listed.error),
          );
        return ctx.page("Open exceptions", openExceptions(ctx.url.searchParams.get("adjusted"), listed.value));
      },
    },
  ];
}
