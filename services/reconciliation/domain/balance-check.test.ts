import { describe, expect, it } from "vitest";
import { balanceBreakException, balanceBreaks, balanceCheckOf } from "./balance-check.js";

const usd = (amountMinor: bigint) => ({ currency: "USD", amountMinor });

describe("balanceBreaks", () => {
  it("finds none when the previous closing plus the movements is the closing, per currency", () => {
    const previous = [usd(10_000n), { currency: "EUR", amountMinor: 500n }];
    const net = new Map([
      ["USD", 2_500n],
      ["EUR", -500n],
    ]);
    expect(balanceBreaks(previous, net, [usd(12_500n), { currency: "EUR", amountMinor: 0n }])).toEqual([]);
  });

  it("gives both figures and the difference of a closing balance that is off", () => {
    expect(balanceBreaks([usd(10_000n)], new Map([["USD", 2_500n]]), [usd(12_501n)])).toEqual([
      { currency: "USD", expected: 12_500n, closing: 12_501n, difference: 1n },
    ]);
  });

  it("counts a currency absent on one day as 0 there", () => {
    expect(balanceBreaks([], new Map([["EUR", 700n]]), [])).toEqual([
      { currency: "EUR", expected: 700n, closing: 0n, difference: -700n },
    ]);
    expect(balanceBreaks([usd(5n)], new Map(), [])).toEqual([
      { currency: "USD", expected: 5n, closing: 0n, difference: -5n },
    ]);
    expect(balanceBreaks([], new Map([["USD", 5n]]), [usd(5n)])).toEqual([]);
  });
});

describe("balanceBreakException", () => {
  const exceptionOf = (closing: bigint) => {
    const [found] = balanceBreaks([usd(10_000n)], new Map([["USD", 2_500n]]), [usd(closing)]);
    return balanceBreakException("2024-03-05", found!);
  };
  const difference = (e: ReturnType<typeof exceptionOf>) => e.fileAmount!.amountMinor - e.ledgerAmount!.amountMinor;

  it("carries the file's closing balance and the expected one as amounts: file minus ledger is the signed difference", () => {
    const over = exceptionOf(12_501n);
    expect(over).toMatchObject({
      class: "balance_break",
      key: "balance_break|USD",
      lineType: "closing_balance",
      fileAmount: usd(12_501n),
      ledgerAmount: usd(12_500n),
    });
    expect(difference(over)).toBe(1n);

    const short = exceptionOf(12_400n);
    expect([short.fileAmount, short.ledgerAmount, difference(short)]).toEqual([usd(12_400n), usd(12_500n), -100n]);
    expect(short.detail).toBe(
      "the file's closing balance is 124.00 USD; 2024-03-04's closing balance plus this day's movements is 125.00 USD: a difference of -1.00 USD",
    );
  });
});

describe("balanceCheckOf", () => {
  const closing = [usd(12_500n)];
  it("checks against the closing balances of the day before, when both files have some", () => {
    expect(balanceCheckOf("2024-03-05", { date: "2024-03-04", closingBalances: [usd(10_000n)] }, closing)).toEqual({
      against: [usd(10_000n)],
    });
  });

  it("says why it cannot check: no earlier run, a gap of days, no closing balance on either day", () => {
    const skipped = (previous: Parameters<typeof balanceCheckOf>[1], today = closing) =>
      (balanceCheckOf("2024-03-05", previous, today) as { skipped: string }).skipped;
    expect(skipped(undefined)).toBe(
      "the first settlement file: no earlier closing balance to check this file's against",
    );
    expect(skipped({ date: "2024-03-02", closingBalances: [usd(1n)] })).toBe(
      "no finished run of 2024-03-04 (the latest earlier one is of 2024-03-02): the closing balances are not checked",
    );
    expect(skipped({ date: "2024-03-04", closingBalances: [usd(1n)] }, [])).toBe(
      "the file has no closing balance: the balances are not checked",
    );
    expect(skipped({ date: "2024-03-04", closingBalances: [] })).toBe(
      "2024-03-04's file has no closing balance: this file's are not checked against it",
    );
  });
});
