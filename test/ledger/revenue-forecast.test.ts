import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payInPosting } from "../../services/ledger/domain/chart.js";
import {
  forecastRevenue,
  type Forecast,
  type ForecastPoint,
  type IntervalMinor,
} from "../../services/lib/forecast/forecast-revenue.js";
import { grpc, grpcJsClient, unary } from "../support/grpc-js.js";
import { bookDailyPayIns, daysAgo, type BookedHistory } from "./booked-history.js";
import { bookAt, failure, startLedgerUnderTest, type LedgerUnderTest } from "./ledger-test-service.js";

let ledger: LedgerUnderTest;
let usd: BookedHistory;

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  usd = await bookDailyPayIns(ledger.db, { currency: "USD", days: 70 });
  await bookDailyPayIns(ledger.db, { currency: "EUR", days: 30 });
  // Today is not over: a forecast leaves it out.
  await bookAt(
    ledger.db,
    payInPosting({
      paymentId: "today",
      currency: "USD",
      orders: [{ sellerId: "s1", amountMinor: 99_999_00n, platformFeeMinor: 999_00n }],
    }),
    new Date(),
  );
});
afterAll(() => ledger?.close());

/** What the RPC answers for a forecast, as grpc-js decodes it (int64 as strings, absent optionals left out, "interval_80" as written in the proto). */
function asDecoded({ method, points, total, backtest }: Forecast) {
  const interval = (i: IntervalMinor) => ({ lowMinor: String(i.lowMinor), highMinor: String(i.highMinor) });
  const point = (p: Omit<ForecastPoint, "day">) => ({
    forecastMinor: String(p.forecastMinor),
    interval_80: interval(p.interval80),
    interval_95: interval(p.interval95),
  });
  const { points: _heldOut, mape, wape, coverage80, coverage95, ...backtestFigures } = backtest;
  return {
    method: { ...method, residualStdDevMinor: String(method.residualStdDevMinor) },
    points: points.map((p) => ({ day: p.day, ...point(p) })),
    total: point(total),
    backtest: {
      ...backtestFigures,
      coverage_80: coverage80,
      coverage_95: coverage95,
      ...(mape === null ? {} : { mape }),
      ...(wape === null ? {} : { wape }),
    },
  };
}

const forecast = (request: object) => ledger.call("forecastRevenue", request);

describe("ForecastRevenue", () => {
  it("forecasts net revenue and gross charged from the booked days up to yesterday, as forecastRevenue does on the same series", async () => {
    const answer = await forecast({ currency: "USD", horizonDays: 30 });
    expect(answer.currency).toBe("USD");
    expect(answer.historyFirstDay).toBe(daysAgo(70));
    expect(answer.historyLastDay).toBe(daysAgo(1));
    expect(answer.notEnoughHistory).toBeUndefined();
    const expected = (series: BookedHistory["netRevenue"]) => {
      const result = forecastRevenue(series, { horizonDays: 30 });
      if (result.kind !== "forecast") throw new Error("expected a forecast");
      return asDecoded(result);
    };
    expect(answer.forecasts.netRevenue).toEqual(expected(usd.netRevenue));
    expect(answer.forecasts.grossCharged).toEqual(expected(usd.grossCharged));
    expect(answer.forecasts.grossCharged.points[0].day).toBe(daysAgo(0));
    expect(answer.forecasts.grossCharged.points).toHaveLength(30);
  });

  it("answers OK with not_enough_history when the currency has too few days, and when it has none", async () => {
    expect(await forecast({ currency: "EUR", horizonDays: 90 })).toEqual({
      currency: "EUR",
      historyFirstDay: daysAgo(30),
      historyLastDay: daysAgo(1),
      notEnoughHistory: { neededDays: 56, historyDays: 30, message: "needs at least 56 days of history, has 30" },
    });
    expect(await forecast({ currency: "GBP", horizonDays: 30 })).toEqual({
      currency: "GBP",
      historyFirstDay: "",
      historyLastDay: "",
      notEnoughHistory: { neededDays: 56, historyDays: 0, message: "needs at least 56 days of history, has 0" },
    });
  });

  it("refuses a missing or unknown currency and a horizon outside 1..366 days", async () => {
    const invalid = (details: string) => ({ code: grpc.status.INVALID_ARGUMENT, details });
    expect(await failure(forecast({ currency: "", horizonDays: 30 }))).toEqual(
      invalid("currency: is required (an ISO 4217 code such as USD)"),
    );
    expect(await failure(forecast({ currency: "usd", horizonDays: 30 }))).toEqual(
      invalid('currency: "usd" is not an ISO 4217 currency code (use upper case, e.g. USD)'),
    );
    expect((await failure(forecast({ currency: "U".repeat(10_000), horizonDays: 30 }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await failure(forecast({ currency: "USD", horizonDays: 0 }))).toEqual(
      invalid("horizon_days: must be from 1 to 366 days, got 0"),
    );
    expect(await failure(forecast({ currency: "USD", horizonDays: 367 }))).toEqual(
      invalid("horizon_days: must be from 1 to 366 days, got 367"),
    );
    expect(await failure(forecast({ currency: "USD", horizonDays: -5 }))).toEqual(
      invalid("horizon_days: must be from 1 to 366 days, got -5"),
    );
  });

  it("is refused to a caller the policy does not name", async () => {
    const reconciliation = grpcJsClient(
      "ledger/v1/ledger.proto",
      "ledger.v1.LedgerService",
      ledger.service.url,
      "reconciliation",
    );
    try {
      expect(await failure(unary(reconciliation, "forecastRevenue", { currency: "USD", horizonDays: 30 }))).toEqual({
        code: grpc.status.PERMISSION_DENIED,
        details: "reconciliation may not call /ledger.v1.LedgerService/ForecastRevenue",
      });
    } finally {
      reconciliation.close();
    }
  });
});
