import { notFound } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { shareDispute, type Dispute } from "../domain/dispute.js";
import type { PspDispute } from "../domain/psp-dispute.js";
import type { DisputeStore } from "../store/dispute-store.js";
import type { PaymentStore } from "../store/payment-store.js";
import type { RefundStore } from "../store/refund-store.js";

export type PspDisputeOutcome = "applied" | "unchanged" | "unknown_payment" | "amount_mismatch";

/**
 * Disputes come from the PSP only (webhooks). Each is recorded once, under the payment's lock, with the share of
 * each seller; its decision (won, lost) is recorded once. A decision whose opening we missed records both.
 */
export class DisputeFlow {
  constructor(
    private readonly payments: PaymentStore,
    private readonly refunds: RefundStore,
    private readonly disputes: DisputeStore,
    private readonly log: Logger,
  ) {}

  async list(paymentId: string): Promise<Dispute[]> {
    if (!(await this.payments.get(paymentId))) throw notFound(`payment "${paymentId}" does not exist`);
    return this.disputes.ofPayment(paymentId);
  }

  async applyPspDispute(psp: PspDispute): Promise<PspDisputeOutcome> {
    const found = await this.payments.getByPspPaymentId(psp.pspPaymentId);
    if (!found) return "unknown_payment";
    return this.payments.withLockedPayment(found.id, async (trx, payment) => {
      let opened = false;
      if (!(await this.disputes.find(trx, psp.id))) {
        const refunded = await this.refunds.refundedByOrder(trx, payment!.id);
        const holdings = payment!.orders.map((o) => ({ orderId: o.orderId, sellerId: o.sellerId, holdsMinor: o.amountMinor - (refunded.get(o.orderId) ?? 0n) }));
        const shares = psp.currency === payment!.currency ? shareDispute(holdings, psp.amountMinor) : undefined;
        if (!shares) {
          this.log.error("PSP disputes more than the payment holds, or in another currency; needs a person", {
            paymentId: payment!.id,
            disputeId: psp.id,
            psp: `${psp.amountMinor} ${psp.currency}`,
          });
          return "amount_mismatch";
        }
        await this.disputes.open(trx, { disputeId: psp.id, paymentId: payment!.id, currency: psp.currency, amountMinor: psp.amountMinor, reason: psp.reason, shares });
        opened = true;
      }
      if (psp.status === "needs_response") return opened ? "applied" : "unchanged";
      const decided = await this.disputes.decide(trx, psp.id, psp.status === "won" ? "WON" : "LOST");
      return decided || opened ? "applied" : "unchanged";
    });
  }
}
