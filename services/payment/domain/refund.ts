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
  if (reason.length > MAX_REASON_LENGTH)
    throw invalidArgument("reason", `must be at most ${MAX_REASON_LENGTH} characters`);
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
    const [only, ...others] = payment.orders;
    if (only !== undefined && others.length === 0) return only;
    throw invalidArgument("order_id", `is required: payment ${payment.id} has ${payment.orders.length} orders`);
  }
  const order = payment.orders.find((o) => o.orderId === orderId);
  if (!order) throw invalidArgument("order_id", `payment ${payment.id} has no order "${orderId}"`);
  return order;
}

type EarlierRefund = Pick<Refund, "amountMinor" | "platformFeeReversedMinor" | "status">;

/**
 * The platform fee a refund of `amountMinor` gives back, after the order's SUCCEEDED refunds: the cumulative rule
 * (docs/architecture.md, "Fee rule for refunds"), so that refunds add up to exactly the order's fee.
 */
export function refundFeeShare(
  order: Pick<PaymentOrder, "amountMinor" | "platformFeeMinor">,
  amountMinor: bigint,
  earlier: readonly EarlierRefund[],
): bigint {
  const succeeded = earlier.filter((r) => r.status === "SUCCEEDED");
  const refunded = succeeded.reduce((sum, r) => sum + r.amountMinor, 0n);
  const reversed = succeeded.reduce((sum, r) => sum + r.platformFeeReversedMinor, 0n);
  return feeReversedUpTo(order, refunded + amountMinor) - reversed;
}

/**
 * Refuses a refund that the order's state, an open or lost dispute, or what remains does not allow (refunds under
 * way count; failed ones gave nothing back). Returns the fee share as things stand; it is fixed when the refund
 * succeeds, from the refunds that succeeded before it.
 */
export function planRefund(
  payment: Payment,
  order: PaymentOrder,
  amount: Money,
  earlier: readonly EarlierRefund[],
  dispute?: { disputeId: string; status: string },
): { platformFeeReversedMinor: bigint } {
  if (dispute) {
    throw failedPrecondition(
      `payment ${payment.id} has a ${dispute.status} dispute ${dispute.disputeId}: the buyer's bank handles its money back, so it cannot be refunded`,
    );
  }
  if (order.status === "REFUNDED")
    throw failedPrecondition(
      `order ${order.orderId} of payment ${payment.id} is fully refunded: nothing is left to refund`,
    );
  if (order.status !== "SUCCEEDED" && order.status !== "PARTIALLY_REFUNDED") {
    throw failedPrecondition(
      `order ${order.orderId} of payment ${payment.id} is ${order.status}: only a paid order can be refunded`,
    );
  }
  if (amount.currency !== payment.currency) {
    throw invalidArgument(
      "amount.currency",
      `is ${amount.currency} but payment ${payment.id} is in ${payment.currency}`,
    );
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
  return { platformFeeReversedMinor: refundFeeShare(order, amount.amountMinor, earlier) };
}

/** An order's status once its succeeded refunds add up to `refundedMinor`. */
export function orderStatusAfterRefunds(order: PaymentOrder, refundedMinor: bigint): "PARTIALLY_REFUNDED" | "REFUNDED" {
  return refundedMinor >= order.amountMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
}
