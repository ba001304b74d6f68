import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shareDispute } from "./dispute.js";

const order = (orderId: string, holdsMinor: bigint) => ({ orderId, sellerId: `s-${orderId}`, holdsMinor });

describe("dispute shares", () => {
  it("split the amount in proportion to what each order holds, adding up exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 1, maxLength: 10 }),
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        (holds, wanted) => {
          const orders = holds.map((h, i) => order(`o${i}`, h));
          const held = holds.reduce((a, b) => a + b, 0n);
          const amount = held === 0n ? 1n : ((wanted - 1n) % held) + 1n;
          const shares = shareDispute(orders, amount);
          if (held === 0n) {
            expect(shares).toBeUndefined();
            return;
          }
          expect(shares!.reduce((sum, s) => sum + s.amountMinor, 0n)).toBe(amount);
          for (const s of shares!) {
            const o = orders.find((x) => x.orderId === s.orderId)!;
            // Within one minor unit of the exact proportion, and never more than the order holds.
            expect(s.amountMinor * held - amount * o.holdsMinor < held).toBe(true);
            expect(s.amountMinor <= o.holdsMinor).toBe(true);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("gives the odd units to the largest remainders, the earlier order on a tie", () => {
    expect(
      shareDispute([order("a", 1n), order("b", 1n), order("c", 1n)], 2n)!.map((s) => [s.orderId, s.amountMinor]),
    ).toEqual([
      ["a", 1n],
      ["b", 1n],
    ]);
    expect(shareDispute([order("a", 2_500n), order("b", 1_000n)], 3_500n)!.map((s) => s.amountMinor)).toEqual([
      2_500n,
      1_000n,
    ]);
  });

  it("refuses more than the orders hold", () => {
    expect(shareDispute([order("a", 100n)], 101n)).toBeUndefined();
  });
});
