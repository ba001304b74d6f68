import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { reconciliation } from "../reconciliation/reconciliation-calls.js";
import { loggedIn, rowsContaining } from "./console-browser.js";

/**
 * The bank balance check as finance sees it in the console: a break's two figures and its signed difference, and on
 * each run whether its balances were checked.
 */
const under = usePlatform();

/** Reconciles `date` against a file with no movements and a closing balance of `closingMinor` USD cents. */
async function runWithClosing(date: string, dayAfter: string, closingMinor: number) {
  const file = `settlement-${date}.csv`;
  writeFileSync(
    join(under.platform.settlementDir, file),
    `${SETTLEMENT_HEADER}\n,,closing_balance,,,${closingMinor},USD,${dayAfter}T00:00:00.000Z\n`,
  );
  const { run } = await reconciliation(under).runReconciliation({ date, filePath: file });
  return run!;
}

describe("a balance break in the console", () => {
  it("shows the file's closing balance, the expected one and the signed difference on the run, the adjustment page and the CSV; the run page says whether the balances were checked", async () => {
    const first = await runWithClosing("2024-05-01", "2024-05-02", 10_000);
    const run = await runWithClosing("2024-05-02", "2024-05-03", 9_999);
    const [exception] = (await reconciliation(under).listExceptions({ runId: run.runId })).exceptions;
    const id = String(exception!.exceptionId);
    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);

    // Whether the balances were checked, and why not.
    expect((await admin.get(`/reconciliation/runs/${first.runId}`)).html).toContain(
      '<dt>Balance check</dt><dd id="balance-check">the first settlement file: no earlier closing balance to check this file&#39;s against</dd>',
    );
    const page = (await admin.get(`/reconciliation/runs/${run.runId}`)).html;
    expect(page).toContain(
      `<dt>Balance check</dt><dd id="balance-check">checked against the previous day's closing balances</dd>`,
    );
    // class, currency, lines, amount: the signed difference.
    expect(rowsContaining(page, "<td>balance_break</td><td>USD</td>")).toEqual(["balance_break USD 1 -0.01 USD"]);
    // #, day, class, line type, line, references, file, ledger (expected), difference, transaction, status, detail.
    expect(rowsContaining(page, `data-exception-id="${id}"`)).toEqual([
      `${id} 2024-05-02 balance_break closing_balance - 99.99 USD 100.00 USD -0.01 USD - open Adjust ` +
        "the file&#39;s closing balance is 99.99 USD; 2024-05-01&#39;s closing balance plus this day&#39;s movements is 100.00 USD: a difference of -0.01 USD",
    ]);

    const facts = (await admin.get(`/reconciliation/exceptions/${id}/adjust`)).html;
    expect(facts).toContain("<dt>The file's closing balance</dt><dd>99.99 USD</dd>");
    expect(facts).toContain("<dt>The previous closing balance plus the day's movements</dt><dd>100.00 USD</dd>");
    expect(facts).toContain("<dt>Difference (file - ledger)</dt><dd>-0.01 USD</dd>");

    const [header, row] = (await admin.get(`/reconciliation/runs/${run.runId}/exceptions.csv`)).html.split("\r\n");
    const columns = header!.split(",");
    const cell = (name: string) => row!.split(",")[columns.indexOf(name)];
    expect(
      ["class", "file_amount", "file_currency", "ledger_amount", "ledger_currency", "difference"].map(cell),
    ).toEqual(["balance_break", "99.99", "USD", "100.00", "USD", "-0.01"]);
  });
});
