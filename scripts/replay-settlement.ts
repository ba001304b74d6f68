/**
 * Re-runs reconciliation for a settlement day, idempotently: running it twice changes nothing the second time, and
 * says so. Asks the reconciliation service (RECONCILIATION_URL, default https://127.0.0.1:50055) as operator-tools, with the
 * certificate the TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE variables name (npm start prints them):
 *
 *   npm run replay-settlement -- 2024-03-05                      # the PSP's file of that day
 *   npm run replay-settlement -- settlement-2024-03-05.csv       # a file in the service's SETTLEMENT_DIR (date from its name)
 *   npm run replay-settlement -- file.csv --date 2024-03-05 --json
 *
 * Prints what the run changed and its report (counts and amounts per class and currency), or the same as JSON.
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { LineClass, ReconciliationService, type Run } from "../gen/reconciliation/v1/reconciliation_pb.js";
import { envString } from "../services/lib/config.js";
import { grpcTransport } from "../services/lib/grpc-client.js";
import { tlsMaterialFromEnv } from "../services/lib/tls/tls-material.js";
import { formatMoney } from "../services/lib/money.js";
import {
  formatReportTable,
  reportToJson,
  type LineClass as ClassName,
  type ReportRow,
} from "../services/reconciliation/domain/report.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: replay-settlement <YYYY-MM-DD | file name in the service's SETTLEMENT_DIR> [--date YYYY-MM-DD] [--json]`,
  );
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { date: { type: "string" }, json: { type: "boolean" } },
});
const [target] = positionals;
if (target === undefined || positionals.length > 1) usage("give one date or one file");
const filePath = DATE.test(target) ? "" : target;
const date =
  filePath === "" ? target : (values.date ?? /settlement-(\d{4}-\d{2}-\d{2})\.csv$/.exec(basename(filePath))?.[1]);
if (date === undefined) usage(`cannot tell the day of ${filePath} from its name: add --date YYYY-MM-DD`);

const report = (run: Run): ReportRow[] =>
  run.report.map((r) => ({
    class: LineClass[r.lineClass].toLowerCase() as ClassName,
    currency: r.currency,
    count: Number(r.count),
    amountMinor: r.amountMinor,
  }));

const transport = grpcTransport(envString("RECONCILIATION_URL", "https://127.0.0.1:50055"), tlsMaterialFromEnv(), {
  server: "reconciliation",
  timeoutMs: 600_000,
});
const client = createClient(ReconciliationService, transport);
try {
  const { run, changes } = await client.runReconciliation({ date, filePath });
  if (run === undefined) throw new Error("the reconciliation service answered without a run");
  if (values.json) {
    const closing = run.closingBalances.map((b) => ({ currency: b.currency, amount_minor: b.amountMinor.toString() }));
    const json = {
      run_id: run.runId.toString(),
      date: run.date,
      checksum: run.checksum,
      source: run.source,
      lines: Number(run.lines),
      executions: run.executions,
    };
    console.log(
      JSON.stringify(
        { ...json, changed: changes.length > 0, changes, report: reportToJson(report(run)), closing_balances: closing },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `run ${run.runId} of ${run.date}: ${run.lines} lines from ${run.source} (sha256 ${run.checksum.slice(0, 12)}), executed ${run.executions} time(s)`,
    );
    console.log(changes.length === 0 ? "nothing changed" : changes.map((c) => `changed: ${c}`).join("\n"));
    console.log(`\n${formatReportTable(report(run))}`);
    const closing = run.closingBalances
      .map((b) => formatMoney({ amountMinor: b.amountMinor, currency: b.currency! }))
      .join(", ");
    if (closing !== "") console.log(`\nclosing balance at the PSP: ${closing}`);
  }
} catch (err) {
  console.error(`replay-settlement: ${(err as Error).message}`);
  process.exitCode = 1;
}
