import { describe, expect, it } from "vitest";
import { balanceBreaks } from "./balance-check.js";

const usd = (amountMinor: bigint) => ({ currency: "USD", amountMinor });

describe("balanceBreaks", () => {
  it("finds none when the previous closing plus the movements is the closing, per currency", () => {
    const previous = [usd(10_000n), { currency: "EUR", amountMinor: 500n }];
    const net = new Map([["USD", 2_500n], ["EUR", -500n]]);
    expect(balanceBreaks(previous, net, [usd(12_500n), { currency: "EUR", amountMinor: 0n }])).toEqual([]);
  });

  it("gives both figures and the difference of a closing balance that is off", () => {
    expect(balanceBreaks([usd(10_000n)], new Map([["USD", 2_500n]]), [usd(12_501n)])).toEqual([{ currency: "USD", expected: 12_500n, closing: 12_501n, difference: 1n }]);
  });

  it("counts a currency absent on one day as 0 there", () => {
    expect(balanceBreaks([], new Map([["EUR", 700n]]), [])).toEqual([{ currency: "EUR", expected: 700n, closing: 0n, difference: -700n }]);
    expect(balanceBreaks([usd(5n)], new Map(), [])).toEqual([{ currency: "USD", expected: 5n, closing: 0n, difference: -5n }]);
    expect(balanceBreaks([], new Map([["USD", 5n]]), [usd(5n)])).toEqual([]);
  });
});
