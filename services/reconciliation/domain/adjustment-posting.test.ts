import { describe, expect, it } from "vitest";
import { validatePosting } from "../../contracts/accounting/postings.js";
import { adjustmentPosting, settleAsReportedPosting } from "./adjustment-posting.js";

describe("adjustmentPosting", () => {
  const entries = [
    { accountCode: "bank:platform:USD", direction: "DEBIT" as const, amount: { amountMinor: 100n, currency: "USD" } },
    { accountCode: "psp_receivable:USD", direction: "CREDIT" as const, amount: { amountMinor: 100n, currency: "USD" } },
  ];

  it("posts the operator's entries under adjustment:<exception id>, saying who and why", () => {
    expect(
      adjustmentPosting({ exceptionId: "42", operatorId: "ops-ann", reason: " PSP short-paid ", entries }),
    ).toEqual({
      transactionId: "adjustment:42",
      description: "adjustment of reconciliation exception 42 by ops-ann: PSP short-paid",
      entries,
    });
  });

  it("refuses a missing reason or operator, and entries that do not balance", () => {
    expect(() => adjustmentPosting({ exceptionId: "42", operatorId: "ops-ann", reason: "  ", entries })).toThrow(
      /reason: is required/,
    );
    expect(() => adjustmentPosting({ exceptionId: "42", operatorId: "", reason: "x", entries })).toThrow(
      /operator_id: is required/,
    );
    expect(() =>
      adjustmentPosting({
        exceptionId: "42",
        operatorId: "a",
        reason: "x",
        entries: [entries[0]!, { ...entries[1]!, amount: { amountMinor: 99n, currency: "USD" } }],
      }),
    ).toThrow(/do not balance/);
  });
});

describe("settleAsReportedPosting", () => {
  const lines = (
    lineType: "charge" | "refund" | "payout" | "chargeback" | "chargeback_reversal",
    reportedMinor: bigint,
    bookedMinor: bigint,
    reportedFeeMinor = 0n,
  ) => {
    const plan = settleAsReportedPosting({
      exceptionId: "7",
      operatorId: "ops-ann",
      reason: "as the PSP says",
      lineType,
      currency: "USD",
      reportedMinor,
      reportedFeeMinor,
      bookedMinor,
    });
    expect(validatePosting(plan.posting)).toEqual(plan.posting);
    expect(plan.accounts.map((a) => a.code)).toEqual(plan.posting.entries.map((e) => e.accountCode));
    expect(plan.posting.transactionId).toBe("adjustment:7");
    return plan.posting.entries.map((e) => `${e.direction} ${e.accountCode} ${e.amount.amountMinor}`);
  };

  it("settles a charge as reported and writes off what the PSP collected beyond what we booked", () => {
    expect(lines("charge", 3_501n, 3_500n, 132n)).toEqual([
      "DEBIT bank:platform:USD 3369",
      "DEBIT psp_fee_expense:USD 132",
      "CREDIT psp_receivable:USD 3500",
      "CREDIT reconciliation_differences:USD 1",
    ]);
    expect(lines("chargeback_reversal", 900n, 1_000n)).toEqual([
      "DEBIT bank:platform:USD 900",
      "CREDIT psp_receivable:USD 1000",
      "DEBIT reconciliation_differences:USD 100",
    ]);
  });

  it("settles money going out as reported: a refund or chargeback the PSP made bigger is a loss", () => {
    expect(lines("refund", 600n, 500n)).toEqual([
      "DEBIT psp_receivable:USD 500",
      "CREDIT bank:platform:USD 600",
      "DEBIT reconciliation_differences:USD 100",
    ]);
    expect(lines("chargeback", 400n, 500n)).toEqual([
      "DEBIT psp_receivable:USD 500",
      "CREDIT bank:platform:USD 400",
      "CREDIT reconciliation_differences:USD 100",
    ]);
    expect(lines("payout", 5_001n, 5_000n)).toEqual([
      "CREDIT bank:platform:USD 1",
      "DEBIT reconciliation_differences:USD 1",
    ]);
  });
});
