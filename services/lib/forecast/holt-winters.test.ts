import { describe, expect, it } from "vitest";
import { fitHoltWinters, forecastVariances, pointForecasts, type HoltWintersParams } from "./holt-winters.js";

const WEEK = [-30, 5, 8, 6, 10, 18, -17];

describe("Holt-Winters additive", () => {
  it("fits a noise-free trend and weekly pattern exactly, and continues it", () => {
    const truth = (t: number) => 1000 + 2.5 * t + WEEK[t % 7]!;
    const fit = fitHoltWinters(
      Array.from({ length: 70 }, (_, t) => truth(t)),
      7,
    );
    expect(fit.sse).toBeLessThan(1e-12);
    for (const [i, forecast] of pointForecasts(fit, 30).entries()) expect(forecast).toBeCloseTo(truth(70 + i), 6);
  });

  it("follows a level that moves: a random walk plus weekly pattern fits a large alpha", () => {
    const steps = [40, -25, 60, -10, 35, -55, 20, 45, -30, 15];
    const levels: number[] = [];
    for (let t = 0, level = 1000; t < 140; t++) {
      level += steps[(t * 7) % 10]!;
      levels.push(level);
    }
    const y = levels.map((level, t) => level + WEEK[t % 7]!);
    expect(fitHoltWinters(y, 7).params.alpha).toBeGreaterThan(0.5);
  });

  it.each<[HoltWintersParams, number]>([
    [{ alpha: 0.3, beta: 0.05, gamma: 0.2 }, 1],
    [{ alpha: 0.3, beta: 0.05, gamma: 0.2 }, 7],
    [{ alpha: 0.3, beta: 0.05, gamma: 0.2 }, 8],
    [{ alpha: 0.1, beta: 0.01, gamma: 0.6 }, 15],
    [{ alpha: 0.02, beta: 0.002, gamma: 0.1 }, 90],
  ])("gives the step variance of table 8.8 for ETS(A,A,A): %j, h = %i", (params, h) => {
    const { alpha, beta, gamma } = params;
    const m = 7;
    const k = Math.floor((h - 1) / m);
    const table88 =
      1 +
      (h - 1) * (alpha ** 2 + alpha * beta * h + (beta ** 2 * h * (2 * h - 1)) / 6) +
      gamma * k * (2 * alpha + gamma + beta * m * (k + 1));
    expect(forecastVariances(params, m, 2, h).steps[h - 1]).toBeCloseTo(2 * table88, 9);
  });

  it("gives the variance of the sum of the forecast errors, their covariances included", () => {
    const params = { alpha: 0.3, beta: 0.05, gamma: 0.2 };
    const horizon = 20;
    const c = (j: number) => (j === 0 ? 1 : params.alpha + j * params.beta + (j % 7 === 0 ? params.gamma : 0));
    // Cov(e_h, e_g) = sigma^2 sum_i c_{h-i} c_{g-i}, over the shocks i both depend on.
    let variance = 0;
    for (let h = 1; h <= horizon; h++)
      for (let g = 1; g <= horizon; g++) for (let i = 1; i <= Math.min(h, g); i++) variance += c(h - i) * c(g - i);
    expect(forecastVariances(params, 7, 1, horizon).total).toBeCloseTo(variance, 9);
    expect(forecastVariances({ alpha: 0, beta: 0, gamma: 0 }, 7, 3, horizon)).toEqual({
      steps: new Array(horizon).fill(3),
      total: 3 * horizon,
    });
  });

  it("refuses a series shorter than four seasons", () => {
    expect(() => fitHoltWinters(new Array(27).fill(1), 7)).toThrow("needs at least 28 observations, got 27");
  });
});
