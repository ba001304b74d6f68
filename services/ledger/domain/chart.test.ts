import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../lib/errors.js";
import { platformFeeRevenue, pspReceivable, sellerPayable } from "../../contracts/accounting/accounts.js";
import { validatePosting } from "../../contracts/accounting/postings.js";
import {
  disputePosting,
  payInPosting,
  payoutPosting,
  refundPosting,
  type PayInInput,
  type RefundInput,
} from "./chart.js";

describe("payInPosting", () => {
  const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });

  it("debits the PSP receivable, credits each seller net of fee and the platform its fees", () => {
    const { posting, accounts } = payInPosting({
      paymentId: "pay_1",
      currency: "USD",
      orders: [
        { sellerId: "books", amountMinor: 2_599n, platformFeeMinor: 65n },
        { sellerId: "games", amountMinor: 4_000n, platformFeeMinor: 100n },
      ],
    });
    expect(posting).toEqual({
      transactionId: "payin:pay_1",
      description: "pay-in of payment pay_1",
      entries: [
        { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(6_599n) },
        { accountCode: "seller_payable:books:USD", direction: "CREDIT", amount: usd(2_534n) },
        { accountCode: "seller_payable:games:USD", direction: "CREDIT", amount: usd(3_900n) },
        { accountCode: "platform_fee_revenue:USD", direction: "CREDIT", amount: usd(165n) },
      ],
    });
    expect(accounts).toEqual([
      pspReceivable("USD"),
      sellerPayable("books", "USD"),
      sellerPayable("games", "USD"),
      platformFeeRevenue("USD"),
    ]);
  });

  it("merges the orders of one seller and leaves out zero amounts", () => {
    const { posting, accounts } = payInPosting({
      paymentId: "pay_2",
      currency: "USD",
      orders: [
        { sellerId: "books", amountMinor: 1_000n, platformFeeMinor: 0n },
        { sellerId: "free", amountMinor: 50n, platformFeeMinor: 50n },
        { sellerId: "books", amountMinor: 500n, platformFeeMinor: 0n },
      ],
    });
    expect(posting.entries).toEqual([
      { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(1_550n) },
      { accountCode: "seller_payable:books:USD", direction: "CREDIT", amount: usd(1_500n) },
      { accountCode: "platform_fee_revenue:USD", direction: "CREDIT", amount: usd(50n) },
    ]);
    expect(accounts.map((a) => a.code)).toEqual([
      "psp_receivable:USD",
      "seller_payable:books:USD",
      "platform_fee_revenue:USD",
    ]);
  });

  it("refuses impossible orders", () => {
    const refuse = (input: PayInInput) => expect(() => payInPosting(input)).toThrow(DomainError);
    refuse({ paymentId: "p", currency: "USD", orders: [] });
    refuse({ paymentId: "p", currency: "USD", orders: [{ sellerId: "s", amountMinor: 0n, platformFeeMinor: 0n }] });
    refuse({ paymentId: "p", currency: "USD", orders: [{ sellerId: "s", amountMinor: 10n, platformFeeMinor: 11n }] });
    refuse({ paymentId: "p", currency: "USD", orders: [{ sellerId: "s", amountMinor: 10n, platformFeeMinor: -1n }] });
    refuse({ paymentId: "p", currency: "usd", orders: [{ sellerId: "s", amountMinor: 10n, platformFeeMinor: 1n }] });
  });

  it("always gives a valid posting that moves exactly the orders' amounts and fees", () => {
    const order = fc
      .record({
        sellerId: fc.constantFrom("a", "b", "c:1", "d"),
        amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
        feeShare: fc.integer({ min: 0, max: 100 }),
      })
      .map(({ sellerId, amountMinor, feeShare }) => ({
        sellerId,
        amountMinor,
        platformFeeMinor: (amountMinor * BigInt(feeShare)) / 100n,
      }));
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 10 }), (orders) => {
        const { posting, accounts } = payInPosting({ paymentId: "pay", currency: "EUR", orders });
        expect(validatePosting(posting)).toEqual(posting);
        const sum = (filter: (code: string) => boolean) =>
          posting.entries.filter((e) => filter(e.accountCode)).reduce((total, e) => total + e.amount.amountMinor, 0n);
        expect(sum((code) => code.startsWith("psp_receivable"))).toBe(orders.reduce((t, o) => t + o.amountMinor, 0n));
        expect(sum((code) => code.startsWith("platform_fee_revenue"))).toBe(
          orders.reduce((t, o) => t + o.platformFeeMinor, 0n),
        );
        expect(new Set(accounts.map((a) => a.code))).toEqual(new Set(posting.entries.map((e) => e.accountCode)));
      }),
    );
  });
});

describe("refundPosting", () => {
  const refund = (overrides: Partial<RefundInput> = {}): RefundInput => ({
    refundId: "rf-1",
    paymentId: "pay_1",
    sellerId: "books",
    currency: "KWD",
    amountMinor: 1_001n,
    platformFeeReversedMinor: 25n,
    sellerDebitMinor: 976n,
    ...overrides,
  });
  const kwd = (amountMinor: bigint) => ({ amountMinor, currency: "KWD" });

  it("reverses the order's pay-in: the seller and the platform give back their parts, the PSP receivable shrinks", () => {
    const { posting, accounts } = refundPosting(refund());
    expect(posting).toEqual({
      transactionId: "refund:rf-1",
      description: "refund rf-1 of payment pay_1",
      entries: [
        { accountCode: "seller_payable:books:KWD", direction: "DEBIT", amount: kwd(976n) },
        { accountCode: "platform_fee_revenue:KWD", direction: "DEBIT", amount: kwd(25n) },
        { accountCode: "psp_receivable:KWD", direction: "CREDIT", amount: kwd(1_001n) },
      ],
    });
    expect(validatePosting(posting)).toEqual(posting);
    expect(accounts).toEqual([sellerPayable("books", "KWD"), platformFeeRevenue("KWD"), pspReceivable("KWD")]);
  });

  it("leaves out a zero fee reversal", () => {
    const { posting } = refundPosting(
      refund({ amountMinor: 500n, platformFeeReversedMinor: 0n, sellerDebitMinor: 500n }),
    );
    expect(posting.entries.map((e) => e.accountCode)).toEqual(["seller_payable:books:KWD", "psp_receivable:KWD"]);
  });

  it("refuses a split that does not add up, and bad ids or currencies", () => {
    const refuse = (overrides: Partial<RefundInput>) =>
      expect(() => refundPosting(refund(overrides))).toThrow(DomainError);
    refuse({ sellerDebitMinor: 975n });
    refuse({ amountMinor: 0n, platformFeeReversedMinor: 0n, sellerDebitMinor: 0n });
    refuse({ platformFeeReversedMinor: -1n, sellerDebitMinor: 1_002n });
    refuse({ currency: "XYZ" });
    refuse({ refundId: "" });
    refuse({ sellerId: "a b" });
  });
});

describe("payoutPosting", () => {
  const payout = { payoutId: "po-1", sellerId: "books", currency: "JPY", amountMinor: 4_875n };
  const lines = (status: "PENDING" | "PAID" | "FAILED") => {
    const { posting } = payoutPosting({ ...payout, status });
    expect(validatePosting(posting)).toEqual(posting);
    return [
      posting.transactionId,
      ...posting.entries.map((e) => `${e.direction} ${e.accountCode} ${e.amount.amountMinor} ${e.amount.currency}`),
    ];
  };

  it("moves the amount from the seller to payouts in transit, then out of the bank, or back to the seller", () => {
    expect(lines("PENDING")).toEqual([
      "payout:po-1:requested",
      "DEBIT seller_payable:books:JPY 4875 JPY",
      "CREDIT payouts_in_transit:JPY 4875 JPY",
    ]);
    expect(lines("PAID")).toEqual([
      "payout:po-1:paid",
      "DEBIT payouts_in_transit:JPY 4875 JPY",
      "CREDIT bank:platform:JPY 4875 JPY",
    ]);
    expect(lines("FAILED")).toEqual([
      "payout:po-1:failed",
      "DEBIT payouts_in_transit:JPY 4875 JPY",
      "CREDIT seller_payable:books:JPY 4875 JPY",
    ]);
  });

  it("refuses an amount that is not positive", () => {
    expect(() => payoutPosting({ ...payout, amountMinor: 0n, status: "PAID" })).toThrow(DomainError);
  });
});

describe("disputePosting", () => {
  const dispute = {
    disputeId: "dp_1",
    paymentId: "pay_1",
    currency: "USD",
    shares: [
      { sellerId: "books", amountMinor: 1_000n },
      { sellerId: "games", amountMinor: 400n },
      { sellerId: "books", amountMinor: 1n },
    ],
  };
  const lines = (status: "OPEN" | "WON" | "LOST") => {
    const { posting } = disputePosting({ ...dispute, status });
    expect(validatePosting(posting)).toEqual(posting);
    return [
      posting.transactionId,
      ...posting.entries.map((e) => `${e.direction} ${e.accountCode} ${e.amount.amountMinor}`),
    ];
  };

  it("withholds each seller's share when opened, gives it back when won, writes it off against the PSP when lost", () => {
    expect(lines("OPEN")).toEqual([
      "dispute:dp_1:open",
      "DEBIT seller_payable:books:USD 1001",
      "DEBIT seller_payable:games:USD 400",
      "CREDIT disputed_funds:USD 1401",
    ]);
    expect(lines("WON")).toEqual([
      "dispute:dp_1:won",
      "DEBIT disputed_funds:USD 1401",
      "CREDIT seller_payable:books:USD 1001",
      "CREDIT seller_payable:games:USD 400",
    ]);
    expect(lines("LOST")).toEqual([
      "dispute:dp_1:lost",
      "DEBIT disputed_funds:USD 1401",
      "CREDIT psp_receivable:USD 1401",
    ]);
  });

  it("refuses a dispute without shares or with a share that is not positive", () => {
    expect(() => disputePosting({ ...dispute, status: "OPEN", shares: [] })).toThrow(DomainError);
    expect(() =>
      disputePosting({ ...dispute, status: "OPEN", shares: [{ sellerId: "books", amountMinor: 0n }] }),
    ).toThrow(/must be positive/);
  });
});
