import { failedPrecondition, notFound } from "../../lib/errors.js";
import { failpoint } from "../../lib/failpoints.js";
import { newId } from "../../lib/ids.js";
import type { Logger } from "../../lib/log.js";
import { checkoutFingerprint, priceCheckout, validateCheckout, type CheckoutInput } from "../domain/checkout.js";
import { awaitsReview, clearedForPsp, failedBecause, riskRejection, type Payment, type ReviewOutcome } from "../domain/payment.js";
import { changeFromPsp, type PspPayment } from "../domain/psp-payment.js";
import type { PaymentStore } from "../store/payment-store.js";
import { PspRefusedError, type PspPort, type RiskPort } from "./ports.js";

export type PspUpdateOutcome = "applied" | "unchanged" | "unknown_payment" | "amount_mismatch";

/**
 * The pay-in use cases. Every step is idempotent and safe to run concurrently on several instances, so that a
 * retried call, a webhook and the poller can all push the same payment forward without harm.
 */
export class PaymentFlow {
  constructor(
    private readonly store: PaymentStore,
    private readonly risk: RiskPort,
    private readonly psp: PspPort,
    private readonly log: Logger,
    private readonly platformFeeBps: number,
    /** Where the buyer lands after the hosted page. */
    private readonly statusPageUrl: (paymentId: string) => string,
  ) {}

  async create(input: CheckoutInput): Promise<Payment> {
    const checkout = validateCheckout(input);
    const priced = priceCheckout(checkout, this.platformFeeBps);
    const payment = await this.store.createOrGet(priced, checkoutFingerprint(checkout), newId("pay"));
    const advanced = await this.advance(payment);
    failpoint("payment.before-create-response");
    return advanced;
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
    if (!payment.risk) {
      await this.store.recordRisk(payment.id, await this.risk.assess(payment));
      payment = await this.get(payment.id);
    }
    if (payment.risk?.decision === "REJECT") {
      await this.store.transition(payment.id, riskRejection(payment.risk));
    } else if (clearedForPsp(payment)) {
      await this.register(payment);
    }
    return this.get(payment.id);
  }

  async decideReview(paymentId: string, outcome: ReviewOutcome, reviewer: string, note: string): Promise<Payment> {
    const payment = await this.get(paymentId);
    const recorded = awaitsReview(payment) && (await this.store.recordReview(paymentId, { outcome, reviewer, note }));
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

  /** Applies what the PSP says about a payment (webhook or poll). Statuses only move forward. */
  async applyPspUpdate(psp: PspPayment): Promise<PspUpdateOutcome> {
    const payment = await this.store.get(psp.reference);
    if (!payment || (payment.pspPaymentId !== undefined && payment.pspPaymentId !== psp.id)) return "unknown_payment";
    if (psp.amountMinor !== payment.total || psp.currency !== payment.currency) {
      this.log.error("PSP reports a different amount than we registered; needs a person", {
        paymentId: payment.id,
        ours: `${payment.total} ${payment.currency}`,
        psp: `${psp.amountMinor} ${psp.currency}`,
      });
      return "amount_mismatch";
    }
    // The PSP knows it, so it was registered even if we never recorded the answer (crash, lost response).
    if (payment.pspPaymentId === undefined) await this.store.recordRegistration(payment.id, psp);
    const change = changeFromPsp(psp);
    if (change.to === "EXECUTING") return "unchanged";
    return (await this.store.transition(payment.id, change)) ? "applied" : "unchanged";
  }

  /** Resolves an in-flight payment without waiting for anyone: resumes it, or asks the PSP where it stands. */
  async refresh(paymentId: string): Promise<void> {
    const payment = await this.get(paymentId);
    if (payment.status === "NOT_STARTED") {
      if (!awaitsReview(payment)) await this.advance(payment);
    } else if (payment.pspPaymentId !== undefined) {
      await this.applyPspUpdate(await this.psp.retrieve(payment.pspPaymentId));
    }
  }

  private async register(payment: Payment): Promise<void> {
    try {
      const registered = await this.psp.register(payment, this.statusPageUrl(payment.id));
      failpoint("payment.after-psp-register");
      await this.store.recordRegistration(payment.id, registered);
    } catch (err) {
      if (!(err instanceof PspRefusedError)) throw err;
      await this.store.transition(payment.id, failedBecause(`the PSP refused the payment: ${err.message}`));
    }
  }
}
