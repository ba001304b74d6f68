/**
 * The payment order state machine (docs/architecture.md, Pay-in):
 *   NOT_STARTED -> EXECUTING -> (PENDING ->) SUCCEEDED | FAILED;  SUCCEEDED -> (PARTIALLY_)REFUNDED.
 * NOT_STARTED -> FAILED is the risk rejection (or a PSP refusal): the payment never reached the buyer.
 * With manual capture the buyer's payment stops at AUTHORIZED, which is captured (SUCCEEDED) or released
 * (VOIDED); an unpaid EXECUTING payment may be voided too.
 */
export const PAYMENT_STATUSES = [
  "NOT_STARTED",
  "EXECUTING",
  "PENDING",
  "SUCCEEDED",
  "FAILED",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
  "AUTHORIZED",
  "VOIDED",
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  NOT_STARTED: ["EXECUTING", "FAILED"],
  EXECUTING: ["PENDING", "AUTHORIZED", "SUCCEEDED", "FAILED", "VOIDED"],
  PENDING: ["AUTHORIZED", "SUCCEEDED", "FAILED"],
  AUTHORIZED: ["SUCCEEDED", "VOIDED"],
  VOIDED: [],
  SUCCEEDED: ["PARTIALLY_REFUNDED", "REFUNDED"],
  PARTIALLY_REFUNDED: ["REFUNDED"],
  FAILED: [],
  REFUNDED: [],
};

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses from which `to` is one step away: the guard of a conditional UPDATE. */
export function statusesBefore(to: PaymentStatus): PaymentStatus[] {
  return PAYMENT_STATUSES.filter((from) => canMove(from, to));
}

/**
 * A checkout's status is the one its orders share. Orders are charged together, so they only part ways
 * when some of them are refunded.
 */
export function checkoutStatus(orderStatuses: readonly PaymentStatus[]): PaymentStatus {
  const [first] = orderStatuses;
  if (first === undefined) throw new Error("a checkout has at least one order");
  return orderStatuses.every((s) => s === first) ? first : "PARTIALLY_REFUNDED";
}
