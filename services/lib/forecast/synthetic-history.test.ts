import { describe, expect, it } from "vitest";
import { DEMO_HISTORY, syntheticExpected, syntheticHistory } from "./synthetic-history.js";

const options = { ...DEMO_HISTORY, start: "2024-02-26", days: 400, seed: 42 };

describe("synthetic history", () => {
  it("is consecutive days, the same for the same seed, other noise for another", () => {
    const series = syntheticHistory(options);
    expect(series).toHaveLength(400);
    expect([series[0]!.day, series[3]!.day, series[399]!.day]).toEqual(["2024-02-26", "2024-02-29", "2025-03-31"]);
    expect(syntheticHistory(options)).toEqual(series);
    expect(syntheticHistory({ ...options, seed: 43 })).not.toEqual(series);
  });

  it("has the trend, the weekly pattern and the noise asked for", () => {
    const series = syntheticHistory(options);
    const noise = series.map((d, i) => Number(d.valueMinor) - syntheticExpected(options, i));
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(10_000);
    expect(sd).toBeGreaterThan(50_000);
    expect(sd).toBeLessThan(70_000);
    // 2024-02-26 is a Monday, 2024-03-03 a Sunday.
    expect(syntheticExpected(options, 0)).toBe(1_000_000 + 50_000);
    expect(syntheticExpected(options, 6)).toBe(1_000_000 + 6 * 2_000 - 300_000);
  });

  it("lets the level wander when asked, leaving the series without it as it was", () => {
    const wandering = syntheticHistory({ ...options, levelWalkStdDevMinor: 20_000 });
    expect(wandering).not.toEqual(syntheticHistory(options));
    expect(syntheticHistory({ ...options, levelWalkStdDevMinor: 0 })).toEqual(syntheticHistory(options));
    expect(syntheticHistory({ ...options, levelWalkStdDevMinor: 20_000 })).toEqual(wandering);
  });

  it("adds a spike on its day only", () => {
    const spiked = { ...options, spikes: [{ day: "2024-11-29", extraMinor: 5_000_000 }] };
    const [plain, withSpike] = [syntheticHistory(options), syntheticHistory(spiked)];
    const changed = withSpike.flatMap((d, i) =>
      d.valueMinor === plain[i]!.valueMinor ? [] : [[d.day, Number(d.valueMinor - plain[i]!.valueMinor)]],
    );
    expect(changed).toEqual([["2024-11-29", 5_000_000]]);
  });
});
