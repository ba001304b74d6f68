import { describe, expect, it } from "vitest";
import { statsBuckets, statsRange } from "./payment-stats.js";

describe("payment stats periods", () => {
  it("ends the range with the UTC period holding `until`", () => {
    const range = statsRange("hour", 3, new Date("2026-03-01T10:59:59.999Z"));
    expect(range.from.toISOString()).toBe("2026-03-01T08:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-03-01T11:00:00.000Z");
    expect(range.starts.map((d) => d.toISOString())).toEqual([
      "2026-03-01T08:00:00.000Z",
      "2026-03-01T09:00:00.000Z",
      "2026-03-01T10:00:00.000Z",
    ]);
    expect(statsRange("day", 1, new Date("2026-03-01T00:00:00Z")).to.toISOString()).toBe("2026-03-02T00:00:00.000Z");
  });

  it("fills every period, adds counts across currencies and keeps amounts apart", () => {
    const range = statsRange("day", 3, new Date("2026-03-03T12:00:00Z"));
    const day2 = new Date("2026-03-02T00:00:00Z");
    const buckets = statsBuckets(range, [
      { start: day2, currency: "USD", created: 3, succeeded: 2, failed: 1, chargedMinor: 3_500n },
      { start: day2, currency: "EUR", created: 1, succeeded: 0, failed: 0, chargedMinor: 0n },
    ]);
    expect(
      buckets.map((b) => [b.start.toISOString().slice(0, 10), b.created, b.succeeded, b.failed, b.charged]),
    ).toEqual([
      ["2026-03-01", 0, 0, 0, []],
      ["2026-03-02", 4, 2, 1, [{ amountMinor: 3_500n, currency: "USD" }]],
      ["2026-03-03", 0, 0, 0, []],
    ]);
  });

  it("refuses a row from outside the range", () => {
    const range = statsRange("hour", 1, new Date("2026-03-01T10:00:00Z"));
    expect(() =>
      statsBuckets(range, [
        {
          start: new Date("2026-03-01T09:00:00Z"),
          currency: "USD",
          created: 1,
          succeeded: 0,
          failed: 0,
          chargedMinor: 0n,
        },
      ]),
    ).toThrow(/outside/);
  });
});
