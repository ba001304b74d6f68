import { describe, expect, it } from "vitest";
import type { Entry } from "../../contracts/accounting/postings.js";
import { unavailable } from "../../lib/errors.js";
import type { FoundException } from "../domain/exception.js";
import { postAdjustment, type AdjustmentRequest } from "./adjustments.js";
import { InMemoryLedger } from "./testing/in-memory-ledger.js";
import { InMemoryRecords } from "./testing/in-memory-records.js";

const EUR = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const entry = (direction: Entry["direction"], accountCode: string, amountMinor: bigint): Entry => ({
  accountCode,
  direction,
  amount: EUR(amountMinor),
});
const shown = (entries: Entry[]) =>
  entries.map((e) => `${e.direction === "DEBIT" ? "Dr" : "Cr"} ${e.accountCode} ${e.amount.amountMinor}`);

/** pay_3's charge: the PSP settled 30.01 (fee 1.17), the ledger booked 30.00. */
const AMOUNT_MISMATCH: FoundException = {
  class: "amount_mismatch",
  key: "charge|payin:pay_3",
  lineNumber: 4,
  pspReference: "pi_3",
  ourReference: "pay_3",
  lineType: "charge",
  fileAmount: EUR(3_001n),
  fileFee: 117n,
  ledgerAmount: EUR(3_000n),
  ledgerTransactionId: "payin:pay_3",
  detail: "the file says 30.01 EUR, the ledger booked 30.00 EUR",
};
const MISSING_IN_FILE: FoundException = {
  ...AMOUNT_MISMATCH,
  class: "missing_in_file",
  key: "missing_in_file|payin:pay_4",
  fileAmount: undefined,
  fileFee: undefined,
  ledgerTransactionId: "payin:pay_4",
};
const WRITE_OFF = [entry("DEBIT", "psp_receivable:EUR", 1n), entry("CREDIT", "reconciliation_differences:EUR", 1n)];

async function setup() {
  const records = new InMemoryRecords();
  const ledger = new InMemoryLedger();
  await ledger.openAccounts(
    ["psp_receivable:EUR", "reconciliation_differences:EUR"].map((code) => ({ code, type: "ASSET", currency: "EUR" })),
  );
  await records.upsertExceptions("2024-03-05", { id: 1n, executions: 1 }, [AMOUNT_MISMATCH, MISSING_IN_FILE]);
  const adjust = (request: Partial<AdjustmentRequest> = {}) =>
    postAdjustment(records, ledger, {
      exceptionId: 1n,
      operatorId: "ops-ann",
      reason: " PSP short-paid ",
      entries: WRITE_OFF,
      idempotencyKey: "key-1",
      ...request,
    });
  return { records, ledger, adjust };
}

describe("postAdjustment on in-memory ports", () => {
  it("posts the caller's entries as adjustment:<exception id>, in their name, and closes the exception with the adjustment on record", async () => {
    const { adjust, ledger } = await setup();
    const { exception, transaction } = await adjust();
    expect(transaction).toMatchObject({
      transactionId: "adjustment:1",
      description: "adjustment of reconciliation exception 1 by ops-ann: PSP short-paid",
    });
    expect(shown(transaction.entries)).toEqual(["Dr psp_receivable:EUR 1", "Cr reconciliation_differences:EUR 1"]);
    expect(exception).toMatchObject({ status: "adjusted", resolution: "adjusted by ops-ann: PSP short-paid" });
    expect(exception.adjustment).toMatchObject({
      transactionId: "adjustment:1",
      operatorId: "ops-ann",
      reason: "PSP short-paid",
      idempotencyKey: "key-1",
    });
    expect([...ledger.transactions.keys()]).toEqual(["adjustment:1"]);
  });

  it("answers the same idempotency key with what was done; any other adjustment of a closed exception is refused", async () => {
    const { adjust, records, ledger } = await setup();
    const first = await adjust();
    expect(await adjust({ reason: "sent twice", entries: [] })).toEqual(first);
    await expect(adjust({ idempotencyKey: "key-2", operatorId: "ops-bob" })).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringMatching(
        /^exception 1 was already adjusted by ops-ann at .* \(adjustment:1\); an adjustment is final/,
      ),
    });
    await records.markAutoFixed(2n, "not found again by run 2");
    await expect(adjust({ exceptionId: 2n })).rejects.toMatchObject({
      kind: "failed_precondition",
      message: "exception 2 is auto_fixed (not found again by run 2); there is nothing to adjust",
    });
    expect(ledger.transactions.size).toBe(1);
  });

  it("settles an amount mismatch as reported: the PSP's amounts on the bank and fees, the difference written off", async () => {
    const { adjust, ledger } = await setup();
    const { transaction } = await adjust({ entries: [], correction: "settle_as_reported" });
    expect(shown(transaction.entries)).toEqual([
      "Dr bank:platform:EUR 2884",
      "Dr psp_fee_expense:EUR 117",
      "Cr psp_receivable:EUR 3000",
      "Cr reconciliation_differences:EUR 1",
    ]);
    expect(ledger.accounts).toContain("bank:platform:EUR");
  });

  it("refuses a standard correction with entries, or of anything but an amount mismatch, and leaves the exception open", async () => {
    const { adjust, records } = await setup();
    await expect(adjust({ correction: "settle_as_reported" })).rejects.toMatchObject({
      kind: "invalid_argument",
      message: expect.stringContaining("give entries or a standard correction, not both"),
    });
    await expect(adjust({ exceptionId: 2n, entries: [], correction: "settle_as_reported" })).rejects.toMatchObject({
      kind: "failed_precondition",
      message:
        "exception 2 is a missing_in_file of a charge line: SETTLE_AS_REPORTED corrects amount mismatches only; post entries",
    });
    expect((await records.listExceptions({ limit: 10 })).map((e) => e.status)).toEqual(["open", "open"]);
  });

  it("refuses entries that do not balance, a blank reason, a missing key or exception, before anything is claimed", async () => {
    const { adjust, records } = await setup();
    await expect(
      adjust({ entries: [WRITE_OFF[0]!, entry("CREDIT", "reconciliation_differences:EUR", 2n)] }),
    ).rejects.toMatchObject({ kind: "invalid_argument" });
    await expect(adjust({ reason: "  " })).rejects.toMatchObject({
      kind: "invalid_argument",
      message: expect.stringContaining("reason"),
    });
    await expect(adjust({ idempotencyKey: "" })).rejects.toMatchObject({
      kind: "invalid_argument",
      message: expect.stringContaining("idempotency_key"),
    });
    await expect(adjust({ exceptionId: 9n })).rejects.toMatchObject({
      kind: "not_found",
      message: "exception 9 does not exist",
    });
    expect((await records.getException(1n))!).toMatchObject({ status: "open", adjustment: undefined });
  });

  it("opens the exception again when the ledger refuses the posting, so that a corrected one can be posted", async () => {
    const { adjust, records } = await setup();
    await expect(
      adjust({ entries: [entry("DEBIT", "psp_receivable:EUR", 1n), entry("CREDIT", "no_such_account:EUR", 1n)] }),
    ).rejects.toMatchObject({ kind: "failed_precondition" });
    expect((await records.getException(1n))!).toMatchObject({ status: "open", adjustment: undefined });
    expect((await adjust({ idempotencyKey: "key-2" })).exception.status).toBe("adjusted");
  });

  it("keeps the exception taken while the ledger cannot be reached: another key is told to wait, the same key completes it", async () => {
    const { adjust, records, ledger } = await setup();
    const post = ledger.post.bind(ledger);
    ledger.post = () => Promise.reject(unavailable("ledger: connection refused"));
    await expect(adjust()).rejects.toMatchObject({ kind: "unavailable" });
    expect((await records.getException(1n))!.status).toBe("adjusting");
    ledger.post = post;
    await expect(adjust({ idempotencyKey: "key-2", operatorId: "ops-bob" })).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringContaining("is being adjusted by ops-ann since"),
    });
    const { exception, transaction } = await adjust({ reason: "sent again", entries: [] });
    expect(exception).toMatchObject({ status: "adjusted", resolution: "adjusted by ops-ann: PSP short-paid" });
    expect(transaction.transactionId).toBe("adjustment:1");
  });
});
