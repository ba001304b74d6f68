import { describe, expect, it } from "vitest";
import { NO_SETTLEMENT } from "./settlement-posting.js";
import { nextSettlements } from "./settlement-totals.js";

const totals = (chargesGross: bigint, chargesFee = 0n) => ({ ...NO_SETTLEMENT, chargesGross, chargesFee });

describe("nextSettlements", () => {
  it("settles each currency's totals as its first posting when nothing is recorded", () => {
    expect(nextSettlements("2024-03-05", new Map([["EUR", totals(3_000n, 147n)]]), [])).toEqual([
      { date: "2024-03-05", currency: "EUR", sequence: 1, totals: totals(3_000n, 147n) },
    ]);
  });

  it("settles what changed beyond the recorded postings, as the next one; less than before, or nothing, in a currency the file no longer has", () => {
    const recorded = [
      { currency: "EUR", totals: totals(3_000n, 147n) },
      { currency: "EUR", totals: totals(1_000n) },
      { currency: "USD", totals: totals(500n) },
    ];
    expect(nextSettlements("2024-03-05", new Map([["EUR", totals(3_500n, 147n)]]), recorded)).toEqual([
      { date: "2024-03-05", currency: "EUR", sequence: 3, totals: totals(-500n) },
      { date: "2024-03-05", currency: "USD", sequence: 2, totals: totals(-500n) },
    ]);
    expect(
      nextSettlements(
        "2024-03-05",
        new Map([
          ["EUR", totals(4_000n, 147n)],
          ["USD", totals(500n)],
        ]),
        recorded,
      ).map((s) => s.totals),
    ).toEqual([NO_SETTLEMENT, NO_SETTLEMENT]);
  });
});
