import type { PaymentEventData } from "../../lib/events/payment-event.js";

export interface SellerCredit {
  sellerId: string;
  amountMinor: bigint;
}

/** What a succeeded pay-in owes each seller: the net of their orders, one credit per seller, zero nets left out. */
export function payInCredits(event: Pick<PaymentEventData, "orders">): SellerCredit[] {
  const bySeller = new Map<string, bigint>();
  for (const o of event.orders) bySeller.set(o.sellerId, (bySeller.get(o.sellerId) ?? 0n) + o.sellerNetMinor);
  return [...bySeller].filter(([, net]) => net > 0n).map(([sellerId, amountMinor]) => ({ sellerId, amountMinor }));
}
