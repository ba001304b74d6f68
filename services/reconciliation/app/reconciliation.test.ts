import { describe, expect, it } from "vitest";
import { DomainError, unavailable } from "../../lib/errors.js";
import type { StoredException } from "../domain/exception.js";
import { bookedPayin, inMemoryReconciliation } from "./testing/reconciliation-setup.js";
import { settlementFile } from "./testing/settlement-files.js";

const DAY = "2024-03-05";
const T = `${DAY}T09:00:00.000Z`;
const brief = (e: StoredException) => [e.class, e.ledgerTransactionId, e.status];

/** pay_1 and pay_2 match; pay_3 differs by one cent; pay_4 the ledger booked and the file lacks; pay_5 the ledger never booked. */
const FILE = [
  `pi_1,pay_1,charge,1000,59,941,EUR,${T}`,
  `pi_2,pay_2,charge,2000,88,1912,EUR,${T}`,
  `pi_3,pay_3,charge,3001,117,2884,EUR,${T}`,
  `pi_5,pay_5,charge,500,44,456,EUR,${T}`,
];

function setup() {
  const ports = inMemoryReconciliation();
  ports.ledger.book(
    bookedPayin("pay_1", 1_000n, T),
    bookedPayin("pay_2", 2_000n, T),
    bookedPayin("pay_3", 3_000n, T),
    bookedPayin("pay_4", 4_000n, `${DAY}T10:00:00.000Z`),
  );
  ports.psp.files.set(DAY, settlementFile(FILE, { source: "psp" }));
  return ports;
}

describe("Reconciliation.run on in-memory ports", () => {
  it("reconciles a day: settles the matched lines in one posting, records the mismatched and missing ones, leaves the unknown charge to finance", async () => {
    const { reconciliation, records, ledger } = setup();
    const { run, changes } = await reconciliation.run(DAY);
    expect(run).toMatchObject({ id: 1n, date: DAY, status: "finished", lines: 4, executions: 1, source: "psp" });
    expect(run.report.map((r) => [r.class, r.count, r.amountMinor])).toEqual([
      ["matched", 2, 3_000n],
      ["missing_in_ledger", 1, 500n],
      ["missing_in_file", 1, 4_000n],
      ["amount_mismatch", 1, 3_001n],
    ]);
    const exceptions = await records.listExceptions({ runId: run.id, limit: 10 });
    expect(exceptions.map(brief)).toEqual([
      ["amount_mismatch", "payin:pay_3", "open"],
      ["missing_in_ledger", "payin:pay_5", "open"],
      ["missing_in_file", "payin:pay_4", "open"],
    ]);
    expect(exceptions[1]!.resolution).toBe("not fixed automatically: the PSP does not know pi_5");
    expect(
      ledger.transactions
        .get("settlement:2024-03-05:EUR:1")!
        .entries.map((e) => `${e.direction} ${e.accountCode} ${e.amount.amountMinor}`),
    ).toEqual(["DEBIT bank:platform:EUR 2853", "DEBIT psp_fee_expense:EUR 147", "CREDIT psp_receivable:EUR 3000"]);
    expect(await records.settlements(DAY)).toEqual([
      expect.objectContaining({ currency: "EUR", sequence: 1, status: "posted" }),
    ]);
    expect(changes).toEqual([
      "run 1 created for 2024-03-05",
      "the first settlement file: no earlier closing balance to check this file's against",
      "3 exception(s) recorded or updated",
      "posted settlement:2024-03-05:EUR:1",
      `exception ${exceptions[1]!.id} left open: the PSP does not know pi_5`,
    ]);
  });

  it("runs the same file again without changing anything", async () => {
    const { reconciliation, records, ledger, psp } = setup();
    const first = await reconciliation.run(DAY);
    const before = { transactions: ledger.transactions.size, exceptions: await records.listExceptions({ limit: 10 }) };
    const again = await reconciliation.run(DAY);
    expect(again.changes).toEqual([]);
    expect(again.run).toMatchObject({ id: first.run.id, executions: 2, status: "finished", report: first.run.report });
    expect(ledger.transactions.size).toBe(before.transactions);
    expect((await records.listExceptions({ limit: 10 })).map(brief)).toEqual(before.exceptions.map(brief));
    expect(psp.files.get(DAY)).toMatchObject({ released: 2 });
  });

  it("runs a corrected file as a new run: settles only what changed, as the next posting, and closes what it no longer finds", async () => {
    const { reconciliation, records, ledger, files } = setup();
    await reconciliation.run(DAY);
    files.files.set(
      "corrected.csv",
      settlementFile(
        [...FILE.slice(0, 2), `pi_3,pay_3,charge,3000,117,2883,EUR,${T}`, `pi_4,pay_4,charge,4000,0,4000,EUR,${T}`],
        { source: "corrected.csv" },
      ),
    );
    const { run, changes } = await reconciliation.run(DAY, "corrected.csv");
    expect(run).toMatchObject({ id: 2n, executions: 1 });
    expect(changes).toEqual([
      "run 2 created for 2024-03-05",
      "the first settlement file: no earlier closing balance to check this file's against",
      "posted settlement:2024-03-05:EUR:2",
      "3 open exception(s) of 2024-03-05 not found again, closed",
    ]);
    expect(ledger.transactions.get("settlement:2024-03-05:EUR:2")!.description).toBe(
      "PSP settlement of 2024-03-05 in EUR (chargesGross 7000, chargesFee 117)",
    );
    expect((await records.listExceptions({ date: DAY, limit: 10 })).map((e) => [e.status, e.resolution])).toEqual([
      ["auto_fixed", "not found again by run 2"],
      ["auto_fixed", "not found again by run 2"],
      ["auto_fixed", "not found again by run 2"],
    ]);
  });

  it("refuses a day another execution holds, and a file older than the one a finished run reconciled", async () => {
    const { reconciliation, records, files } = setup();
    const held = await records.withDayLock(DAY, () =>
      reconciliation.run(DAY).catch((err: DomainError) => `${err.kind}: ${err.message}`),
    );
    expect(held!.value).toBe("aborted: a reconciliation run of 2024-03-05 is under way; try again when it is over");
    await reconciliation.run(DAY);
    files.files.set(
      "noon.csv",
      settlementFile(FILE.slice(0, 1), { source: "noon.csv", cutAt: new Date(`${DAY}T12:00:00.000Z`) }),
    );
    await expect(reconciliation.run(DAY, "noon.csv")).rejects.toMatchObject({
      kind: "failed_precondition",
      message:
        "run 1 already reconciled a newer settlement file of 2024-03-05 (the whole day, psp); this file (cut at 2024-03-05T12:00:00.000Z) is older, and running it again would undo what that run settled",
    });
    expect(records.runs.size).toBe(1);
  });

  it("records a failed run with what went wrong, and finishes it when run again", async () => {
    const { reconciliation, records, ledger } = setup();
    const lookupEntries = ledger.lookupEntries.bind(ledger);
    ledger.lookupEntries = () => Promise.reject(unavailable("ledger: connection refused"));
    await expect(reconciliation.run(DAY)).rejects.toBeInstanceOf(DomainError);
    expect(records.runs.get(1n)).toMatchObject({ status: "failed", error: "ledger: connection refused" });
    expect(await records.dayIsDue(DAY)).toBe(true);
    ledger.lookupEntries = lookupEntries;
    const { run } = await reconciliation.run(DAY);
    expect(run).toMatchObject({ id: 1n, status: "finished", executions: 2, error: "" });
    expect(await records.dayIsDue(DAY)).toBe(false);
  });

  it("fixes a charge the PSP confirms and the payment service applies; the day is due again, to settle it", async () => {
    const { reconciliation, records, psp, payments } = setup();
    psp.payments.set("pi_5", { status: "succeeded", reference: "pay_5" });
    payments.statuses.set("pay_5", "SUCCEEDED");
    const { changes } = await reconciliation.run(DAY);
    const [fixed] = await records.listExceptions({ status: "auto_fixed", limit: 10 });
    expect(fixed).toMatchObject({ class: "missing_in_ledger", ourReference: "pay_5" });
    expect(fixed!.resolution).toBe(
      "the PSP confirmed pi_5 succeeded; RefreshPayment applied it (payment pay_5 is SUCCEEDED), the ledger books it and the next run settles it",
    );
    expect(changes.at(-1)).toBe(`exception ${fixed!.id} auto-fixed: ${fixed!.resolution}`);
    expect(payments.refreshed).toEqual(["pay_5"]);
    expect(await records.dayIsDue(DAY)).toBe(true);
  });

  it("checks the closing balance against the previous day's: a balance_break where it does not chain", async () => {
    const { reconciliation, records, psp, ledger } = setup();
    const before = "2024-03-04";
    ledger.book(bookedPayin("pay_0", 1_000n, `${before}T09:00:00.000Z`));
    psp.files.set(
      before,
      settlementFile([
        `pi_0,pay_0,charge,1000,0,1000,EUR,${before}T09:00:00.000Z`,
        `,,closing_balance,,,1000,EUR,${DAY}T00:00:00.000Z`,
      ]),
    );
    psp.files.set(
      DAY,
      settlementFile([
        `pi_1,pay_1,charge,1000,59,941,EUR,${T}`,
        `,,closing_balance,,,2000,EUR,2024-03-06T00:00:00.000Z`,
      ]),
    );
    const first = await reconciliation.run(before);
    const firstFile = "the first settlement file: no earlier closing balance to check this file's against";
    expect(first.changes).toContain(firstFile);
    expect((await records.getRun(first.run.id))?.balanceCheckNote).toBe(firstFile);
    // Run again, it notes the same and says nothing of it.
    expect(await reconciliation.run(before)).toMatchObject({ changes: [], run: { balanceCheckNote: firstFile } });
    const { run } = await reconciliation.run(DAY);
    expect(run.balanceCheckNote).toBeUndefined();
    const breaks = (await records.listExceptions({ runId: run.id, limit: 10 })).filter(
      (e) => e.class === "balance_break",
    );
    expect(breaks.map((e) => e.detail)).toEqual([
      "the file's closing balance is 20.00 EUR; 2024-03-04's closing balance plus this day's movements is 19.41 EUR: a difference of 0.59 EUR",
    ]);
    expect(breaks.map((e) => [e.fileAmount, e.ledgerAmount])).toEqual([
      [
        { amountMinor: 2_000n, currency: "EUR" },
        { amountMinor: 1_941n, currency: "EUR" },
      ],
    ]);
    expect(run.report).toContainEqual({ class: "balance_break", currency: "EUR", count: 1, amountMinor: 59n });
  });

  it("keeps why a run's balances were not checked, and says when a later execution checks them", async () => {
    const { reconciliation, psp } = setup();
    const before = "2024-03-04";
    const closing = (amount: number, at: string) => `,,closing_balance,,,${amount},EUR,${at}T00:00:00.000Z`;
    psp.files.set(before, settlementFile([closing(1_000, DAY)]));
    psp.files.set(DAY, settlementFile([closing(1_000, "2024-03-06")]));
    const unchecked = await reconciliation.run(DAY);
    expect(unchecked.run.balanceCheckNote).toBe(
      "the first settlement file: no earlier closing balance to check this file's against",
    );
    await reconciliation.run(before);
    const checked = await reconciliation.run(DAY);
    expect(checked.changes).toEqual(["the closing balances are checked against the previous day's file now"]);
    expect(checked.run.balanceCheckNote).toBeUndefined();
    expect((await reconciliation.run(DAY)).changes).toEqual([]);
  });
});
