import { describe, expect, it } from "vitest";
import { faultRandomness, faultSeed } from "./seed.js";

const draws = (random: () => number) => Array.from({ length: 5 }, random);

describe("the fault suite's seed", () => {
  it("is FAULT_SEED when set, a new one otherwise, and refuses anything but a 32-bit unsigned integer", () => {
    expect(faultSeed("42")).toBe(42);
    expect(faultSeed("4294967295")).toBe(4294967295);
    for (const unset of [undefined, ""]) expect(Number.isSafeInteger(faultSeed(unset))).toBe(true);
    for (const bad of ["-1", "1.5", "0x10", "seed", "4294967296"])
      expect(() => faultSeed(bad)).toThrow(`FAULT_SEED must be an integer from 0 to 4294967295, got "${bad}"`);
  });

  it("gives the same draws for the same seed, in streams that differ from each other and from another seed's", () => {
    const [a, again, other] = [faultRandomness(7), faultRandomness(7), faultRandomness(8)];
    for (const name of ["psp", "amounts", "backoff"] as const) expect(draws(again[name])).toEqual(draws(a[name]));
    const streams = [a.psp, a.amounts, a.backoff, other.psp].map(draws);
    expect(new Set(streams.map(String)).size).toBe(streams.length);
  });
});
