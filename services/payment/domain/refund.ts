import { failedPrecondition, invalidArgument } from "../../lib/errors.js";
import { formatMoney, type Money } from "../../lib/money.js";
import { requireId, requirePositiveMoney } from "../../lib/validate.js";
import { feeReversedUpTo } from "./fees.js";
import type { Payment, PaymentOrder } from "./payment.js";

export type RefundStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export interface RefundInput {
  refundId: string;
  paymentId: string;
  orderId: string;
  amount: Money | undefined;
  reason: string;
}

export interface RefundRequest {
  refundId: string;
  paymentId: string;
  orderId: string;
  amount: Money;
  reason: string;
}

export interface Refund {
  refundId: string;
  paymentId: string;
  orderId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  platformFeeReversedMinor: bigint;
  status: RefundStatus;
  pspRefundId?: string;
  reason: string;
  failureReason?: string;
  createdAt: Date;
  updatedAt: Date;
}

const MAX_REASON_LENGTH = 500;

export function validateRefund(input: RefundInput): RefundRequest {
  const reason = input.reason.trim();
  if (reason.length > MAX_REASON_LENGTH) throw invalidArgument("reason", `must be at most ${MAX_REASON_LENGTH} characters`);
  return {
    refundId: requireId("refund_id", input.refundId),
    paymentId: requireId("payment_id", input.paymentId),
    orderId: input.orderId === "" ? "" : requireId("order_id", input.orderId),
    amount: requirePositiveMoney("amount", input.amount),
    reason,
  };
}

/** What the refund request is, for telling a repeat from a different request under the same refund_id. */
export function refundFingerprint(r: RefundRequest): string {
  return JSON.stringify([r.paymentId, r.orderId, r.amount.amountMinor.toString(), r.amount.currency, r.reason]);
}

/** The order a refund is for: the one named, or the only one. */
export function refundedOrder(payment: Payment, orderId: string): PaymentOrder {
  if (orderId === "") {
    if (payment.orders.length === 1) return payment.orders[0]!;
    throw invalidArgument("order_id", `is required: payment ${payment.id} has ${payment.orders.length} orders`);
  }
  const order = payment.orders.find((o) => o.orderId === orderId);
  if (!order) throw invalidArgument("order_id", `payment ${payment.id} has no order "${orderId}"`);
  return order;
}

/**
 * The split of a new refund of `amountMinor` on `order`, given the refunds already made or under way (failed ones
 * gave nothing back, so they do not count). Refuses what the order's state or what remains does not allow.
 */
export function planRefund(
  payment: Payment,
  order: PaymentOrder,
  amount: Money,
  earlier: readonly Pick<Refund, "amountMinor" | "platformFeeReversedMinor" | "status">[],
): { platformFeeReversedMinor: bigint } {
  if (order.status === "REFUNDED") throw failedPrecondition(`order ${order.orderId} of payment ${payment.id} is fully refunded: nothing is left to refund`);
  if (order.status !== "SUCCEEDED" && order.status !== "PARTIALLY_REFUNDED") {
    throw failedPrecondition(`order ${order.orderId} of payment ${payment.id} is ${order.status}: only a paid order can be refunded`);
  }
  if (amount.currency !== payment.currency) {
    throw invalidArgument("amount.currency", `is ${amount.currency} but payment ${payment.id} is in ${payment.currency}`);
  }
  const counted = earlier.filter((r) => r.status !== "FAILED");
  const refunded = counted.reduce((sum, r) => sum + r.amountMinor, 0n);
  const remaining = order.amountMinor - refunded;
  if (amount.amountMinor > remaining) {
    const money = (amountMinor: bigint) => formatMoney({ amountMinor, currency: payment.currency });
    throw failedPrecondition(
      `order ${order.orderId} of payment ${payment.id} has ${money(remaining)} left to refund ` +
        `(paid ${money(order.amountMinor)}, refunded or being refunded ${money(refunded)}); asked for ${money(amount.amountMinor)}`,
    );
  }
  const feeReversedBefore = counted.reduce((sum, r) => sum + r.platformFeeReversedMinor, 0n);
  const share = feeReversedUpTo(order, refunded + amount.amountMinor) - feeReversedBefore;
  // Only a refund that failed after later ones were planned can push the share a unit out of range.
  const clamped = share < 0n ? 0n : share > amount.amountMinor ? amount.amountMinor : share;
  return { platformFeeReversedMinor: clamped };
}

/** An order's status once its succeeded refunds add up to `refundedMinor`. */
export function orderStatusAfterRefunds(order: PaymentOrder, refundedMinor: bigint): "PARTIALLY_REFUNDED" | "REFUNDED" {
  return refundedMinor >= order.amountMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
}
