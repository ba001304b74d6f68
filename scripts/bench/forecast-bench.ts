/**
 * How long forecastRevenue takes (two Holt-Winters fits: the forecast's and the backtest's) on 1 to 5 years of
 * synthetic daily history: the median of 5 runs per length.
 *
 *   npm run bench:forecast
 */
import { forecastRevenue } from "../../services/lib/forecast/forecast-revenue.js";
import { DEMO_HISTORY, syntheticHistory } from "../../services/lib/forecast/synthetic-history.js";

const REPEATS = 5;

for (const years of [1, 2, 3, 5]) {
  const history = syntheticHistory({ ...DEMO_HISTORY, start: "2020-01-01", days: years * 365, seed: years });
  const times = Array.from({ length: REPEATS }, () => {
    const started = performance.now();
    forecastRevenue(history, { horizonDays: 90 });
    return performance.now() - started;
  }).sort((a, b) => a - b);
  console.log(
    `${history.length} days of history: ${times[Math.floor(REPEATS / 2)]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)})`,
  );
}
