import { PaymentStatus, type Payment } from "../../gen/payment/v1/payment_pb.js";
import type { PaymentObject } from "../../psp-simulator/payments.js";
import { JOURNEYS, type Checkout } from "./journeys.js";
import { CHARGED_STATUSES } from "./views.js";

/** Our status for a PSP status that is final; the PSP's other statuses must not be final here. */
const OURS_FOR_PSP: Record<string, PaymentStatus> = {
  succeeded: PaymentStatus.SUCCEEDED,
  failed: PaymentStatus.FAILED,
};

/** How our payment ended at the PSP: a refunded one was charged (the PSP keeps it succeeded, with an amount refunded). */
const outcomeOf = (payment: Payment) =>
  CHARGED_STATUSES.includes(payment.status) ? PaymentStatus.SUCCEEDED : payment.status;

/** What comparing the checkouts driven, our payments and the PSP's found wrong; every list empty means right. */
export interface Reconciliation {
  /** Checkouts the PSP charged more than once. */
  doubleCharges: string[];
  /** Checkouts registered at the PSP more than once (a charge waiting to happen twice). */
  duplicateRegistrations: string[];
  /** Checkouts the PSP charged that we do not have as SUCCEEDED, or that we have no payment for. */
  lost: string[];
  /** Our payment differs from the PSP's (status, PSP id) or from what the buyer did; payments nobody drove. */
  disagreements: string[];
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export function reconcile(checkouts: Checkout[], ours: Payment[], atPsp: PaymentObject[]): Reconciliation {
  const result: Reconciliation = { doubleCharges: [], duplicateRegistrations: [], lost: [], disagreements: [] };
  const oursByCheckout = groupBy(ours, (p) => p.checkoutId);
  const pspByCheckout = groupBy(atPsp, (p) => p.metadata.checkout_id ?? `(no checkout_id on ${p.id})`);
  const driven = new Set(checkouts.map((c) => c.request.checkoutId));
  for (const checkoutId of new Set([...oursByCheckout.keys(), ...pspByCheckout.keys()])) {
    if (!driven.has(checkoutId))
      result.disagreements.push(`${checkoutId}: a payment no checkout of this run asked for`);
  }

  for (const { request, journey } of checkouts) {
    const id = request.checkoutId;
    const theirs = pspByCheckout.get(id) ?? [];
    const charged = theirs.filter((p) => p.status === "succeeded");
    if (charged.length > 1)
      result.doubleCharges.push(`${id}: charged ${charged.length} times (${charged.map((p) => p.id).join(", ")})`);
    if (theirs.length > 1)
      result.duplicateRegistrations.push(
        `${id}: ${theirs.length} PSP payments (${theirs.map((p) => p.id).join(", ")})`,
      );

    const mine = oursByCheckout.get(id) ?? [];
    if (mine.length !== 1) {
      result.lost.push(`${id}: ${mine.length} payments on our side`);
      continue;
    }
    const payment = mine[0]!;
    const status = PaymentStatus[payment.status];
    if (charged.length > 0 && outcomeOf(payment) !== PaymentStatus.SUCCEEDED) {
      result.lost.push(`${id}: the PSP charged ${charged[0]!.id}, we have ${payment.paymentId} ${status}`);
    }
    const expected = JOURNEYS[journey];
    if (outcomeOf(payment) !== expected)
      result.disagreements.push(
        `${id} (${journey}): ${payment.paymentId} is ${status}, expected ${PaymentStatus[expected]}`,
      );
    const psp = theirs.find((p) => p.id === payment.pspPaymentId);
    if (!psp) {
      result.disagreements.push(
        `${id}: our psp_payment_id "${payment.pspPaymentId}" is none of the PSP's [${theirs.map((p) => p.id).join(", ")}]`,
      );
    } else if (OURS_FOR_PSP[psp.status] !== outcomeOf(payment)) {
      result.disagreements.push(`${id}: ${payment.paymentId} is ${status}, the PSP's ${psp.id} is ${psp.status}`);
    }
  }
  return result;
}
