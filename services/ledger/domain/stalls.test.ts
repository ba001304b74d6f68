import { describe, expect, it } from "vitest";
import { BOOKED_FLOWS, compareBooked, hoursToCompare, stallWindow, type HourTotal } from "./stalls.js";

const H = 3600_000;
const at = (flow: string, hour: number, count: number, sum = count * 100, currency = "USD"): HourTotal => ({
  flow,
  hour: hour * H,
  currency,
  count: BigInt(count),
  sumMinor: BigInt(sum),
});

describe("hoursToCompare", () => {
  it("skips hours whose counts and sums agree, and compares a differing hour and the next one", () => {
    const source = [at("payin", 1, 5), at("payin", 2, 3), at("payin", 3, 4), at("payin", 4, 2)];
    // One payment of hour 2 was booked in hour 3; another of hour 3 was never booked: hour 3's counts agree.
    const booked = [at("payin", 1, 5), at("payin", 2, 2), at("payin", 3, 4), at("payin", 4, 2)];
    expect(hoursToCompare("payin", source, booked)).toEqual([2 * H, 3 * H]);
  });

  it("compares an hour whose counts agree but whose sums differ, in any one currency", () => {
    const source = [at("payin", 1, 2, 300), at("payin", 1, 1, 50, "EUR"), at("payin", 5, 1)];
    const booked = [at("payin", 1, 2, 300), at("payin", 1, 1, 40, "EUR"), at("payin", 5, 1)];
    expect(hoursToCompare("payin", source, booked)).toEqual([1 * H]);
  });

  it("counts an hour or currency the ledger has nothing of as zero, and reads only the flow asked", () => {
    expect(hoursToCompare("refund", [at("refund", 7, 1), at("payin", 8, 1)], [at("payin", 8, 1)])).toEqual([7 * H]);
    expect(hoursToCompare("payin", [at("payin", 8, 1, 100, "EUR")], [at("payin", 8, 1)])).toEqual([8 * H]);
  });
});

describe("compareBooked", () => {
  const [payin] = BOOKED_FLOWS;
  it("tells items not booked from items booked with another amount or currency, and checks ids alone for presence", () => {
    const booked = new Map([
      ["payin:p1", { currency: "USD", amountMinor: 100n }],
      ["payin:p2", { currency: "USD", amountMinor: 90n }],
      ["payin:p3", { currency: "EUR", amountMinor: 100n }],
      ["payin:p5", { currency: "USD", amountMinor: 1n }],
    ]);
    const items = [
      { id: "p1", currency: "USD", amountMinor: 100n },
      { id: "p2", currency: "USD", amountMinor: 100n },
      { id: "p3", currency: "USD", amountMinor: 100n },
      { id: "p4", currency: "USD", amountMinor: 100n },
      { id: "p5" },
    ];
    expect(compareBooked(payin!, items, booked)).toEqual({
      missing: ["p4"],
      differing: [
        { item: items[1], booked: { currency: "USD", amountMinor: 90n } },
        { item: items[2], booked: { currency: "EUR", amountMinor: 100n } },
      ],
    });
  });
});

describe("stallWindow", () => {
  it("compares what settled before the delay, from the start of the hour the lookback reaches", () => {
    const window = stallWindow(new Date("2024-03-05T12:30:00.000Z"), { stallAfterMs: 60_000, lookbackMs: 2 * H });
    expect(window).toEqual({
      since: new Date("2024-03-05T10:00:00.000Z"),
      settledBefore: new Date("2024-03-05T12:29:00.000Z"),
    });
  });
});
