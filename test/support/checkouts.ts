import { randomUUID } from "node:crypto";
import { createDb } from "../../services/lib/db.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { unary, type GrpcJsClient } from "./grpc-js.js";
import { waitFor } from "./wait.js";

/** Money as grpc-js (proto-loader with longs: String) sends and returns it. */
export const usd = (amountMinor: number | string) => ({ amountMinor: String(amountMinor), currency: "USD" });

/** A CreatePaymentRequest for grpc-js: two orders from two sellers, fresh ids. */
export function sampleCheckout(overrides: Record<string, unknown> = {}) {
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
export async function heldForReview(payments: GrpcJsClient): Promise<string> {
  const { payment } = await unary(payments, "createPayment", sampleCheckout({ orders: [{ orderId: "o1", sellerId: "seller-a", amount: usd(600_000) }] }));
  if (payment.risk?.decision !== "DECISION_REVIEW") throw new Error(`payment ${payment.paymentId} was not held for review: ${JSON.stringify(payment.risk)}`);
  return payment.paymentId;
}

/**
 * Creates the checkout and pays it on the hosted page with `card`; resolves with the payment id once the payment has
 * settled: SUCCEEDED, or FAILED for a card the PSP declines.
 */
export async function payCheckout(payments: GrpcJsClient, request: ReturnType<typeof sampleCheckout>, card: string = TEST_CARDS.success): Promise<string> {
  const { payment } = await unary(payments, "createPayment", request);
  await payOnHostedPage(payment.hostedPageUrl, card);
  await waitForPaymentStatus(payments, payment.paymentId, "SUCCEEDED", "FAILED");
  return payment.paymentId;
}

/** Waits until GetPayment shows the payment in one of `statuses` (names without PAYMENT_STATUS_), and returns it. */
export function waitForPaymentStatus(payments: GrpcJsClient, paymentId: string, ...statuses: string[]): Promise<any> {
  return waitFor(
    () => unary(payments, "getPayment", { paymentId }).then((r) => r.payment),
    (payment) => statuses.includes(payment.status.replace("PAYMENT_STATUS_", "")),
    15_000,
    `payment ${paymentId} to be ${statuses.join(" or ")}`,
  );
}

/**
 * The payments whose stored checkout status (kept by a trigger for listings and stats) differs from the one their
 * orders give: none, whatever flows ran.
 */
export async function checkoutStatusDrift(databaseUrl: string): Promise<{ id: string; stored: string; orders: string }[]> {
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
