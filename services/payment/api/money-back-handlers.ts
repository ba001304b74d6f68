import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DisputeStatus as ProtoDisputeStatus,
  RefundStatus as ProtoRefundStatus,
  type DisputeSchema,
  type ListDisputesRequest,
  type ListRefundsRequest,
  type RefundPaymentRequest,
  type RefundSchema,
} from "../../../gen/payment/v1/payment_pb.js";
import { requireId } from "../../lib/validate.js";
import type { DisputeFlow } from "../app/dispute-flow.js";
import type { RefundFlow } from "../app/refund-flow.js";
import type { Dispute } from "../domain/dispute.js";
import type { Refund } from "../domain/refund.js";
import { disputeSharesProto } from "../../contracts/events/dispute-event.js";

function toProto(r: Refund): MessageInitShape<typeof RefundSchema> {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: r.currency });
  return {
    refundId: r.refundId,
    paymentId: r.paymentId,
    orderId: r.orderId,
    sellerId: r.sellerId,
    amount: money(r.amountMinor),
    platformFeeReversed: money(r.platformFeeReversedMinor),
    sellerDebit: money(r.amountMinor - r.platformFeeReversedMinor),
    status: ProtoRefundStatus[r.status],
    pspRefundId: r.pspRefundId,
    reason: r.reason,
    failureReason: r.failureReason,
    createdAt: timestampFromDate(r.createdAt),
    updatedAt: timestampFromDate(r.updatedAt),
  };
}

function disputeToProto(d: Dispute): MessageInitShape<typeof DisputeSchema> {
  return {
    disputeId: d.disputeId,
    paymentId: d.paymentId,
    amount: { amountMinor: d.amountMinor, currency: d.currency },
    status: ProtoDisputeStatus[d.status],
    reason: d.reason,
    shares: disputeSharesProto(d),
    createdAt: timestampFromDate(d.createdAt),
    updatedAt: timestampFromDate(d.updatedAt),
  };
}

/** The methods of PaymentService about money going back: refunds and disputes. */
export function moneyBackMethods(refunds: RefundFlow, disputes: DisputeFlow) {
  return {
    async listDisputes(req: ListDisputesRequest) {
      return { disputes: (await disputes.list(requireId("payment_id", req.paymentId))).map(disputeToProto) };
    },
    async refundPayment(req: RefundPaymentRequest) {
      const refund = await refunds.refund({
        refundId: req.refundId,
        paymentId: req.paymentId,
        orderId: req.orderId,
        amount: req.amount,
        reason: req.reason,
      });
      return { refund: toProto(refund) };
    },
    async listRefunds(req: ListRefundsRequest) {
      return { refunds: (await refunds.list(requireId("payment_id", req.paymentId))).map(toProto) };
    },
  };
}
