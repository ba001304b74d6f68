import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { openExceptionForUnknownCharge, paidPayment, reconciliation } from "../reconciliation/reconciliation-calls.js";
import { postedEntries } from "../ledger/platform-books.js";
import { ConsoleBrowser, loggedIn, rowsContaining } from "./console-browser.js";
import { parseEntries } from "../../services/console/api/adjustment-pages.js";

const under = usePlatform();

describe("finance adjusts an exception in the console", () => {
  it("posts the adjustment under the operator's name, closes the exception, and audits it; a viewer cannot", async () => {
    await paidPayment(under); // the accounts the entries use exist
    const { exceptionId, runId } = await openExceptionForUnknownCharge(under);
    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    expect((await admin.get("/reconciliation/exceptions")).html).toContain(
      `/reconciliation/exceptions/${exceptionId}/adjust`,
    );

    const form = `/reconciliation/exceptions/${exceptionId}/adjust`;
    const formPage = await admin.get(form);
    // What is being adjusted, next to the form.
    expect(formPage.html).toMatch(/<dt>Class<\/dt><dd>missing_in_ledger<\/dd>/);
    expect(formPage.html).toMatch(/<dt>The PSP's file says<\/dt><dd>5.00 USD<\/dd>/);
    // The key the form carries, as a browser would send it back.
    const key = formPage.html.match(/name="idempotency_key" value="([^"]+)"/)![1]!;
    const bad = await admin.submit(form, form, {
      idempotency_key: key,
      reason: "x",
      correction: "entries",
      entries: "DEBIT psp_receivable:USD 5.00 USD",
    });
    expect(bad.status).toBe(400);
    const entries = "DEBIT psp_receivable:USD 500 USD\nCREDIT platform_fee_revenue:USD 500 USD";
    const done = await admin.submit(form, form, {
      idempotency_key: key,
      reason: "the PSP confirmed a charge we never recorded",
      correction: "entries",
      entries,
    });
    expect(done).toMatchObject({ status: 303, location: `/reconciliation/exceptions?adjusted=${exceptionId}` });
    expect(await postedEntries(under.platform, `adjustment:${exceptionId}`)).toEqual([
      "Dr psp_receivable:USD 500",
      "Cr platform_fee_revenue:USD 500",
    ]);
    const { exceptions } = await reconciliation(under).listExceptions({ date: "2024-02-01" });
    expect(exceptions[0]).toMatchObject({ status: ExceptionStatus.ADJUSTED, adjustment: { operatorId: "admin" } });
    expect(rowsContaining((await admin.get("/audit")).html, 'data-action="adjustment_posted"')[0]).toContain(
      `exception ${exceptionId}`,
    );

    // Once adjusted, the form is gone; an unknown exception is not found.
    const closed = await admin.get(form);
    expect(closed.status).toBe(409);
    expect(closed.html).toContain("This exception is no longer open");
    expect(closed.html).not.toContain('name="idempotency_key"');
    expect((await admin.get("/reconciliation/exceptions/999999/adjust")).status).toBe(404);

    // Refused by the reconciliation service (already adjusted): shown, and audited as refused.
    const again = await admin.submit(form, form, {
      idempotency_key: `${key}-2`,
      reason: "twice",
      correction: "settle_as_reported",
    });
    expect(again.status).toBe(409);
    expect(again.html).toContain("already adjusted by admin");
    expect(rowsContaining((await admin.get("/audit")).html, 'data-action="adjustment_refused"')).toHaveLength(1);

    // Finance's download of the run's exceptions, as its adjustment left it.
    expect((await admin.get(`/reconciliation/runs/${runId}`)).html).toContain(
      `href="/reconciliation/runs/${runId}/exceptions.csv"`,
    );
    const download = await admin.get(`/reconciliation/runs/${runId}/exceptions.csv`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="reconciliation-run-${runId}-exceptions.csv"`,
    );
    expect(download.html.split("\r\n")).toEqual([
      "exception_id,date,class,line_type,line,our_reference,psp_reference,file_amount,file_currency,ledger_amount,ledger_currency,difference,ledger_transaction,status,detail,resolution,adjusted_by,adjustment_reason",
      expect.stringMatching(
        new RegExp(
          `^${exceptionId},2024-02-01,missing_in_ledger,charge,2,pay_ghost,pi_ghost,5.00,USD,,,,payin:pay_ghost,adjusted,.*,admin,the PSP confirmed a charge we never recorded$`,
        ),
      ),
      "",
    ]);
    expect((await admin.get("/reconciliation/runs/424242/exceptions.csv")).status).toBe(404);

    await admin.submit("/operators", "/operators", {
      id: "vic",
      display_name: "Vic Viewer",
      role: "viewer",
      password: "viewer-password",
    });
    const vic = new ConsoleBrowser(under.platform.console.url);
    await vic.login("vic", "viewer-password");
    expect((await vic.get(form)).status).toBe(403);
  });

  it("reads entries one a line, and says which line it cannot read", () => {
    expect(parseEntries("Dr bank:platform:USD 100 usd\n\nCREDIT psp_receivable:USD 100 USD").entries).toHaveLength(2);
    expect(parseEntries("DEBIT bank 1.00 USD").problems).toEqual([
      'line 1 is not "DEBIT|CREDIT <account> <amount in minor units> <currency>": DEBIT bank 1.00 USD',
    ]);
  });
});
