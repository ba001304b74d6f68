import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/errors.js";
import { validatePosting } from "../../contracts/accounting/postings.js";
import { NO_SETTLEMENT, settlementPosting } from "./settlement-posting.js";

describe("settlementPosting", () => {
  const lines = (totals: Partial<typeof NO_SETTLEMENT>, sequence = 1) => {
    const plan = settlementPosting({
      date: "2024-03-05",
      currency: "EUR",
      sequence,
      totals: { ...NO_SETTLEMENT, ...totals },
    });
    if (plan === undefined) return undefined;
    expect(validatePosting(plan.posting)).toEqual(plan.posting);
    expect(plan.accounts.map((a) => a.code)).toEqual(plan.posting.entries.map((e) => e.accountCode));
    return [
      plan.posting.transactionId,
      ...plan.posting.entries.map((e) => `${e.direction} ${e.accountCode} ${e.amount.amountMinor}`),
    ];
  };

  it("settles charges as docs/reconciliation.md says: the net to the bank, the fee to expense, the gross off the PSP receivable", () => {
    expect(lines({ chargesGross: 10_000n, chargesFee: 320n })).toEqual([
      "settlement:2024-03-05:EUR:1",
      "DEBIT bank:platform:EUR 9680",
      "DEBIT psp_fee_expense:EUR 320",
      "CREDIT psp_receivable:EUR 10000",
    ]);
  });

  it("nets refunds, chargebacks, reversals and dispute fees into one entry per account", () => {
    // The simulator README's example day in EUR and USD, payouts left out (they hit the bank when paid).
    expect(lines({ chargesGross: 10_000n, chargesFee: 320n, refunds: 2_500n })).toEqual([
      "settlement:2024-03-05:EUR:1",
      "DEBIT bank:platform:EUR 7180",
      "DEBIT psp_fee_expense:EUR 320",
      "CREDIT psp_receivable:EUR 7500",
    ]);
    expect(
      lines(
        {
          chargesGross: 2_000n,
          chargesFee: 88n,
          chargebacks: 2_000n,
          disputeFees: 1_500n,
          chargebackReversals: 2_000n,
        },
        2,
      ),
    ).toEqual([
      "settlement:2024-03-05:EUR:2",
      "DEBIT bank:platform:EUR 412",
      "DEBIT psp_fee_expense:EUR 1588",
      "CREDIT psp_receivable:EUR 2000",
    ]);
    expect(lines({ refunds: 700n })).toEqual([
      "settlement:2024-03-05:EUR:1",
      "CREDIT bank:platform:EUR 700",
      "DEBIT psp_receivable:EUR 700",
    ]);
  });

  it("takes negative totals (a later run settling less) and posts nothing when nothing moves", () => {
    expect(lines({ chargesGross: -1_000n, chargesFee: -59n }, 3)).toEqual([
      "settlement:2024-03-05:EUR:3",
      "CREDIT bank:platform:EUR 941",
      "CREDIT psp_fee_expense:EUR 59",
      "DEBIT psp_receivable:EUR 1000",
    ]);
    expect(lines({})).toBeUndefined();
  });

  it("always balances", () => {
    const amount = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
    fc.assert(
      fc.property(
        fc.record({
          chargesGross: amount,
          chargesFee: amount,
          refunds: amount,
          chargebacks: amount,
          chargebackReversals: amount,
          disputeFees: amount,
        }),
        (totals) => {
          const plan = settlementPosting({ date: "2024-01-01", currency: "USD", sequence: 1, totals });
          if (plan !== undefined) validatePosting(plan.posting);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a bad date, currency or sequence", () => {
    expect(() => settlementPosting({ date: "2024-3-5", currency: "EUR", sequence: 1, totals: NO_SETTLEMENT })).toThrow(
      /date: must be YYYY-MM-DD/,
    );
    expect(() =>
      settlementPosting({ date: "2024-03-05", currency: "XXX", sequence: 1, totals: NO_SETTLEMENT }),
    ).toThrow(DomainError);
    expect(() =>
      settlementPosting({ date: "2024-03-05", currency: "EUR", sequence: 0, totals: NO_SETTLEMENT }),
    ).toThrow(/sequence/);
  });
});
