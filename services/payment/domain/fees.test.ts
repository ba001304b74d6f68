import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MINOR_UNITS } from "../../lib/money.js";
import { MAX_FEE_BPS, splitOrder } from "./fees.js";

const amount = fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS / BigInt(MAX_FEE_BPS) });
const bps = fc.integer({ min: 0, max: MAX_FEE_BPS });

describe("platform fee split", () => {
  it("rounds half up to the minor unit", () => {
    expect(splitOrder(1_000n, 250)).toEqual({ platformFeeMinor: 25n, sellerNetMinor: 975n });
    expect(splitOrder(20n, 250)).toEqual({ platformFeeMinor: 1n, sellerNetMinor: 19n }); // 0.5 -> 1
    expect(splitOrder(19n, 250)).toEqual({ platformFeeMinor: 0n, sellerNetMinor: 19n }); // 0.475 -> 0
    expect(splitOrder(1n, MAX_FEE_BPS)).toEqual({ platformFeeMinor: 1n, sellerNetMinor: 0n });
  });

  it("parts always sum exactly to the whole, with the fee within half a minor unit of the exact rate", () => {
    fc.assert(
      fc.property(amount, bps, (a, b) => {
        const { platformFeeMinor, sellerNetMinor } = splitOrder(a, b);
        expect(platformFeeMinor + sellerNetMinor).toBe(a);
        expect(platformFeeMinor >= 0n && sellerNetMinor >= 0n).toBe(true);
        const error = platformFeeMinor * 10_000n - a * BigInt(b); // in 1/10,000 of a minor unit
        expect(error > -5_000n && error <= 5_000n).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses rates outside 0..100%", () => {
    expect(() => splitOrder(100n, -1)).toThrow();
    expect(() => splitOrder(100n, 10_001)).toThrow();
    expect(() => splitOrder(100n, 2.5)).toThrow();
  });
});
