import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { PaymentStatus, type CreatePaymentRequestSchema, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { Decision } from "../../gen/risk/v1/risk_pb.js";
import { createDb } from "../../services/lib/db.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import type { ServiceClient } from "./clients.js";
import { waitFor } from "./wait.js";

type Payments = ServiceClient<"payment">;
export type CheckoutRequest = MessageInitShape<typeof CreatePaymentRequestSchema>;

export const usd = (amountMinor: bigint | number) => ({ amountMinor: BigInt(amountMinor), currency: "USD" });

/** A CreatePaymentRequest: two orders from two sellers, fresh ids. */
export function sampleCheckout<O extends CheckoutRequest = {}>(overrides: O = {} as O) {
  return {
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    buyerCountry: "US",
    orders: [
      { orderId: "order-1", sellerId: "seller-a", amount: usd(2_500) },
      { orderId: "order-2", sellerId: "seller-b", amount: usd(1_000) },
    ],
    ...overrides,
  };
}

/** Creates a 6,000.00 USD checkout, over the default risk rules' review threshold (5,000.00 USD): held for a person; its payment id. */
export async function heldForReview(payments: Payments): Promise<string> {
  const { payment } = await payments.createPayment(
    sampleCheckout({ orders: [{ orderId: "o1", sellerId: "seller-a", amount: usd(600_000) }] }),
  );
  if (payment!.risk?.decision !== Decision.REVIEW)
    throw new Error(
      `payment ${payment!.paymentId} was not held for review: ${JSON.stringify(payment!.risk?.decision)}`,
    );
  return payment!.paymentId;
}

/**
 * Creates the checkout and pays it on the hosted page with `card`; resolves with the payment id once the payment has
 * settled: SUCCEEDED, or FAILED for a card the PSP declines.
 */
export async function payCheckout(
  payments: Payments,
  request: CheckoutRequest,
  card: string = TEST_CARDS.success,
): Promise<string> {
  const { payment } = await payments.createPayment(request);
  await payOnHostedPage(payment!.hostedPageUrl, card);
  await waitForStatus(payments, payment!.paymentId, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED);
  return payment!.paymentId;
}

/** Waits until GetPayment shows the payment in one of `statuses`, and returns it. */
export function waitForStatus(payments: Payments, paymentId: string, ...statuses: PaymentStatus[]): Promise<Payment> {
  return waitFor(
    () => payments.getPayment({ paymentId }).then((r) => r.payment!),
    (payment) => statuses.includes(payment.status),
    15_000,
    `payment ${paymentId} to be ${statuses.map((s) => PaymentStatus[s]).join(" or ")}`,
  );
}

/**
 * The payments whose stored checkout status (kept by a trigger for listings and stats) differs from the one their
 * orders give: none, whatever flows ran.
 */
export async function checkoutStatusDrift(
  databaseUrl: string,
): Promise<{ id: string; stored: string; orders: string }[]> {
  const db = createDb(databaseUrl, PAYMENT_SCHEMA);
  try {
    const { rows } = await db.raw(`
      select p.id, p.checkout_status as stored, o.status as orders
      from payments p
      join (select payment_id, case when min(status) = max(status) then min(status) else 'PARTIALLY_REFUNDED' end as status
            from payment_orders group by payment_id) o on o.payment_id = p.id
      where p.checkout_status <> o.status`);
    return rows;
  } finally {
    await db.destroy();
  }
}
