import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ForecastRevenueRequestSchema,
  ForecastRevenueResponseSchema,
  MeasureForecastSchema,
} from "../../gen/ledger/v1/ledger_pb.js";
import { payInPosting } from "../../services/ledger/domain/chart.js";
import { forecastRevenue, type Forecast } from "../../services/lib/forecast/forecast-revenue.js";
import { failure, serviceClient } from "../support/clients.js";
import { bookDailyPayIns, daysAgo, type BookedHistory } from "./booked-history.js";
import { bookAt, startLedgerUnderTest, type LedgerUnderTest } from "./ledger-test-service.js";

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

/** What the RPC answers for a forecast: the same fields, a MAPE or WAPE there is none of left unset. */
function asMessage({ method, points, total, backtest }: Forecast) {
  const { points: _heldOut, mape, wape, ...backtestFigures } = backtest;
  return create(MeasureForecastSchema, {
    method,
    points,
    total,
    backtest: { ...backtestFigures, mape: mape ?? undefined, wape: wape ?? undefined },
  });
}

const forecast = (request: MessageInitShape<typeof ForecastRevenueRequestSchema>) =>
  ledger.client.forecastRevenue(request);

describe("ForecastRevenue", () => {
  it("forecasts net revenue and gross charged from the booked days up to yesterday, as forecastRevenue does on the same series", async () => {
    const answer = await forecast({ currency: "USD", horizonDays: 30 });
    expect(answer.currency).toBe("USD");
    expect(answer.historyFirstDay).toBe(daysAgo(70));
    expect(answer.historyLastDay).toBe(daysAgo(1));
    if (answer.result.case !== "forecasts") throw new Error(`expected forecasts, got ${answer.result.case}`);
    const forecasts = answer.result.value;
    const expected = (series: BookedHistory["netRevenue"]) => {
      const result = forecastRevenue(series, { horizonDays: 30 });
      if (result.kind !== "forecast") throw new Error("expected a forecast");
      return asMessage(result);
    };
    expect(forecasts.netRevenue).toEqual(expected(usd.netRevenue));
    expect(forecasts.grossCharged).toEqual(expected(usd.grossCharged));
    expect(forecasts.grossCharged!.points[0]!.day).toBe(daysAgo(0));
    expect(forecasts.grossCharged!.points).toHaveLength(30);
  });

  it("answers OK with not_enough_history when the currency has too few days, and when it has none", async () => {
    expect(await forecast({ currency: "EUR", horizonDays: 90 })).toEqual(
      create(ForecastRevenueResponseSchema, {
        currency: "EUR",
        historyFirstDay: daysAgo(30),
        historyLastDay: daysAgo(1),
        result: {
          case: "notEnoughHistory",
          value: { neededDays: 56, historyDays: 30, message: "needs at least 56 days of history, has 30" },
        },
      }),
    );
    expect(await forecast({ currency: "GBP", horizonDays: 30 })).toEqual(
      create(ForecastRevenueResponseSchema, {
        currency: "GBP",
        historyFirstDay: "",
        historyLastDay: "",
        result: {
          case: "notEnoughHistory",
          value: { neededDays: 56, historyDays: 0, message: "needs at least 56 days of history, has 0" },
        },
      }),
    );
  });

  it("refuses a missing or unknown currency and a horizon outside 1..366 days", async () => {
    const invalid = (message: string) => ({ code: Code.InvalidArgument, message });
    expect(await failure(forecast({ currency: "", horizonDays: 30 }))).toEqual(
      invalid("currency: is required (an ISO 4217 code such as USD)"),
    );
    expect(await failure(forecast({ currency: "usd", horizonDays: 30 }))).toEqual(
      invalid('currency: "usd" is not an ISO 4217 currency code (use upper case, e.g. USD)'),
    );
    expect((await failure(forecast({ currency: "U".repeat(10_000), horizonDays: 30 }))).code).toBe(
      Code.InvalidArgument,
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
    const reconciliation = serviceClient("ledger", ledger.service.url, "reconciliation");
    expect(await failure(reconciliation.forecastRevenue({ currency: "USD", horizonDays: 30 }))).toEqual({
      code: Code.PermissionDenied,
      message: "reconciliation may not call /ledger.v1.LedgerService/ForecastRevenue",
    });
  });
});
