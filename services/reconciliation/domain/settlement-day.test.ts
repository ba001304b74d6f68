import { describe, expect, it } from "vitest";
import { completeDays } from "./settlement-day.js";

describe("completeDays", () => {
  it("lists the last days whose cutoff has passed, oldest first", () => {
    const now = Date.parse("2024-03-06T10:00:00.000Z");
    expect(completeDays(now, "00:00", 3)).toEqual(["2024-03-03", "2024-03-04", "2024-03-05"]);
    // With a 12:00 cutoff, 2024-03-05 runs until 2024-03-06 12:00: not over yet.
    expect(completeDays(now, "12:00", 2)).toEqual(["2024-03-03", "2024-03-04"]);
    expect(completeDays(Date.parse("2024-03-06T12:00:00.000Z"), "12:00", 1)).toEqual(["2024-03-05"]);
    expect(completeDays(now, "00:00", 0)).toEqual([]);
  });
});
