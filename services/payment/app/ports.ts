import type { PricedCheckout } from "../domain/checkout.js";
import type { Dispute } from "../domain/dispute.js";
import type { Payment, RegisteredPayment, RiskResult, StatusChange } from "../domain/payment.js";
import type { PspPayment } from "../domain/psp-payment.js";
import type { PspRefund } from "../domain/psp-refund.js";
import type { Refund } from "../domain/refund.js";
import type { PaymentStatus } from "../domain/status.js";
import type { CapturePlan } from "../domain/transition.js";

export interface RiskPort {
  /** Idempotent on the payment id. */
  assess(payment: Payment): Promise<RiskResult>;
}

export interface PspPort {
  /** Idempotent: our payment id is the PSP idempotency key. The PSP sends the buyer back to its status page. */
  register(payment: Payment): Promise<PspPayment>;
  retrieve(pspPaymentId: string): Promise<PspPayment>;
  /** Idempotent: "capture:<payment id>" is the PSP idempotency key. */
  capture(payment: RegisteredPayment, amountMinor: bigint): Promise<PspPayment>;
  /** Idempotent: "void:<payment id>" is the PSP idempotency key. */
  cancel(payment: RegisteredPayment): Promise<PspPayment>;
  /** Cancels a payment its buyer never paid, as abandoned. Idempotent: "expire:<payment id>" is the PSP idempotency key. */
  abandon(payment: RegisteredPayment): Promise<PspPayment>;
  /** Idempotent: "refund:<refund id>" is the PSP idempotency key. */
  refund(refund: Refund, pspPaymentId: string): Promise<PspRefund>;
  retrieveRefund(pspRefundId: string): Promise<PspRefund>;
}

/** The PSP answered that the object is not in a state for this (HTTP 409): e.g. voiding a payment just paid. */
export class PspConflictError extends Error {
  constructor(
    message: string,
    /** The PSP's error code, e.g. "charge_disputed". */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "PspConflictError";
  }
}

/** The PSP answered that it will not take the payment, whatever the number of retries. */
export class PspRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PspRefusedError";
  }
}

/** The payments the pay-in use cases load and move; each call commits on its own, under the payment's lock. */
export interface PaymentRepository {
  /** Records a new checkout, or finds the one recorded under its checkout_id (refused when its fingerprint differs). */
  createOrGet(
    checkout: PricedCheckout,
    fingerprint: string,
    newPayment: { id: string; statusPageUrl: string },
  ): Promise<Payment>;
  get(paymentId: string): Promise<Payment | undefined>;
  getByPspPaymentId(pspPaymentId: string): Promise<Payment | undefined>;
  /** Records the risk answer once; false when one was recorded first. */
  recordRisk(paymentId: string, risk: RiskResult): Promise<boolean>;
  /** False when the payment was not waiting for a review. */
  recordReview(paymentId: string, review: NonNullable<RiskResult["review"]>): Promise<boolean>;
  /**
   * NOT_STARTED -> EXECUTING with the PSP's ids, and the risk approval that cleared it when none is recorded yet;
   * undefined when it was past NOT_STARTED.
   */
  recordRegistration(paymentId: string, psp: PspPayment, approval?: RiskResult): Promise<Payment | undefined>;
  /** Applies the domain's moveTo with the payment's history row and event; false when the state machine refuses. */
  transition(paymentId: string, change: StatusChange): Promise<boolean>;
  claimStale(staleAfterMs: number, limit: number): Promise<string[]>;
  /** False when the payment is not AUTHORIZED or another plan is under way. */
  recordCapturePlan(paymentId: string, plan: CapturePlan): Promise<boolean>;
  /**
   * Under the payment's row lock, `decide` sees the payment (undefined when there is none) and what its pending
   * capture plan adds up to, and answers the change to make there and then, or an answer of its own, returned as is.
   * "moved", or "refused" when the state machine does not allow the change.
   */
  decideAndMove<A>(
    paymentId: string,
    decide: (payment: Payment | undefined, plannedCapture: bigint | undefined) => LockedDecision<A>,
  ): Promise<A | "moved" | "refused">;
}

export type LockedDecision<A> = { move: StatusChange } | { answer: A };

/** A status change as the payment's history recorded it; `cursor` orders the history. */
export interface RecordedStatusChange {
  cursor: bigint;
  status: PaymentStatus;
  occurredAt: Date;
}

/** What WatchPayment reads: a payment and the history of its status changes, whichever instance made them. */
export interface PaymentHistory {
  get(paymentId: string): Promise<Payment | undefined>;
  /**
   * The payment as it is now and the cursor of its latest status change, read from one snapshot, so that the changes
   * after that cursor are exactly the ones the payment has not shown yet.
   */
  getWithHistoryCursor(paymentId: string): Promise<{ payment: Payment; cursor: bigint } | undefined>;
  /** The status changes of a payment after `cursor`, oldest first. */
  statusChangesAfter(paymentId: string, cursor: bigint): Promise<RecordedStatusChange[]>;
}

/** A refund with the fingerprint of the request that recorded it. */
export type StoredRefund = Refund & { fingerprint: string };

/** The refunds each call reads or changes on its own. */
export interface Refunds {
  find(refundId: string): Promise<StoredRefund | undefined>;
  /** A payment's refunds, oldest first. */
  ofPayment(paymentId: string): Promise<StoredRefund[]>;
  /** Remembers the PSP's refund behind ours; repeating it is harmless. */
  recordPspRefund(refundId: string, pspRefundId: string): Promise<void>;
  /** Claims up to `limit` PENDING refunds untouched for `staleAfterMs`. */
  claimStale(staleAfterMs: number, limit: number): Promise<string[]>;
}

export interface Disputes {
  ofPayment(paymentId: string): Promise<Dispute[]>;
}

/** A payment held under its lock, with its refunds and disputes: what is recorded through it commits together with its events. */
export interface LockedPayment {
  /** The payment as it is under the lock; undefined when there is no such payment. */
  readonly payment: Payment | undefined;
  readonly refunds: {
    find(refundId: string): Promise<StoredRefund | undefined>;
    /** A payment order's refunds, oldest first. */
    ofOrder(orderId: string): Promise<StoredRefund[]>;
    /** A new PENDING refund; its id is free, under the lock, when `find` did not find it. */
    insert(refund: Omit<Refund, "status" | "createdAt" | "updatedAt">, fingerprint: string): Promise<void>;
    /** PENDING -> `status` with its event; undefined when it was already final. */
    settle(
      refundId: string,
      status: "SUCCEEDED" | "FAILED",
      outcome: { failureReason?: string; platformFeeReversedMinor: bigint },
    ): Promise<StoredRefund | undefined>;
    /** What the order's SUCCEEDED refunds add up to. */
    refundedOfOrder(orderId: string): Promise<bigint>;
    /** What each order has had refunded (SUCCEEDED refunds), by order id. */
    refundedByOrder(): Promise<Map<string, bigint>>;
  };
  readonly disputes: {
    /** A dispute that is open or lost: the buyer's bank is handling (or took) the money back. */
    unresolvedOrLost(): Promise<{ disputeId: string; status: string } | undefined>;
    find(disputeId: string): Promise<Dispute | undefined>;
    /** A new OPEN dispute with its event. */
    open(dispute: Omit<Dispute, "paymentId" | "status" | "createdAt" | "updatedAt">): Promise<Dispute>;
    /** OPEN -> WON | LOST with its event; undefined when it was already decided. */
    decide(disputeId: string, status: "WON" | "LOST"): Promise<Dispute | undefined>;
  };
  /** Moves one of the payment's orders (a refund); a new checkout status is recorded and announced like any other. */
  moveOrder(orderId: string, to: PaymentStatus): Promise<void>;
}

/** The unit of work of refunds and disputes: one payment, locked, and everything `work` records, committed together. */
export interface PaymentLocks {
  withLockedPayment<T>(paymentId: string, work: (locked: LockedPayment) => Promise<T>): Promise<T>;
}
