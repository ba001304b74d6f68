import { describe, expect, it } from "vitest";
import { classify, ledgerTransactionOf, settlingLineType, type LedgerTransaction } from "./matching.js";
import type { SettlementLine } from "./settlement-line.js";

const line = (overrides: Partial<SettlementLine>): SettlementLine => ({
  pspReference: "pi_1",
  ourReference: "pay_1",
  type: "charge",
  gross: 3_500n,
  fee: 132n,
  currency: "USD",
  time: 0,
  ...overrides,
});

const transaction = (
  transactionId: string,
  entries: [string, "DEBIT" | "CREDIT", bigint, string?][],
): LedgerTransaction => ({
  transactionId,
  description: "",
  postedAt: new Date(0),
  entries: entries.map(([accountCode, direction, amountMinor, currency = "USD"]) => ({
    accountCode,
    direction,
    amount: { amountMinor, currency },
  })),
});

describe("ledgerTransactionOf", () => {
  it("names the deterministic ledger id each line type settles", () => {
    expect(ledgerTransactionOf(line({}))).toBe("payin:pay_1");
    expect(ledgerTransactionOf(line({ type: "refund", ourReference: "pay_1/rf-9" }))).toBe("refund:rf-9");
    expect(ledgerTransactionOf(line({ type: "refund", ourReference: "pay_1" }))).toBeUndefined();
    expect(ledgerTransactionOf(line({ type: "payout", ourReference: "po-7" }))).toBe("payout:po-7:paid");
    expect(ledgerTransactionOf(line({ type: "chargeback", pspReference: "dp_3" }))).toBe("dispute:dp_3:open");
    expect(ledgerTransactionOf(line({ type: "fee", pspReference: "dp_3" }))).toBe("dispute:dp_3:open");
    expect(ledgerTransactionOf(line({ type: "chargeback_reversal", pspReference: "dp_3" }))).toBe("dispute:dp_3:won");
    expect(ledgerTransactionOf(line({ ourReference: 'order "C", gift' }))).toBeUndefined();
  });

  it("and back: which line settles a ledger transaction", () => {
    expect(
      [
        "payin:p",
        "refund:r",
        "payout:p:paid",
        "payout:p:requested",
        "dispute:d:open",
        "dispute:d:won",
        "dispute:d:lost",
        "settlement:x",
      ].map(settlingLineType),
    ).toEqual(["charge", "refund", "payout", undefined, "chargeback", "chargeback_reversal", undefined, undefined]);
  });
});

describe("classify", () => {
  const payin = transaction("payin:pay_1", [
    ["psp_receivable:USD", "DEBIT", 3_500n],
    ["seller_payable:a:USD", "CREDIT", 3_413n],
    ["platform_fee_revenue:USD", "CREDIT", 87n],
  ]);

  it("matches a line whose amount and currency are what the ledger moved on the PSP's side", () => {
    expect(classify(line({}), payin)).toEqual({ class: "matched", ledger: { amountMinor: 3_500n, currency: "USD" } });
    const refund = transaction("refund:r", [
      ["seller_payable:a:USD", "DEBIT", 900n],
      ["platform_fee_revenue:USD", "DEBIT", 100n],
      ["psp_receivable:USD", "CREDIT", 1_000n],
    ]);
    expect(classify(line({ type: "refund", gross: -1_000n, fee: 0n }), refund).class).toBe("matched");
    const paid = transaction("payout:p:paid", [
      ["payouts_in_transit:USD", "DEBIT", 5_000n],
      ["bank:platform:USD", "CREDIT", 5_000n],
    ]);
    expect(classify(line({ type: "payout", gross: -5_000n, fee: 0n }), paid).class).toBe("matched");
    const opened = transaction("dispute:d:open", [
      ["seller_payable:a:USD", "DEBIT", 3_500n],
      ["disputed_funds:USD", "CREDIT", 3_500n],
    ]);
    expect(classify(line({ type: "chargeback", gross: -3_500n, fee: 0n }), opened).class).toBe("matched");
    expect(classify(line({ type: "fee", gross: 0n, fee: 1_500n }), opened).class).toBe("matched");
  });

  it("tells a missing transaction, another amount and another currency apart", () => {
    expect(classify(line({}), undefined)).toEqual({ class: "missing_in_ledger" });
    expect(classify(line({ gross: 3_501n }), payin)).toEqual({
      class: "amount_mismatch",
      ledger: { amountMinor: 3_500n, currency: "USD" },
    });
    expect(classify(line({ currency: "EUR" }), payin)).toEqual({
      class: "currency_mismatch",
      ledger: { amountMinor: 3_500n, currency: "USD" },
    });
    expect(
      classify(
        line({ type: "fee", gross: 0n, fee: 1_500n, currency: "EUR" }),
        transaction("dispute:d:open", [
          ["disputed_funds:USD", "CREDIT", 1n],
          ["x:USD", "DEBIT", 1n],
        ]),
      ).class,
    ).toBe("currency_mismatch");
  });
});
