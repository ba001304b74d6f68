import { describe, expect, it } from "vitest";
import { outlierIndexes } from "./outliers.js";

describe("outlierIndexes", () => {
  it("flags the errors far beyond the others' spread, on either side, however large the spikes", () => {
    const noise = Array.from({ length: 100 }, (_, i) => ((i * 37) % 21) - 10);
    noise[20] = 5_000;
    noise[70] = -400;
    noise[71] = 30;
    expect(outlierIndexes(noise)).toEqual([20, 70]);
  });

  it("flags nothing in an exact fit, nor in an empty series", () => {
    expect(outlierIndexes([1e-9, -2e-9, 0, 0.4, 0])).toEqual([]);
    expect(outlierIndexes([])).toEqual([]);
  });
});
