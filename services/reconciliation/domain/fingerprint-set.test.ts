import { describe, expect, it } from "vitest";
import { FingerprintSet } from "./fingerprint-set.js";

describe("FingerprintSet", () => {
  it("adds each key once and finds it again, through growth", () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 50_000; i++) expect(set.add(`charge|payin:pay_${i}`)).toBe(true);
    expect(set.size).toBe(50_000);
    expect(set.add("charge|payin:pay_123")).toBe(false);
    expect(set.has("charge|payin:pay_49999")).toBe(true);
    expect(set.has("refund|payin:pay_1")).toBe(false);
    expect(set.has("")).toBe(false);
    expect(set.add("")).toBe(true);
    expect(set.has("")).toBe(true);
  });
});
