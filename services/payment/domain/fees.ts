/**
 * The platform's fee on an order: amount x bps / 10,000, rounded half up to the currency's minor unit
 * (a tie goes to the platform). The seller gets the rest, so fee + net is the amount exactly.
 */
export const MAX_FEE_BPS = 10_000;

export interface OrderSplit {
  platformFeeMinor: bigint;
  sellerNetMinor: bigint;
}

export function splitOrder(amountMinor: bigint, feeBps: number): OrderSplit {
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) throw new Error(`fee must be 0..${MAX_FEE_BPS} bps, got ${feeBps}`);
  if (amountMinor <= 0n) throw new Error(`amount must be positive, got ${amountMinor}`);
  const platformFeeMinor = (amountMinor * BigInt(feeBps) + 5_000n) / 10_000n;
  return { platformFeeMinor, sellerNetMinor: amountMinor - platformFeeMinor };
}
