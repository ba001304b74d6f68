import { notFound } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { addLogFields, type Logger } from "../../lib/log.js";
import { shareDispute, type Dispute, type DisputeShare } from "../domain/dispute.js";
import { isCharged, type Payment } from "../domain/payment.js";
import type { PspDispute } from "../domain/psp-dispute.js";
import type { Disputes, LockedPayment, PaymentLocks, PaymentRepository } from "./ports.js";

export type PspDisputeOutcome = "applied" | "unchanged" | "unknown_payment" | "amount_mismatch" | "payment_not_settled";

/**
 * Disputes come from the PSP only (webhooks). Each is recorded once, under the payment's lock, with the share of
 * each seller; its decision (won, lost) is recorded once. A decision whose opening we missed records both.
 */
export class DisputeFlow {
  constructor(
    private readonly payments: Pick<PaymentRepository, "get" | "getByPspPaymentId">,
    private readonly disputes: Disputes,
    private readonly locks: PaymentLocks,
    private readonly log: Logger,
  ) {}

  async list(paymentId: string): Promise<Dispute[]> {
    if (!(await this.payments.get(paymentId))) throw notFound(`payment "${paymentId}" does not exist`);
    return this.disputes.ofPayment(paymentId);
  }

  /**
   * Each seller's share, in proportion to what each order still holds. A refund the PSP counted before the dispute
   * may reach us after it: when the refunds we know of leave too little, shares are taken on what was charged.
   */
  private async share(
    refunds: LockedPayment["refunds"],
    payment: Payment,
    amountMinor: bigint,
  ): Promise<DisputeShare[] | undefined> {
    const refunded = await refunds.refundedByOrder();
    const holding = (afterRefunds: boolean) =>
      payment.orders.map((o) => ({
        orderId: o.orderId,
        sellerId: o.sellerId,
        holdsMinor: o.amountMinor - (afterRefunds ? (refunded.get(o.orderId) ?? 0n) : 0n),
      }));
    return shareDispute(holding(true), amountMinor) ?? shareDispute(holding(false), amountMinor);
  }

  async applyPspDispute(psp: PspDispute): Promise<PspDisputeOutcome> {
    const found = await this.payments.getByPspPaymentId(psp.pspPaymentId);
    if (!found) return "unknown_payment";
    addLogFields({ paymentId: found.id });
    return this.locks.withLockedPayment(found.id, async ({ payment: locked, refunds, disputes }) => {
      const payment = present(locked, `payment ${found.id}, found by its PSP payment id, exists under its lock`);
      let opened = false;
      if (!(await disputes.find(psp.id))) {
        // Shares are taken on what was charged: until the charge itself is applied (its webhook may come later,
        // and a partial capture changes the amounts), the PSP is asked to deliver the dispute again.
        if (!isCharged(payment.status)) return "payment_not_settled";
        const shares =
          psp.currency === payment.currency ? await this.share(refunds, payment, psp.amountMinor) : undefined;
        if (!shares) {
          this.log.error("PSP disputes more than the payment holds, or in another currency; needs a person", {
            paymentId: payment.id,
            disputeId: psp.id,
            psp: `${psp.amountMinor} ${psp.currency}`,
          });
          return "amount_mismatch";
        }
        await disputes.open({
          disputeId: psp.id,
          currency: psp.currency,
          amountMinor: psp.amountMinor,
          reason: psp.reason,
          shares,
        });
        opened = true;
      }
      if (psp.status === "needs_response") return opened ? "applied" : "unchanged";
      const decided = await disputes.decide(psp.id, psp.status === "won" ? "WON" : "LOST");
      return decided || opened ? "applied" : "unchanged";
    });
  }
}
