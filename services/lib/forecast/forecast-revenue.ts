import { invalidArgument } from "../errors.js";
import { addDays, type DailyValue } from "./daily-series.js";
import {
  fitHoltWinters,
  forecastVariances,
  MIN_FIT_SEASONS,
  pointForecasts,
  type HoltWintersFit,
} from "./holt-winters.js";
import { outlierIndexes } from "./outliers.js";

/**
 * A forecast of a daily money series of one currency (net revenue, gross charged, ...) with prediction intervals,
 * and how well the same method did on the last weeks held out. The model computes in float64 (holt-winters.ts);
 * everything it returns as money is rounded to integer minor units here, at the end.
 */

export const SEASON_DAYS = 7;
export const DEFAULT_HOLDOUT_DAYS = 28;
export const MAX_HORIZON_DAYS = 366;
/** Days the model needs to fit on: two weeks set its initial states, two more fit its parameters. */
export const MIN_FIT_DAYS = MIN_FIT_SEASONS * SEASON_DAYS;
export const METHOD_NAME = "holt_winters_additive";
export const METHOD_REFERENCE =
  'Holt-Winters additive (ETS(A,A,A)), weekly season: Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., sections 8.3 and 8.7 (table 8.8)';

// Standard normal quantiles for two-sided 80% and 95% intervals.
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;

export interface ForecastOptions {
  /** Days to forecast after the last day of the history, 1..366 (the console shows 30 and 90). */
  horizonDays: number;
  /** The last days held out for the backtest, >= 1; default 28. */
  holdoutDays?: number;
}

export interface IntervalMinor {
  lowMinor: bigint;
  highMinor: bigint;
}

export interface ForecastPoint {
  day: string;
  forecastMinor: bigint;
  interval80: IntervalMinor;
  interval95: IntervalMinor;
}

export interface BacktestPoint extends ForecastPoint {
  actualMinor: bigint;
}

export interface Backtest {
  /** The last days of the history, forecast by a model fitted on the days before them only. */
  holdoutDays: number;
  fittedDays: number;
  /** Mean absolute percentage error, a fraction (0.05 is 5%), over the held-out days whose actual is not 0; null if none is. */
  mape: number | null;
  /** How many held-out days the MAPE counts (those with an actual of 0 are left out). */
  mapeDays: number;
  /** Weighted absolute percentage error, sum |actual - forecast| / sum |actual|, a fraction; null if every actual is 0. */
  wape: number | null;
  /** The fraction of held-out days whose actual lies within the 80% (95%) interval; about 0.8 (0.95) if the intervals are right. */
  coverage80: number;
  coverage95: number;
  points: BacktestPoint[];
}

export interface ForecastMethod {
  name: typeof METHOD_NAME;
  reference: string;
  seasonDays: number;
  /** The smoothing parameters fitted on the whole history (state space form: beta is the book's alpha * beta*). */
  alpha: number;
  beta: number;
  gamma: number;
  /** The standard deviation of the one-step errors, rounded. */
  residualStdDevMinor: bigint;
  fittedDays: number;
  /** Days of the history left out of the fit as outliers (a sale spike, say): replaced by their one-step forecast. */
  outlierDays: string[];
}

export interface Forecast {
  kind: "forecast";
  method: ForecastMethod;
  /** One per day after the history's last, horizonDays of them. */
  points: ForecastPoint[];
  /** Over the whole horizon; forecastMinor is the sum of the points', the intervals those of the sum (not of the points'). */
  total: { forecastMinor: bigint; interval80: IntervalMinor; interval95: IntervalMinor };
  backtest: Backtest;
}

export interface NotEnoughHistory {
  kind: "not_enough_history";
  neededDays: number;
  historyDays: number;
  /** "needs at least 56 days of history, has 30". */
  message: string;
}

export type RevenueForecast = Forecast | NotEnoughHistory;

/** The shortest history that gets a forecast: the days the model fits on, and the held-out ones for the backtest. */
export function minimumHistoryDays(holdoutDays = DEFAULT_HOLDOUT_DAYS): number {
  return MIN_FIT_DAYS + holdoutDays;
}

function checkInput(history: readonly DailyValue[], { horizonDays, holdoutDays }: Required<ForecastOptions>): void {
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
    throw invalidArgument("horizonDays", `must be an integer from 1 to ${MAX_HORIZON_DAYS}, got ${horizonDays}`);
  }
  if (!Number.isInteger(holdoutDays) || holdoutDays < 1)
    throw invalidArgument("holdoutDays", `must be an integer >= 1, got ${holdoutDays}`);
  history.forEach(({ day, valueMinor }, i) => {
    if (i > 0 && day !== addDays(history[i - 1]!.day, 1)) {
      throw invalidArgument(
        "history",
        `${day} follows ${history[i - 1]!.day}: the series must be consecutive days, with the days without revenue as 0`,
      );
    }
    // Beyond 2^53 the float64 model would not even read the amount exactly.
    if (valueMinor > BigInt(Number.MAX_SAFE_INTEGER) || -valueMinor > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw invalidArgument(
        "history",
        `${day}: ${valueMinor} is too large to forecast (at most 2^53 - 1 minor units a day)`,
      );
    }
  });
}

const minor = (x: number) => BigInt(Math.round(x));

/** Symmetric around the rounded point, so that a chart's band always contains its line. */
function interval(pointMinor: bigint, z: number, variance: number): IntervalMinor {
  const half = minor(z * Math.sqrt(variance));
  return { lowMinor: pointMinor - half, highMinor: pointMinor + half };
}

function forecastAfter(fit: HoltWintersFit, lastDay: string, horizon: number) {
  const variances = forecastVariances(fit.params, fit.period, fit.residualVariance, horizon);
  const points = pointForecasts(fit, horizon).map((mean, i): ForecastPoint => {
    const forecastMinor = minor(mean);
    return {
      day: addDays(lastDay, i + 1),
      forecastMinor,
      interval80: interval(forecastMinor, Z80, variances.steps[i]!),
      interval95: interval(forecastMinor, Z95, variances.steps[i]!),
    };
  });
  const forecastMinor = points.reduce((sum, p) => sum + p.forecastMinor, 0n);
  return {
    points,
    total: {
      forecastMinor,
      interval80: interval(forecastMinor, Z80, variances.total),
      interval95: interval(forecastMinor, Z95, variances.total),
    },
  };
}

/**
 * Fits, then fits again with the outlying days (outliers.ts) replaced by their one-step forecast: a one-off spike
 * would otherwise be learnt as level, trend or weekly pattern, and widen every interval.
 */
function fitWithoutOutliers(values: readonly number[]): { fit: HoltWintersFit; outliers: number[] } {
  const first = fitHoltWinters(values, SEASON_DAYS);
  const outliers = outlierIndexes(first.residuals);
  if (outliers.length === 0) return { fit: first, outliers };
  const cleaned = [...values];
  for (const i of outliers) cleaned[i] = values[i]! - first.residuals[i]!;
  return { fit: fitHoltWinters(cleaned, SEASON_DAYS), outliers };
}

const within = (actual: bigint, { lowMinor, highMinor }: IntervalMinor) => lowMinor <= actual && actual <= highMinor;

function backtest(values: readonly number[], history: readonly DailyValue[], holdoutDays: number): Backtest {
  const fittedDays = values.length - holdoutDays;
  const { fit } = fitWithoutOutliers(values.slice(0, fittedDays));
  const { points } = forecastAfter(fit, history[fittedDays - 1]!.day, holdoutDays);
  const tested = points.map((p, i): BacktestPoint => ({ ...p, actualMinor: history[fittedDays + i]!.valueMinor }));
  const errors = tested.map((p) => ({
    actual: Math.abs(Number(p.actualMinor)),
    error: Math.abs(Number(p.actualMinor - p.forecastMinor)),
  }));
  const nonZero = errors.filter((e) => e.actual > 0);
  const actualSum = errors.reduce((sum, e) => sum + e.actual, 0);
  const share = (count: number) => count / holdoutDays;
  return {
    holdoutDays,
    fittedDays,
    mape: nonZero.length === 0 ? null : nonZero.reduce((sum, e) => sum + e.error / e.actual, 0) / nonZero.length,
    mapeDays: nonZero.length,
    wape: actualSum === 0 ? null : errors.reduce((sum, e) => sum + e.error, 0) / actualSum,
    coverage80: share(tested.filter((p) => within(p.actualMinor, p.interval80)).length),
    coverage95: share(tested.filter((p) => within(p.actualMinor, p.interval95)).length),
    points: tested,
  };
}

/**
 * Forecasts the `horizonDays` after `history` (consecutive days, oldest first, zero-filled) with the Holt-Winters
 * additive method and a weekly season (outlying days left out of the fit), with 80% and 95% prediction intervals,
 * next to a backtest on the last
 * `holdoutDays` days. Shorter than minimumHistoryDays(holdoutDays): a not_enough_history answer, no forecast.
 * Throws invalid_argument for a bad horizon or holdout, or a history that is not consecutive days.
 */
export function forecastRevenue(history: readonly DailyValue[], options: ForecastOptions): RevenueForecast {
  const holdoutDays = options.holdoutDays ?? DEFAULT_HOLDOUT_DAYS;
  checkInput(history, { horizonDays: options.horizonDays, holdoutDays });
  const neededDays = minimumHistoryDays(holdoutDays);
  if (history.length < neededDays) {
    return {
      kind: "not_enough_history",
      neededDays,
      historyDays: history.length,
      message: `needs at least ${neededDays} days of history, has ${history.length}`,
    };
  }
  const values = history.map((d) => Number(d.valueMinor));
  const { fit, outliers } = fitWithoutOutliers(values);
  const { points, total } = forecastAfter(fit, history[history.length - 1]!.day, options.horizonDays);
  return {
    kind: "forecast",
    method: {
      name: METHOD_NAME,
      reference: METHOD_REFERENCE,
      seasonDays: SEASON_DAYS,
      ...fit.params,
      residualStdDevMinor: minor(Math.sqrt(fit.residualVariance)),
      fittedDays: fit.n,
      outlierDays: outliers.map((i) => history[i]!.day),
    },
    points,
    total,
    backtest: backtest(values, history, holdoutDays),
  };
}
