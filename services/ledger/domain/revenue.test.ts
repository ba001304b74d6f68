import { describe, expect, it } from "vitest";
import { requireRevenueQuery, revenuePeriods, revenueReport } from "./revenue.js";

describe("revenuePeriods", () => {
  it("numbers ISO weeks by the year of their Thursday, Monday to Sunday, cut to the range", () => {
    expect(revenuePeriods({ fromDay: "2020-12-30", toDay: "2021-01-12", granularity: "week" })).toEqual([
      { start: "2020-12-28", period: "2020-W53", firstDay: "2020-12-30", lastDay: "2021-01-03" },
      { start: "2021-01-04", period: "2021-W01", firstDay: "2021-01-04", lastDay: "2021-01-10" },
      { start: "2021-01-11", period: "2021-W02", firstDay: "2021-01-11", lastDay: "2021-01-12" },
    ]);
    expect(revenuePeriods({ fromDay: "2024-12-30", toDay: "2024-12-30", granularity: "week" })[0]!.period).toBe(
      "2025-W01",
    );
    expect(revenuePeriods({ fromDay: "1969-12-29", toDay: "1969-12-29", granularity: "week" })[0]!.start).toBe(
      "1969-12-29",
    );
  });

  it("gives calendar months, a leap February whole", () => {
    expect(revenuePeriods({ fromDay: "2024-01-15", toDay: "2024-03-01", granularity: "month" })).toEqual([
      { start: "2024-01-01", period: "2024-01", firstDay: "2024-01-15", lastDay: "2024-01-31" },
      { start: "2024-02-01", period: "2024-02", firstDay: "2024-02-01", lastDay: "2024-02-29" },
      { start: "2024-03-01", period: "2024-03", firstDay: "2024-03-01", lastDay: "2024-03-01" },
    ]);
    expect(
      revenuePeriods({ fromDay: "2024-12-31", toDay: "2025-01-01", granularity: "month" }).map((p) => p.period),
    ).toEqual(["2024-12", "2025-01"]);
  });
});

describe("revenueReport", () => {
  it("zero-fills each currency's periods and nets fees against PSP fees and differences, not lost disputes", () => {
    const query = { fromDay: "2026-01-01", toDay: "2026-01-02", granularity: "day" as const };
    const [eur, , gbp1, gbp2] = revenueReport(query, [
      { currency: "GBP", periodStart: "2026-01-01", figure: "platform_fee_revenue", amountMinor: 100n },
      { currency: "GBP", periodStart: "2026-01-01", figure: "fees_reversed", amountMinor: 10n },
      { currency: "GBP", periodStart: "2026-01-01", figure: "psp_fees", amountMinor: 20n },
      { currency: "GBP", periodStart: "2026-01-01", figure: "reconciliation_differences", amountMinor: -5n },
      { currency: "GBP", periodStart: "2026-01-01", figure: "disputes_lost", amountMinor: 1_000n },
      { currency: "EUR", periodStart: "2026-01-02", figure: "gross_charged", amountMinor: 7n },
    ]);
    expect(gbp1).toMatchObject({
      currency: "GBP",
      period: "2026-01-01",
      netRevenueMinor: 75n,
      disputesLostMinor: 1_000n,
    });
    expect(gbp2).toMatchObject({ currency: "GBP", period: "2026-01-02", netRevenueMinor: 0n, grossChargedMinor: 0n });
    expect(eur).toMatchObject({ currency: "EUR", period: "2026-01-01", grossChargedMinor: 0n });
    expect(() =>
      revenueReport(query, [{ currency: "GBP", periodStart: "2026-01-03", figure: "psp_fees", amountMinor: 1n }]),
    ).toThrow(/outside the range/);
  });
});

describe("requireRevenueQuery", () => {
  it("takes up to 3660 days and an optional currency", () => {
    expect(
      requireRevenueQuery({ fromDay: "2016-01-01", toDay: "2026-01-07", granularity: "day", currency: "" }),
    ).toEqual({
      fromDay: "2016-01-01",
      toDay: "2026-01-07",
      granularity: "day",
      currency: undefined,
    });
    expect(() =>
      requireRevenueQuery({ fromDay: "2016-01-01", toDay: "2026-01-08", granularity: "day", currency: "" }),
    ).toThrow(/3661 days, more than the limit of 3660/);
  });
});
