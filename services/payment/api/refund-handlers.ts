import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RefundStatus as ProtoRefundStatus, type RefundPaymentRequest, type ListRefundsRequest, RefundSchema } from "../../../gen/payment/v1/payment_pb.js";
import { requireId } from "../../lib/validate.js";
import type { RefundFlow } from "../app/refund-flow.js";
import type { Refund } from "../domain/refund.js";

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

/** The refund methods of PaymentService. */
export function refundMethods(refunds: RefundFlow) {
  return {
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
