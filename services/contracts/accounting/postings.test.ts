import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/errors.js";
import { validatePosting, type PostingInput } from "./postings.js";

const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const valid: PostingInput = {
  transactionId: "t-1",
  description: "pay-in",
  entries: [
    { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(1_000n) },
    { accountCode: "seller_payable:s1:USD", direction: "CREDIT", amount: usd(900n) },
    { accountCode: "platform_fee_revenue:USD", direction: "CREDIT", amount: usd(100n) },
  ],
};
const withEntry = (i: number, change: Partial<PostingInput["entries"][number]>): PostingInput => ({
  ...valid,
  entries: valid.entries.map((e, j) => (j === i ? { ...e, ...change } : e)),
});

function rejection(input: PostingInput): string {
  try {
    validatePosting(input);
  } catch (err) {
    if (err instanceof DomainError && err.kind === "invalid_argument") return err.message;
    throw err;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("validatePosting", () => {
  it("accepts a transaction that balances in every currency", () => {
    expect(validatePosting(valid)).toEqual(valid);
    const twoCurrencies: PostingInput = {
      ...valid,
      entries: [
        { accountCode: "a:USD", direction: "DEBIT", amount: usd(5n) },
        { accountCode: "b:USD", direction: "CREDIT", amount: usd(5n) },
        { accountCode: "a:EUR", direction: "CREDIT", amount: eur(7n) },
        { accountCode: "b:EUR", direction: "DEBIT", amount: eur(7n) },
      ],
    };
    expect(validatePosting(twoCurrencies).entries).toHaveLength(4);
  });

  it("refuses fewer than 2 entries", () => {
    expect(rejection({ ...valid, entries: [] })).toBe(
      "entries: must contain at least 2 entries (a debit and a credit), got 0",
    );
    expect(rejection({ ...valid, entries: valid.entries.slice(0, 1) })).toBe(
      "entries: must contain at least 2 entries (a debit and a credit), got 1",
    );
  });

  it("refuses zero, negative and missing amounts, naming the entry", () => {
    expect(rejection(withEntry(2, { amount: usd(0n) }))).toBe(
      "entries[2].amount.amount_minor: must be a positive integer number of minor units, got 0",
    );
    expect(rejection(withEntry(1, { amount: usd(-900n) }))).toBe(
      "entries[1].amount.amount_minor: must be a positive integer number of minor units, got -900",
    );
    expect(rejection(withEntry(0, { amount: undefined }))).toBe("entries[0].amount: is required");
    expect(rejection(withEntry(0, { amount: { amountMinor: 1_000n, currency: "XYZ" } }))).toMatch(
      /^entries\[0\]\.amount\.currency: "XYZ" is not an ISO 4217/,
    );
  });

  it("refuses a missing direction or account code", () => {
    expect(rejection(withEntry(1, { direction: undefined }))).toBe(
      "entries[1].direction: is required (DEBIT or CREDIT)",
    );
    expect(rejection(withEntry(2, { accountCode: "" }))).toBe("entries[2].account_code: is required");
  });

  it("refuses a transaction that does not balance, per currency", () => {
    expect(rejection(withEntry(2, { amount: usd(99n) }))).toBe(
      "entries: do not balance in USD: debits 10.00 USD, credits 9.99 USD; debits must equal credits in every currency",
    );
    // Balanced in total but not per currency.
    const crossed: PostingInput = {
      ...valid,
      entries: [
        { accountCode: "a:USD", direction: "DEBIT", amount: usd(5n) },
        { accountCode: "b:EUR", direction: "CREDIT", amount: eur(5n) },
      ],
    };
    expect(rejection(crossed)).toBe(
      "entries: do not balance in USD: debits 0.05 USD, credits 0.00 USD; debits must equal credits in every currency",
    );
  });

  it("refuses a bad transaction id and a total beyond int64", () => {
    expect(rejection({ ...valid, transactionId: "" })).toBe("transaction_id: is required");
    const huge = 2n ** 62n;
    const overflowing: PostingInput = {
      ...valid,
      entries: [
        { accountCode: "a:USD", direction: "DEBIT", amount: usd(huge) },
        { accountCode: "a:USD", direction: "DEBIT", amount: usd(huge) },
        { accountCode: "b:USD", direction: "CREDIT", amount: usd(huge) },
        { accountCode: "b:USD", direction: "CREDIT", amount: usd(huge) },
      ],
    };
    expect(rejection(overflowing)).toBe("entries: the USD total is too large");
  });
});
