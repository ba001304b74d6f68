import type { DisputeEventData } from "../../contracts/events/dispute-event.js";
import type { PaymentEventData } from "../../contracts/events/payment-event.js";
import type { RefundEventData } from "../../contracts/events/refund-event.js";
import type { Payout } from "./payout.js";

/** A change of one seller's balance: positive credits, negative debits. */
export interface BalanceChange {
  sellerId: string;
  amountMinor: bigint;
}

/** What a succeeded pay-in owes each seller: the net of their orders, one credit per seller, zero nets left out. */
export function payInCredits(event: Pick<PaymentEventData, "orders">): BalanceChange[] {
  const bySeller = new Map<string, bigint>();
  for (const o of event.orders) bySeller.set(o.sellerId, (bySeller.get(o.sellerId) ?? 0n) + o.sellerNetMinor);
  return [...bySeller].filter(([, net]) => net > 0n).map(([sellerId, amountMinor]) => ({ sellerId, amountMinor }));
}

/** What a succeeded refund takes back from the seller: its seller debit (the platform gives back its fee itself). */
export function refundDebits(event: Pick<RefundEventData, "sellerId" | "sellerDebitMinor">): BalanceChange[] {
  return event.sellerDebitMinor === 0n ? [] : [{ sellerId: event.sellerId, amountMinor: -event.sellerDebitMinor }];
}

/**
 * What a dispute does to each seller: opened, their share is withheld (it may take the balance below zero); won,
 * it comes back; lost, it stays gone.
 */
export function disputeChanges(event: Pick<DisputeEventData, "status" | "shares">): BalanceChange[] {
  if (event.status === "LOST") return [];
  const sign = event.status === "OPEN" ? -1n : 1n;
  return event.shares.map((s) => ({ sellerId: s.sellerId, amountMinor: sign * s.amountMinor }));
}

/** What a settled payout gives back to the seller: a failed payout's whole amount (it was taken when it was made); a paid one, nothing. */
export function payoutReturn(payout: Pick<Payout, "status" | "sellerId" | "amount">): BalanceChange[] {
  return payout.status === "FAILED" ? [{ sellerId: payout.sellerId, amountMinor: payout.amount.amountMinor }] : [];
}
