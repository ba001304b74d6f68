import { failedPrecondition, notFound } from "../../lib/errors.js";
import { failpoint } from "../../lib/failpoints.js";
import { invariant } from "../../lib/invariant.js";
import { newId } from "../../lib/ids.js";
import { formatMoney } from "../../lib/money.js";
import type { Logger } from "../../lib/log.js";
import { priceCheckout, validateCheckout, type Checkout, type CheckoutInput } from "../domain/checkout.js";
import {
  awaitsReview,
  clearedForPsp,
  failedBecause,
  isCharged,
  isRegistered,
  riskRejection,
  type Payment,
  type RegisteredPayment,
  type ReviewOutcome,
  type RiskResult,
} from "../domain/payment.js";
import { changeFromPsp, isAbandoned, type PspPayment } from "../domain/psp-payment.js";
import { planCapture, type OrderCaptureInput } from "../domain/capture.js";
import { PspConflictError, PspRefusedError, type PaymentRepository, type PspPort, type RiskPort } from "./ports.js";

export type PspUpdateOutcome = "applied" | "unchanged" | "unknown_payment" | "amount_mismatch";

/** A repeated capture gets the payment back; one asking for other amounts than were captured is refused. */
function sameCaptureAgain(payment: Payment, orders: readonly OrderCaptureInput[]): Payment {
  const differs = orders.some((o) => {
    const order = payment.orders.find((x) => x.orderId === o.orderId);
    return order === undefined || o.amount?.amountMinor !== order.amountMinor || o.amount.currency !== payment.currency;
  });
  if (differs) {
    const captured = formatMoney({ amountMinor: payment.total, currency: payment.currency });
    throw failedPrecondition(`payment ${payment.id} was already captured (${captured}); a capture cannot be changed`);
  }
  return payment;
}

/** A capture the PSP reports must be the one we asked for (or, with no request of ours, all of it). */
function capturedAsPlanned(payment: Payment, psp: PspPayment, plannedCapture: bigint | undefined): boolean {
  if (payment.captureMethod !== "MANUAL" || psp.status !== "succeeded") return true;
  return psp.amountCapturedMinor === (plannedCapture ?? payment.requestedTotal);
}

export interface PaymentFlowDeps {
  store: PaymentRepository;
  risk: RiskPort;
  psp: PspPort;
  log: Logger;
  platformFeeBps: number;
  /** The hosts a return_url may name; any when undefined. */
  returnUrlHosts?: ReadonlySet<string>;
  /** Where the buyer lands after the hosted page. */
  statusPageUrl: (paymentId: string) => string;
  /** A payment its buyer has not paid this long after checkout is canceled at the PSP and fails as expired. */
  expireUnpaidAfterMs: number;
}

/**
 * The pay-in use cases. Every step is idempotent and safe to run concurrently on several instances, so that a
 * retried call, a webhook and the poller can all push the same payment forward without harm.
 */
export class PaymentFlow {
  private readonly store: PaymentRepository;
  private readonly risk: RiskPort;
  private readonly psp: PspPort;
  private readonly log: Logger;

  constructor(private readonly deps: PaymentFlowDeps) {
    ({ store: this.store, risk: this.risk, psp: this.psp, log: this.log } = deps);
  }

  /** The checkout CreatePayment was sent, validated; INVALID_ARGUMENT names the field at fault. */
  validate(input: CheckoutInput): Checkout {
    return validateCheckout(input, this.deps.returnUrlHosts);
  }

  /**
   * Records the checkout's payment, its fees at the platform's rate, or finds the one recorded under its checkout_id
   * (ALREADY_EXISTS when `fingerprint` differs); `created` says which. CreatePayment then takes it as far as it goes
   * with `advance`, which also resumes an interrupted first attempt.
   */
  async createOrGet(checkout: Checkout, fingerprint: string): Promise<{ payment: Payment; created: boolean }> {
    const paymentId = newId("pay");
    const payment = await this.store.createOrGet(priceCheckout(checkout, this.deps.platformFeeBps), fingerprint, {
      id: paymentId,
      statusPageUrl: this.deps.statusPageUrl(paymentId),
    });
    return { payment, created: payment.id === paymentId };
  }

  async get(paymentId: string): Promise<Payment> {
    const payment = await this.store.get(paymentId);
    if (!payment) throw notFound(`payment "${paymentId}" does not exist`);
    return payment;
  }

  /** Takes a NOT_STARTED payment as far as it can go without the buyer: risk check, then PSP registration. */
  async advance(current: Payment): Promise<Payment> {
    if (current.status !== "NOT_STARTED") return current;
    let payment = current;
    let approval: RiskResult | undefined;
    if (!payment.risk) {
      const risk = await this.risk.assess(payment);
      if (risk.decision === "APPROVE") {
        // Recorded with the registration it clears: the risk service answers a payment alike every time, so an
        // attempt interrupted in between gets the same approval again.
        approval = risk;
        payment = { ...payment, risk };
      } else {
        // Another instance may have recorded its own answer first: then that one stands.
        payment = (await this.store.recordRisk(payment.id, risk)) ? { ...payment, risk } : await this.get(payment.id);
      }
    }
    if (payment.risk?.decision === "REJECT") {
      await this.store.transition(payment.id, riskRejection(payment.risk));
    } else if (clearedForPsp(payment)) {
      const registered = await this.register(payment, approval);
      if (registered !== undefined) return registered;
    }
    return this.get(payment.id);
  }

  async decideReview(paymentId: string, outcome: ReviewOutcome, reviewer: string, note: string): Promise<Payment> {
    const payment = await this.get(paymentId);
    const earlier = payment.risk?.review;
    // The same decision again (a retry after its answer was lost) is answered as the first, not refused.
    const again = earlier?.outcome === outcome && earlier.reviewer === reviewer && earlier.note === note;
    const recorded =
      again || (awaitsReview(payment) && (await this.store.recordReview(paymentId, { outcome, reviewer, note })));
    if (!recorded) {
      throw failedPrecondition(
        `payment "${paymentId}" is not waiting for a risk review (status ${payment.status}, risk decision ${payment.risk?.decision ?? "none"}` +
          `${payment.risk?.review ? `, already ${payment.risk.review.outcome} by ${payment.risk.review.reviewer}` : ""})`,
      );
    }
    if (outcome === "REJECTED") {
      await this.store.transition(paymentId, failedBecause(`rejected on risk review by ${reviewer}: ${note}`));
    }
    return this.advance(await this.get(paymentId));
  }

  /**
   * Applies what the PSP says about a payment (webhook or poll), checked and applied under the payment's row lock.
   * Statuses only move forward.
   */
  async applyPspUpdate(psp: PspPayment): Promise<PspUpdateOutcome> {
    const change = changeFromPsp(psp);
    type Answer = "unknown_payment" | "amount_mismatch" | "unregistered" | "unchanged";
    const outcome = await this.store.decideAndMove<Answer>(psp.reference, (payment, plannedCapture) => {
      if (!payment || (payment.pspPaymentId !== undefined && payment.pspPaymentId !== psp.id))
        return { answer: "unknown_payment" };
      if (
        psp.amountMinor !== payment.requestedTotal ||
        psp.currency !== payment.currency ||
        !capturedAsPlanned(payment, psp, plannedCapture)
      ) {
        this.log.error("PSP reports a different amount than we registered; needs a person", {
          paymentId: payment.id,
          ours: `${payment.requestedTotal} ${payment.currency}`,
          psp: `${psp.amountMinor} ${psp.currency}, captured ${psp.amountCapturedMinor}`,
        });
        return { answer: "amount_mismatch" };
      }
      if (payment.pspPaymentId === undefined) return { answer: "unregistered" };
      return change.to === "EXECUTING" ? { answer: "unchanged" } : { move: change };
    });
    if (outcome === "unregistered") {
      // The PSP knows it, so it was registered even if we never recorded the answer (crash, lost response).
      await this.store.recordRegistration(psp.reference, psp);
      if (change.to === "EXECUTING") return "unchanged";
      return (await this.store.transition(psp.reference, change)) ? "applied" : "unchanged";
    }
    if (outcome === "moved") return "applied";
    return outcome === "refused" ? "unchanged" : outcome;
  }

  claimStale(staleAfterMs: number, limit: number): Promise<string[]> {
    return this.store.claimStale(staleAfterMs, limit);
  }

  /** Charges an AUTHORIZED payment: all of it, or `orders` amounts; the rest of the authorization is released. */
  async capture(paymentId: string, orders: readonly OrderCaptureInput[]): Promise<Payment> {
    const payment = await this.get(paymentId);
    if (payment.captureMethod === "MANUAL" && isCharged(payment.status)) return sameCaptureAgain(payment, orders);
    const plan = planCapture(payment, orders);
    invariant(isRegistered(payment), `the AUTHORIZED payment ${paymentId} has a PSP payment id`);
    if (!(await this.store.recordCapturePlan(paymentId, plan))) {
      throw failedPrecondition(
        `payment ${paymentId} has another capture under way, or is no longer AUTHORIZED; read it with GetPayment`,
      );
    }
    const total = [...plan.values()].reduce((sum, amount) => sum + amount, 0n);
    let outcome: PspUpdateOutcome;
    try {
      outcome = await this.applyPspUpdate(await this.psp.capture(payment, total));
    } catch (err) {
      if (!(err instanceof PspConflictError || err instanceof PspRefusedError)) throw err;
      // E.g. the authorization expired or was voided meanwhile: the PSP's view says what the payment is now.
      await this.applyPspUpdate(await this.psp.retrieve(payment.pspPaymentId));
      throw failedPrecondition(
        `the PSP refused the capture of payment ${paymentId} (${err.message}); it is ${(await this.get(paymentId)).status}`,
      );
    }
    if (outcome === "amount_mismatch")
      throw failedPrecondition(
        `the PSP captured another amount than asked for payment ${paymentId}; a person must look at it`,
      );
    return this.get(paymentId);
  }

  /** Releases an authorization, or a payment the buyer has not paid: VOIDED, nothing charged. */
  async void(paymentId: string): Promise<Payment> {
    const payment = await this.get(paymentId);
    if (payment.status === "VOIDED") return payment;
    if (!isRegistered(payment) || (payment.status !== "AUTHORIZED" && payment.status !== "EXECUTING")) {
      throw failedPrecondition(
        `payment ${paymentId} is ${payment.status}: only an AUTHORIZED payment, or one not paid yet, can be voided`,
      );
    }
    try {
      await this.applyPspUpdate(await this.psp.cancel(payment));
    } catch (err) {
      if (!(err instanceof PspConflictError)) throw err;
      // The buyer paid in the meantime: the PSP's view tells what the payment is now.
      await this.applyPspUpdate(await this.psp.retrieve(payment.pspPaymentId));
      const now = await this.get(paymentId);
      if (now.status !== "VOIDED")
        throw failedPrecondition(`payment ${paymentId} is ${now.status} at the PSP: it can no longer be voided`);
    }
    return this.get(paymentId);
  }

  /** Resolves an in-flight payment without waiting for anyone: resumes it, or asks the PSP where it stands. */
  async refresh(paymentId: string): Promise<void> {
    const payment = await this.get(paymentId);
    if (payment.status === "NOT_STARTED") {
      if (!awaitsReview(payment)) await this.advance(payment);
    } else if (isRegistered(payment)) {
      const psp = await this.psp.retrieve(payment.pspPaymentId);
      const outcome = await this.applyPspUpdate(psp);
      if (outcome === "amount_mismatch")
        throw failedPrecondition(
          `the PSP reports another amount than ours for payment ${paymentId}; a person must look at it`,
        );
      if (isAbandoned(psp, payment.createdAt, this.deps.expireUnpaidAfterMs, Date.now())) await this.expire(payment);
    }
  }

  /** Cancels at the PSP a payment its buyer never paid; the PSP's answer (canceled, or paid just now) is applied. */
  private async expire(payment: RegisteredPayment): Promise<void> {
    let psp: PspPayment;
    try {
      psp = await this.psp.abandon(payment);
    } catch (err) {
      if (!(err instanceof PspConflictError)) throw err;
      // The buyer paid (or the PSP moved it on) in the meantime: that stands.
      psp = await this.psp.retrieve(payment.pspPaymentId);
    }
    if ((await this.applyPspUpdate(psp)) === "applied") {
      this.log.info(
        psp.status === "canceled"
          ? "payment expired unpaid: canceled at the PSP"
          : "payment moved on at the PSP as it expired",
        { paymentId: payment.id, psp: psp.status },
      );
    }
  }

  /** The payment as registration moved it; undefined when it did not move it (refused, or moved elsewhere first). */
  private async register(payment: Payment, approval: RiskResult | undefined): Promise<Payment | undefined> {
    try {
      const registered = await this.psp.register(payment);
      failpoint("payment.after-psp-register");
      return await this.store.recordRegistration(payment.id, registered, approval);
    } catch (err) {
      if (!(err instanceof PspRefusedError)) throw err;
      if (approval) await this.store.recordRisk(payment.id, approval);
      await this.store.transition(payment.id, failedBecause(`the PSP refused the payment: ${err.message}`));
      return undefined;
    }
  }
}
