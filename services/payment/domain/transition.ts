import { splitOrder } from "./fees.js";
import type { Payment, PaymentOrder, StatusChange } from "./payment.js";
import { canMove, checkoutStatus, statusesBefore, type PaymentStatus } from "./status.js";

/** What a pending capture plan asks of each order, by order id (see planCapture). */
export type CapturePlan = ReadonlyMap<string, bigint>;

/** A confirmed capture: each order is charged what was planned for it, its fee at the checkout's rate. */
export function applyCapturePlan(payment: Payment, plan: CapturePlan): Payment {
  const orders = payment.orders.map((o) => {
    const planned = plan.get(o.orderId);
    return planned === undefined
      ? o
      : { ...o, amountMinor: planned, platformFeeMinor: splitOrder(planned, payment.platformFeeBps).platformFeeMinor };
  });
  return { ...payment, orders, total: orders.reduce((sum, o) => sum + o.amountMinor, 0n) };
}

/**
 * The payment after `change`: every order one step from `change.to` moves there, and a move to SUCCEEDED charges
 * the pending capture plan. Undefined when the state machine does not allow the move.
 */
export function moveTo(payment: Payment, change: StatusChange, plan: CapturePlan | undefined): Payment | undefined {
  if (!canMove(payment.status, change.to)) return undefined;
  const charged =
    change.to === "SUCCEEDED" && plan !== undefined && plan.size > 0 ? applyCapturePlan(payment, plan) : payment;
  const before = statusesBefore(change.to);
  return withOrders(
    charged,
    charged.orders.map((o) => (before.includes(o.status) ? { ...o, status: change.to } : o)),
    change,
  );
}

/** The payment after one of its orders moved (a refund); its checkout status follows its orders. */
export function moveOrder(payment: Payment, orderId: string, to: PaymentStatus): Payment {
  return withOrders(
    payment,
    payment.orders.map((o) => (o.orderId === orderId ? { ...o, status: to } : o)),
    { to },
  );
}

function withOrders(payment: Payment, orders: PaymentOrder[], { failure, pendingReason }: StatusChange): Payment {
  return {
    ...payment,
    orders,
    status: checkoutStatus(orders.map((o) => o.status)),
    ...(failure && { failure }),
    ...(pendingReason && { pendingReason }),
  };
}
