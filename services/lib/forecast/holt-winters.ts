import { minimiseOnUnitCube } from "./unit-cube-search.js";

/**
 * The Holt-Winters additive method (triple exponential smoothing) with a season of `period` observations, written in
 * its error-correction form, which is the ETS(A,A,A) state space model: Hyndman & Athanasopoulos, "Forecasting:
 * Principles and Practice", 3rd ed. (2021), section 8.3 (the method), 8.5 (table 8.7, the state space form) and
 * 8.7 (table 8.8, the forecast variance). With the one-step error e_t = y_t - (l_{t-1} + b_{t-1} + s_{t-m}):
 *
 *   l_t = l_{t-1} + b_{t-1} + alpha e_t,   b_t = b_{t-1} + beta e_t,   s_t = s_{t-m} + gamma e_t,
 *
 * which is the book's component form l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l_{t-1} + b_{t-1}), ... with its
 * beta* = beta / alpha. Computed in float64 throughout: the caller rounds whatever it turns into money.
 */
export interface HoltWintersParams {
  /** Level smoothing, 0..1. */
  alpha: number;
  /** Trend smoothing in the state space form (the book's alpha * beta*), 0..alpha. */
  beta: number;
  /** Seasonal smoothing, 0..1 - alpha (section 8.3's restriction). */
  gamma: number;
}

export interface HoltWintersFit {
  params: HoltWintersParams;
  period: number;
  /** Observations fitted. */
  n: number;
  /** Sum of the squared one-step errors over all of them: what the parameters minimise. */
  sse: number;
  /** sigma^2: sse / (n - k), k the 3 parameters and the m + 1 initial states (level, trend, m - 1 free seasonal). */
  residualVariance: number;
  /** After the last observation. */
  level: number;
  trend: number;
  /** seasonal[i] is the latest seasonal component of the observations whose index is i modulo `period`. */
  seasonal: number[];
  /** The one-step-ahead error of each observation, y_t minus its forecast from the states before it. */
  residuals: number[];
}

/** Observations the fit needs: its m + 4 estimated values (3 parameters, m + 1 initial states) and as many again. */
export const MIN_FIT_SEASONS = 4;

interface States {
  level: number;
  trend: number;
  seasonal: number[];
}

const NO_STATES = (m: number): States => ({ level: 0, trend: 0, seasonal: new Array<number>(m).fill(0) });

/** Runs the smoothing over `y` (all zeros for null) from `start`: the one-step errors, and the states after them. */
function smooth(
  y: readonly number[] | null,
  n: number,
  m: number,
  { alpha, beta, gamma }: HoltWintersParams,
  start: States,
): { errors: Float64Array; end: States } {
  let { level, trend } = start;
  const seasonal = [...start.seasonal];
  const errors = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const p = t % m;
    const error = (y === null ? 0 : y[t]!) - (level + trend + seasonal[p]!);
    errors[t] = error;
    level += trend + alpha * error;
    trend += beta * error;
    seasonal[p]! += gamma * error;
  }
  return { errors, end: { level, trend, seasonal } };
}

/**
 * The initial states (level, trend, and the m seasonal components summing to 0) that minimise the SSE for `params`.
 * The recursions are linear in the observations and the initial states together, so the errors are
 * e = e(y, 0) + E theta, with E's columns the errors of a zero series from each unit initial state: a least squares
 * problem, solved exactly (what Hyndman et al.'s ets() finds by optimising the states with the parameters).
 */
function bestInitialStates(y: readonly number[], m: number, params: HoltWintersParams): { start: States; sse: number } {
  const n = y.length;
  const free = m + 1; // level, trend, seasonal[0..m-2]; seasonal[m-1] = -(the others)
  const unit = (j: number): States => {
    const states = NO_STATES(m);
    if (j === 0) states.level = 1;
    else if (j === 1) states.trend = 1;
    else {
      states.seasonal[j - 2] = 1;
      states.seasonal[m - 1] = -1;
    }
    return states;
  };
  const base = smooth(y, n, m, params, NO_STATES(m)).errors;
  const columns = Array.from({ length: free }, (_, j) => smooth(null, n, m, params, unit(j)).errors);
  const dot = (a: Float64Array, b: Float64Array) => {
    let sum = 0;
    for (let t = 0; t < n; t++) sum += a[t]! * b[t]!;
    return sum;
  };
  const gram = columns.map((a) => columns.map((b) => dot(a, b)));
  const projections = columns.map((a) => dot(a, base));
  const theta = solve(
    gram,
    projections.map((x) => -x),
  );
  const seasonal = [...theta.slice(2), -theta.slice(2).reduce((a, b) => a + b, 0)];
  // Summed from the errors themselves: the shortcut through the normal equations cancels catastrophically where the
  // parameters make the recursions unstable and the columns explode.
  let sse = 0;
  for (let t = 0; t < n; t++) {
    let error = base[t]!;
    for (let j = 0; j < free; j++) error += columns[j]![t]! * theta[j]!;
    sse += error * error;
  }
  return { start: { level: theta[0]!, trend: theta[1]!, seasonal }, sse };
}

/** Solves A x = b by Gaussian elimination with partial pivoting; a (near) singular A, where a state is unidentifiable, gets that state 0. */
function solve(a: number[][], b: number[]): number[] {
  const size = b.length;
  const rows = a.map((row, i) => [...row, b[i]!]);
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i]!)), 1e-300);
  for (let col = 0; col < size; col++) {
    const pivot = rows
      .slice(col)
      .reduce((best, row, i) => (Math.abs(row[col]!) > Math.abs(rows[best]![col]!) ? col + i : best), col);
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const lead = rows[col]![col]!;
    if (Math.abs(lead) < 1e-12 * scale) {
      rows[col] = rows[col]!.map((_, k) => (k === col ? 1 : 0));
      continue;
    }
    for (let r = 0; r < size; r++) {
      if (r === col) continue;
      const factor = rows[r]![col]! / lead;
      if (factor !== 0) rows[r] = rows[r]!.map((x, k) => x - factor * rows[col]![k]!);
    }
  }
  return rows.map((row, i) => row[size]! / row[i]!);
}

/** Maps the unit cube onto the admissible parameters, so that the search needs no constraints. */
function paramsAt([a, b, g]: readonly number[]): HoltWintersParams {
  const alpha = a!;
  return { alpha, beta: alpha * b!, gamma: (1 - alpha) * g! };
}

/**
 * Fits alpha, beta, gamma and the initial states by minimising the SSE of the one-step-ahead errors: a search over
 * the parameters, each point with its best initial states. `y` needs MIN_FIT_SEASONS seasons.
 */
export function fitHoltWinters(y: readonly number[], period: number): HoltWintersFit {
  if (y.length < MIN_FIT_SEASONS * period)
    throw new RangeError(`Holt-Winters: needs at least ${MIN_FIT_SEASONS * period} observations, got ${y.length}`);
  const best = minimiseOnUnitCube((x) => bestInitialStates(y, period, paramsAt(x)).sse, 3);
  const params = paramsAt(best.x);
  const { start, sse } = bestInitialStates(y, period, params);
  const { errors, end } = smooth(y, y.length, period, params, start);
  const estimated = 3 + period + 1;
  return {
    params,
    period,
    n: y.length,
    sse,
    residualVariance: sse / (y.length - estimated),
    ...end,
    residuals: [...errors],
  };
}

/**
 * The forecast variance of each step 1..horizon and of their sum. The h-step error is
 * e_{T+h} = eps_{T+h} + sum_{j=1}^{h-1} c_j eps_{T+h-j} with c_j = alpha + j beta + gamma [j multiple of m], so
 * sigma_h^2 = sigma^2 (1 + sum c_j^2), which is table 8.8's ETS(A,A,A) closed form; the sum of the errors weighs each
 * eps_{T+i} by 1 + sum_{j=1}^{horizon-i} c_j.
 */
export function forecastVariances(
  params: HoltWintersParams,
  period: number,
  sigma2: number,
  horizon: number,
): { steps: number[]; total: number } {
  const c = (j: number) => params.alpha + j * params.beta + (j % period === 0 ? params.gamma : 0);
  const steps: number[] = [];
  const weights: number[] = []; // weights[i] = 1 + sum_{j=1}^{i} c_j
  let squares = 0;
  let weight = 1;
  for (let h = 1; h <= horizon; h++) {
    steps.push(sigma2 * (1 + squares));
    weights.push(weight);
    squares += c(h) ** 2;
    weight += c(h);
  }
  return { steps, total: sigma2 * weights.reduce((sum, w) => sum + w * w, 0) };
}

/** Point forecasts for the `horizon` observations after the fitted ones: l_T + h b_T + s_{T+h-m(k+1)}. */
export function pointForecasts(fit: HoltWintersFit, horizon: number): number[] {
  return Array.from(
    { length: horizon },
    (_, i) => fit.level + (i + 1) * fit.trend + fit.seasonal[(fit.n + i) % fit.period]!,
  );
}
