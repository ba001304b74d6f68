import { alreadyExists, notFound } from "../../lib/errors.js";
import { invariant, present } from "../../lib/invariant.js";
import { addLogFields, type Logger } from "../../lib/log.js";
import { isRegistered } from "../domain/payment.js";
import type { PspRefund } from "../domain/psp-refund.js";
import {
  orderStatusAfterRefunds,
  planRefund,
  refundedOrder,
  refundFeeShare,
  refundFingerprint,
  validateRefund,
  type Refund,
  type RefundInput,
} from "../domain/refund.js";
import {
  PspConflictError,
  PspRefusedError,
  type PaymentLocks,
  type PaymentRepository,
  type PspPort,
  type Refunds,
  type StoredRefund,
} from "./ports.js";

/** The PSP's 409s that a retry can never change; any other (e.g. the same request still in flight) may. */
const FINAL_CONFLICTS = ["charge_disputed", "charge_already_refunded"];

export type PspRefundOutcome = "applied" | "unchanged" | "unknown_refund" | "amount_mismatch";

/**
 * Refunds: recorded PENDING under the payment's lock (so that concurrent refunds never exceed what was paid),
 * sent to the PSP under one idempotency key, and settled by the PSP's webhook or the poller, whichever comes first.
 */
export class RefundFlow {
  constructor(
    private readonly payments: Pick<PaymentRepository, "get">,
    private readonly refunds: Refunds,
    private readonly locks: PaymentLocks,
    private readonly psp: PspPort,
    private readonly log: Logger,
  ) {}

  async refund(input: RefundInput): Promise<Refund> {
    const request = validateRefund(input);
    const fingerprint = refundFingerprint(request);
    const refund =
      (await this.refunds.find(request.refundId)) ??
      (await this.locks.withLockedPayment(request.paymentId, async ({ payment, refunds, disputes }) => {
        if (!payment) throw notFound(`payment "${request.paymentId}" does not exist`);
        // A concurrent call with this refund_id may have recorded it while this one waited for the lock.
        const recorded = await refunds.find(request.refundId);
        if (recorded) return recorded;
        const order = refundedOrder(payment, request.orderId);
        const earlier = await refunds.ofOrder(order.orderId);
        const { platformFeeReversedMinor } = planRefund(
          payment,
          order,
          request.amount,
          earlier,
          await disputes.unresolvedOrLost(),
        );
        await refunds.insert(
          {
            refundId: request.refundId,
            paymentId: payment.id,
            orderId: order.orderId,
            sellerId: order.sellerId,
            currency: payment.currency,
            amountMinor: request.amount.amountMinor,
            platformFeeReversedMinor,
            reason: request.reason,
          },
          fingerprint,
        );
        return present(await refunds.find(request.refundId), `refund ${request.refundId} reads back once inserted`);
      }));
    if (refund.fingerprint !== fingerprint) {
      throw alreadyExists(
        `refund_id "${request.refundId}" was already used for a different refund (${refund.amountMinor} ${refund.currency} of order ` +
          `${refund.orderId} of payment ${refund.paymentId}); retry with the identical request, or use a new refund_id`,
      );
    }
    return this.submit(refund);
  }

  async list(paymentId: string): Promise<Refund[]> {
    if (!(await this.payments.get(paymentId))) throw notFound(`payment "${paymentId}" does not exist`);
    return this.refunds.ofPayment(paymentId);
  }

  /** Applies what the PSP says about a refund (webhook or poll). */
  async applyPspRefund(psp: PspRefund): Promise<PspRefundOutcome> {
    const refund = await this.refunds.find(psp.refundId);
    if (!refund || (refund.pspRefundId !== undefined && refund.pspRefundId !== psp.id)) return "unknown_refund";
    addLogFields({ paymentId: refund.paymentId });
    if (psp.amountMinor !== refund.amountMinor || psp.currency !== refund.currency) {
      this.log.error("PSP reports a different refund amount than we asked for; needs a person", {
        paymentId: refund.paymentId,
        refundId: refund.refundId,
        ours: `${refund.amountMinor} ${refund.currency}`,
        psp: `${psp.amountMinor} ${psp.currency}`,
      });
      return "amount_mismatch";
    }
    if (refund.pspRefundId === undefined) await this.refunds.recordPspRefund(refund.refundId, psp.id);
    if (psp.status === "pending") return "unchanged";
    if (refund.status === "FAILED" && psp.status === "succeeded") {
      this.log.error("the PSP refunded what we hold as a failed refund; needs a person", {
        paymentId: refund.paymentId,
        refundId: refund.refundId,
        pspRefundId: psp.id,
      });
    }
    const settled = await this.settle(
      refund,
      psp.status === "succeeded" ? "SUCCEEDED" : "FAILED",
      psp.failureReason ?? undefined,
    );
    return settled ? "applied" : "unchanged";
  }

  claimStale(staleAfterMs: number, limit: number): Promise<string[]> {
    return this.refunds.claimStale(staleAfterMs, limit);
  }

  /** For the poller: sends a refund the PSP never got, or asks the PSP where it stands. */
  async refresh(refundId: string): Promise<void> {
    const refund = await this.refunds.find(refundId);
    if (refund?.status !== "PENDING") return;
    addLogFields({ paymentId: refund.paymentId });
    if (refund.pspRefundId === undefined) await this.submit(refund);
    else await this.applyPspRefund(await this.psp.retrieveRefund(refund.pspRefundId));
  }

  private async submit(refund: StoredRefund): Promise<Refund> {
    if (refund.status === "PENDING" && refund.pspRefundId === undefined) {
      const payment = present(
        await this.payments.get(refund.paymentId),
        `the payment ${refund.paymentId} of refund ${refund.refundId} exists`,
      );
      // A refund is recorded only for a paid order, so the PSP knows its payment.
      invariant(isRegistered(payment), `the refunded payment ${payment.id} has a PSP payment id`);
      try {
        await this.applyPspRefund(await this.psp.refund(refund, payment.pspPaymentId));
      } catch (err) {
        if (
          !(
            err instanceof PspRefusedError ||
            (err instanceof PspConflictError && FINAL_CONFLICTS.includes(err.code ?? ""))
          )
        )
          throw err;
        await this.settle(refund, "FAILED", `the PSP refused the refund: ${err.message}`);
      }
    }
    return present(await this.refunds.find(refund.refundId), `refund ${refund.refundId} is still recorded`);
  }

  /**
   * A refund's final status, its event, and, when it succeeded, its fee share (from the refunds that succeeded
   * before it) and its order's new status: one transaction.
   */
  private async settle(refund: Refund, status: "SUCCEEDED" | "FAILED", failureReason?: string): Promise<boolean> {
    return this.locks.withLockedPayment(refund.paymentId, async ({ payment: locked, refunds, moveOrder }) => {
      const payment = present(locked, `the payment ${refund.paymentId} of refund ${refund.refundId} exists`);
      const order = present(
        payment.orders.find((o) => o.orderId === refund.orderId),
        `the refunded order ${refund.orderId} is one of payment ${payment.id}'s`,
      );
      const earlier = (await refunds.ofOrder(refund.orderId)).filter((r) => r.refundId !== refund.refundId);
      const fee =
        status === "SUCCEEDED" ? refundFeeShare(order, refund.amountMinor, earlier) : refund.platformFeeReversedMinor;
      const settled = await refunds.settle(refund.refundId, status, { failureReason, platformFeeReversedMinor: fee });
      if (!settled || status === "FAILED") return settled !== undefined;
      await moveOrder(order.orderId, orderStatusAfterRefunds(order, await refunds.refundedOfOrder(refund.orderId)));
      return true;
    });
  }
}
