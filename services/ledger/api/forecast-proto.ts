import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ForecastRevenueResponseSchema, MeasureForecastSchema } from "../../../gen/ledger/v1/ledger_pb.js";
import type { Forecast } from "../../lib/forecast/forecast-revenue.js";
import type { RevenueForecastAnswer } from "../app/revenue-forecast.js";

/** The backtest's own points stay out of the answer: its errors say how good the method is. */
function measureToProto({ method, points, total, backtest }: Forecast): MessageInitShape<typeof MeasureForecastSchema> {
  return {
    method,
    points,
    total,
    backtest: {
      holdoutDays: backtest.holdoutDays,
      fittedDays: backtest.fittedDays,
      mape: backtest.mape ?? undefined,
      mapeDays: backtest.mapeDays,
      wape: backtest.wape ?? undefined,
      coverage80: backtest.coverage80,
      coverage95: backtest.coverage95,
    },
  };
}

export function revenueForecastToProto({
  currency,
  history,
  result,
}: RevenueForecastAnswer): MessageInitShape<typeof ForecastRevenueResponseSchema> {
  return {
    currency,
    historyFirstDay: history?.firstDay ?? "",
    historyLastDay: history?.lastDay ?? "",
    result:
      result.kind === "forecasts"
        ? {
            case: "forecasts",
            value: { netRevenue: measureToProto(result.netRevenue), grossCharged: measureToProto(result.grossCharged) },
          }
        : {
            case: "notEnoughHistory",
            value: { neededDays: result.neededDays, historyDays: result.historyDays, message: result.message },
          },
  };
}
