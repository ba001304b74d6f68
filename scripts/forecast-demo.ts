/**
 * A sample forecast: a year of the synthetic demo shop's net revenue (USD, its level wandering by 200.00 a day, a
 * sale spike on Black Friday), the next 30 and 90 days with their intervals, and the backtest on the last 4 weeks.
 *
 *   npm run forecast-demo [-- --seed 7]
 */
import { parseArgs } from "node:util";
import { forecastRevenue, type IntervalMinor } from "../services/lib/forecast/forecast-revenue.js";
import { DEMO_HISTORY, syntheticHistory } from "../services/lib/forecast/synthetic-history.js";
import { formatMoney } from "../services/lib/money.js";

const { values } = parseArgs({ options: { seed: { type: "string", default: "7" } } });
const usd = (amountMinor: bigint) => formatMoney({ amountMinor, currency: "USD" });
const band = ({ lowMinor, highMinor }: IntervalMinor) => `${usd(lowMinor)} .. ${usd(highMinor)}`;
const percent = (fraction: number | null) => (fraction === null ? "n/a" : `${(fraction * 100).toFixed(1)}%`);

const history = syntheticHistory({
  ...DEMO_HISTORY,
  levelWalkStdDevMinor: 20_000,
  start: "2025-01-01",
  days: 365,
  seed: Number(values.seed),
  spikes: [{ day: "2025-11-28", extraMinor: 5_000_000 }],
});
console.log(
  `history: ${history.length} days, ${history[0]!.day} to ${history.at(-1)!.day}, last week ${history
    .slice(-7)
    .map((d) => usd(d.valueMinor))
    .join(", ")}`,
);
for (const horizonDays of [30, 90]) {
  const forecast = forecastRevenue(history, { horizonDays });
  if (forecast.kind !== "forecast") throw new Error(forecast.message);
  const { method, total, backtest, points } = forecast;
  console.log(
    `\nnext ${horizonDays} days: ${usd(total.forecastMinor)}, 80% ${band(total.interval80)}, 95% ${band(total.interval95)}`,
  );
  console.log(`  outliers left out: ${method.outlierDays.join(", ") || "none"}`);
  console.log(
    `  method ${method.name}: alpha ${method.alpha.toFixed(4)}, beta ${method.beta.toFixed(4)}, gamma ${method.gamma.toFixed(4)}, residual sd ${usd(method.residualStdDevMinor)}, fitted on ${method.fittedDays} days`,
  );
  console.log(
    `  backtest (${backtest.holdoutDays} days held out): MAPE ${percent(backtest.mape)}, WAPE ${percent(backtest.wape)}, within 80% ${percent(backtest.coverage80)}, within 95% ${percent(backtest.coverage95)}`,
  );
  for (const p of [...points.slice(0, 3), points.at(-1)!])
    console.log(`  ${p.day}: ${usd(p.forecastMinor)}, 80% ${band(p.interval80)}`);
}
