import { failedPrecondition, invalidArgument } from "../../lib/errors.js";
import type { Money } from "../../lib/money.js";
import { requireId, requirePositiveMoney } from "../../lib/validate.js";
import type { Payment } from "./payment.js";

export interface OrderCaptureInput {
  orderId: string;
  amount: Money | undefined;
}

/**
 * What to capture of each order of an AUTHORIZED payment: all of it when `orders` is empty; otherwise every
 * order, once, with 1..its authorized amount.
 */
export function planCapture(payment: Payment, orders: readonly OrderCaptureInput[]): Map<string, bigint> {
  if (payment.captureMethod !== "MANUAL")
    throw failedPrecondition(`payment ${payment.id} was captured automatically when the buyer paid`);
  if (payment.status !== "AUTHORIZED")
    throw failedPrecondition(`payment ${payment.id} is ${payment.status}: only an AUTHORIZED payment can be captured`);
  if (orders.length === 0) return new Map(payment.orders.map((o) => [o.orderId, o.requestedMinor]));
  const plan = new Map<string, bigint>();
  orders.forEach((input, i) => {
    const orderId = requireId(`orders[${i}].order_id`, input.orderId);
    const order = payment.orders.find((o) => o.orderId === orderId);
    if (!order) throw invalidArgument(`orders[${i}].order_id`, `payment ${payment.id} has no order "${orderId}"`);
    if (plan.has(orderId)) throw invalidArgument(`orders[${i}].order_id`, `"${orderId}" appears more than once`);
    const amount = requirePositiveMoney(`orders[${i}].amount`, input.amount);
    if (amount.currency !== payment.currency)
      throw invalidArgument(
        `orders[${i}].amount.currency`,
        `is ${amount.currency} but the payment is in ${payment.currency}`,
      );
    if (amount.amountMinor > order.requestedMinor) {
      throw invalidArgument(
        `orders[${i}].amount.amount_minor`,
        `${amount.amountMinor} is more than the ${order.requestedMinor} authorized for order ${orderId}`,
      );
    }
    plan.set(orderId, amount.amountMinor);
  });
  const missing = payment.orders.filter((o) => !plan.has(o.orderId)).map((o) => o.orderId);
  if (missing.length > 0)
    throw invalidArgument("orders", `must list every order of the payment; missing ${missing.join(", ")}`);
  return plan;
}
