import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import type { DailyValue } from "./daily-series.js";
import {
  forecastRevenue,
  minimumHistoryDays,
  type Forecast,
  type ForecastPoint,
  type IntervalMinor,
  type RevenueForecast,
} from "./forecast-revenue.js";
import {
  DEMO_HISTORY,
  syntheticExpected,
  syntheticHistory,
  type SyntheticHistoryOptions,
} from "./synthetic-history.js";

const HISTORY_DAYS = 365;

/** A year of the demo shop's history and the 90 days after it, drawn with the same noise. */
function demo(seed: number, extra: Partial<SyntheticHistoryOptions> = {}) {
  const options = { ...DEMO_HISTORY, start: "2025-01-01", days: HISTORY_DAYS + 90, seed, ...extra };
  const all = syntheticHistory(options);
  return { options, history: all.slice(0, HISTORY_DAYS), future: all.slice(HISTORY_DAYS) };
}

function made(result: RevenueForecast): Forecast {
  if (result.kind !== "forecast") throw new Error(`expected a forecast, got ${result.message}`);
  return result;
}

const within = (value: bigint, { lowMinor, highMinor }: IntervalMinor) => lowMinor <= value && value <= highMinor;
const relativeError = (forecast: bigint, truth: number) => Math.abs(Number(forecast) - truth) / truth;

describe("forecastRevenue", () => {
  it("forecasts a known trend and weekly pattern closely, every day, with a low backtest error", () => {
    const { options, history } = demo(7);
    const forecast = made(forecastRevenue(history, { horizonDays: 90 }));
    expect(forecast.points).toHaveLength(90);
    expect([forecast.points[0]!.day, forecast.points[89]!.day]).toEqual(["2026-01-01", "2026-03-31"]);
    for (const [i, point] of forecast.points.entries())
      expect(relativeError(point.forecastMinor, syntheticExpected(options, HISTORY_DAYS + i))).toBeLessThan(0.03);
    expect(forecast.backtest).toMatchObject({ holdoutDays: 28, fittedDays: HISTORY_DAYS - 28, mapeDays: 28 });
    expect(forecast.backtest.mape).toBeLessThan(0.06);
    expect(forecast.backtest.wape).toBeLessThan(0.06);
    expect(forecast.method).toMatchObject({
      name: "holt_winters_additive",
      seasonDays: 7,
      fittedDays: HISTORY_DAYS,
      outlierDays: [],
    });
    // The noise's standard deviation is 60,000.
    expect(Number(forecast.method.residualStdDevMinor)).toBeGreaterThan(50_000);
    expect(Number(forecast.method.residualStdDevMinor)).toBeLessThan(70_000);
  });

  it("has intervals that hold the true future about as often as they say", () => {
    let days = 0;
    let in80 = 0;
    let in95 = 0;
    let totalsIn95 = 0;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    for (const seed of seeds) {
      const { history, future } = demo(seed);
      const forecast = made(forecastRevenue(history, { horizonDays: 30 }));
      forecast.points.forEach((point, i) => {
        days++;
        if (within(future[i]!.valueMinor, point.interval80)) in80++;
        if (within(future[i]!.valueMinor, point.interval95)) in95++;
      });
      const truth = future.slice(0, 30).reduce((sum, d) => sum + d.valueMinor, 0n);
      if (within(truth, forecast.total.interval95)) totalsIn95++;
    }
    expect(in80 / days).toBeGreaterThan(0.7);
    expect(in80 / days).toBeLessThan(0.9);
    expect(in95 / days).toBeGreaterThan(0.88);
    expect(totalsIn95).toBeGreaterThanOrEqual(seeds.length - 2);
  });

  it("keeps its line, its backtest and its intervals through a sale spike", () => {
    const { options, history } = demo(11, { spikes: [{ day: "2025-11-28", extraMinor: 5_000_000 }] });
    const forecast = made(forecastRevenue(history, { horizonDays: 30 }));
    for (const [i, point] of forecast.points.entries())
      expect(relativeError(point.forecastMinor, syntheticExpected(options, HISTORY_DAYS + i))).toBeLessThan(0.05);
    expect(forecast.backtest.mape).toBeLessThan(0.06);
    // Left out of the fit, so it widens no interval either.
    expect(forecast.method.outlierDays).toEqual(["2025-11-28"]);
    expect(Number(forecast.method.residualStdDevMinor)).toBeLessThan(70_000);
  });

  it("follows a level that wanders: the intervals widen with the horizon and still hold the future about as often", () => {
    let days = 0;
    let in80 = 0;
    for (const seed of [21, 22, 23, 24, 25]) {
      const { history, future } = demo(seed, { levelWalkStdDevMinor: 20_000 });
      const forecast = made(forecastRevenue(history, { horizonDays: 30 }));
      expect(forecast.method.alpha).toBeGreaterThan(0.05);
      const width = (p: ForecastPoint) => p.interval80.highMinor - p.interval80.lowMinor;
      expect(width(forecast.points[29]!) > width(forecast.points[0]!)).toBe(true);
      expect(forecast.backtest.wape).toBeLessThan(0.1);
      forecast.points.forEach((point, i) => {
        days++;
        if (within(future[i]!.valueMinor, point.interval80)) in80++;
      });
    }
    expect(in80 / days).toBeGreaterThan(0.65);
    expect(in80 / days).toBeLessThan(0.95);
  });

  it("is made of whole minor units: bands around each point, the total the sum of the points", () => {
    const forecast = made(forecastRevenue(demo(3).history, { horizonDays: 30, holdoutDays: 14 }));
    for (const point of [...forecast.points, forecast.total]) {
      expect(typeof point.forecastMinor).toBe("bigint");
      expect(
        point.interval95.lowMinor <= point.interval80.lowMinor && point.interval80.lowMinor <= point.forecastMinor,
      ).toBe(true);
      expect(
        point.forecastMinor <= point.interval80.highMinor && point.interval80.highMinor <= point.interval95.highMinor,
      ).toBe(true);
    }
    expect(forecast.total.forecastMinor).toBe(forecast.points.reduce((sum, p) => sum + p.forecastMinor, 0n));
    expect(forecast.backtest.points.map((p) => p.day)).toEqual(
      demo(3)
        .history.slice(-14)
        .map((d) => d.day),
    );
  });

  it("is the same for the same history", () => {
    expect(forecastRevenue(demo(5).history, { horizonDays: 30 })).toEqual(
      forecastRevenue(demo(5).history, { horizonDays: 30 }),
    );
    expect(forecastRevenue(demo(5).history, { horizonDays: 30 })).not.toEqual(
      forecastRevenue(demo(6).history, { horizonDays: 30 }),
    );
  });

  it("says so when the history is too short, and forecasts from the minimum on", () => {
    const { history } = demo(1);
    expect(minimumHistoryDays()).toBe(56);
    expect(forecastRevenue(history.slice(0, 55), { horizonDays: 30 })).toEqual({
      kind: "not_enough_history",
      neededDays: 56,
      historyDays: 55,
      message: "needs at least 56 days of history, has 55",
    });
    expect(forecastRevenue([], { horizonDays: 90, holdoutDays: 14 })).toMatchObject({
      kind: "not_enough_history",
      message: "needs at least 42 days of history, has 0",
    });
    expect(forecastRevenue(history.slice(0, 56), { horizonDays: 30 }).kind).toBe("forecast");
  });

  it("leaves days without revenue out of the MAPE, and forecasts nothing for a currency that never sold", () => {
    const closedOnSundays = syntheticHistory({
      start: "2025-01-01",
      days: 84,
      seed: 1,
      baseMinor: 50_000,
      trendMinorPerDay: 0,
      weekly: [-50_000, 0, 0, 0, 0, 0, 0],
      noiseStdDevMinor: 0,
    });
    const { backtest } = made(forecastRevenue(closedOnSundays, { horizonDays: 7 }));
    expect([backtest.mapeDays, backtest.mape! < 1e-6, backtest.coverage80]).toEqual([24, true, 1]);

    const nothing: DailyValue[] = closedOnSundays.map(({ day }) => ({ day, valueMinor: 0n }));
    const none = made(forecastRevenue(nothing, { horizonDays: 7 }));
    expect(none.points.map((p) => [p.forecastMinor, p.interval95.lowMinor, p.interval95.highMinor])).toEqual(
      new Array(7).fill([0n, 0n, 0n]),
    );
    expect([none.backtest.mape, none.backtest.wape, none.backtest.mapeDays]).toEqual([null, null, 0]);
  });

  it.each<[string, DailyValue[], object]>([
    [
      "a gap in the days",
      [
        { day: "2025-01-01", valueMinor: 1n },
        { day: "2025-01-03", valueMinor: 1n },
      ],
      { horizonDays: 30 },
    ],
    ["a horizon of 0", [], { horizonDays: 0 }],
    ["a horizon of more than a year", [], { horizonDays: 367 }],
    ["a fractional horizon", [], { horizonDays: 1.5 }],
    ["a holdout of 0", [], { horizonDays: 30, holdoutDays: 0 }],
    ["an amount beyond 2^53", [{ day: "2025-01-01", valueMinor: 2n ** 53n }], { horizonDays: 30 }],
  ])("refuses %s as invalid_argument", (_, history, options) => {
    const error = (() => {
      try {
        forecastRevenue(history, options as { horizonDays: number });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe("invalid_argument");
  });
});
