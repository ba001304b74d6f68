export type DisputeStatus = "OPEN" | "WON" | "LOST";

export interface DisputeShare {
  orderId: string;
  sellerId: string;
  amountMinor: bigint;
}

export interface Dispute {
  disputeId: string;
  paymentId: string;
  currency: string;
  amountMinor: bigint;
  status: DisputeStatus;
  reason: string;
  shares: DisputeShare[];
  createdAt: Date;
  updatedAt: Date;
}

/** An order, with what it still holds: charged minus refunded. */
export interface OrderHolding {
  orderId: string;
  sellerId: string;
  holdsMinor: bigint;
}

/**
 * Splits a disputed amount over the orders in proportion to what each still holds, exactly: each gets the floor
 * of its share, and the minor units left over go one each to the largest remainders (the earlier order on a tie).
 * Undefined when the amount is more than the orders hold together.
 */
export function shareDispute(orders: readonly OrderHolding[], amountMinor: bigint): DisputeShare[] | undefined {
  const held = orders.reduce((sum, o) => sum + o.holdsMinor, 0n);
  if (amountMinor <= 0n || amountMinor > held) return undefined;
  const shares = orders.map((o, position) => ({
    order: o,
    position,
    floor: (amountMinor * o.holdsMinor) / held,
    remainder: (amountMinor * o.holdsMinor) % held,
  }));
  let left = amountMinor - shares.reduce((sum, s) => sum + s.floor, 0n);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.position - b.position : a.remainder > b.remainder ? -1 : 1,
  );
  for (const s of byRemainder) {
    if (left === 0n) break;
    s.floor += 1n;
    left -= 1n;
  }
  return shares
    .filter((s) => s.floor > 0n)
    .map((s) => ({ orderId: s.order.orderId, sellerId: s.order.sellerId, amountMinor: s.floor }));
}
