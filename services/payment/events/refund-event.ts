import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RefundEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { RefundStatus as ProtoRefundStatus } from "../../../gen/payment/v1/payment_pb.js";
import type { Refund, RefundStatus } from "../domain/refund.js";

/** The subject, under the configured prefix, of the event announcing a refund's final `status`. */
export function refundEventSubject(status: RefundStatus): string {
  return `refund.${status.toLowerCase()}`;
}

/** The wire form of a RefundEvent (protobuf binary). */
export function encodeRefundEvent(refund: Refund, eventId: string, occurredAt: Date): Uint8Array {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: refund.currency });
  return toBinary(
    RefundEventSchema,
    create(RefundEventSchema, {
      eventId,
      status: ProtoRefundStatus[refund.status],
      refundId: refund.refundId,
      paymentId: refund.paymentId,
      orderId: refund.orderId,
      sellerId: refund.sellerId,
      amount: money(refund.amountMinor),
      platformFeeReversed: money(refund.platformFeeReversedMinor),
      sellerDebit: money(refund.amountMinor - refund.platformFeeReversedMinor),
      pspRefundId: refund.pspRefundId ?? "",
      failureReason: refund.failureReason ?? "",
      occurredAt: timestampFromDate(occurredAt),
    }),
  );
}
