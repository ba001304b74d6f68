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
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS)
    throw new Error(`fee must be 0..${MAX_FEE_BPS} bps, got ${feeBps}`);
  if (amountMinor <= 0n) throw new Error(`amount must be positive, got ${amountMinor}`);
  const platformFeeMinor = (amountMinor * BigInt(feeBps) + 5_000n) / 10_000n;
  return { platformFeeMinor, sellerNetMinor: amountMinor - platformFeeMinor };
}

/**
 * The platform fee given back when `refundedAfterMinor` of an order has been refunded in all: the fee's share of
 * it, rounded half up. A refund reverses the difference with what earlier refunds reversed, so partial refunds
 * add up to exactly the order's fee once the whole order is refunded, whatever their sizes.
 */
export function feeReversedUpTo(
  order: { amountMinor: bigint; platformFeeMinor: bigint },
  refundedAfterMinor: bigint,
): bigint {
  if (refundedAfterMinor < 0n || refundedAfterMinor > order.amountMinor) {
    throw new Error(`refunded total must be 0..${order.amountMinor}, got ${refundedAfterMinor}`);
  }
  return (2n * order.platformFeeMinor * refundedAfterMinor + order.amountMinor) / (2n * order.amountMinor);
}
