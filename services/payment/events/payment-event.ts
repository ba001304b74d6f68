import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PaymentEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { PaymentStatus as ProtoStatus } from "../../../gen/payment/v1/payment_pb.js";
import type { Payment } from "../domain/payment.js";
import type { PaymentStatus } from "../domain/status.js";

/** The subject, under the configured prefix, of the event announcing a move to `status`. */
export function eventSubject(status: PaymentStatus): string {
  return `payment.${status.toLowerCase()}`;
}

/** The wire form of a PaymentEvent (protobuf binary): what the payment looked like right after it moved. */
export function encodePaymentEvent(payment: Payment, eventId: string, occurredAt: Date): Uint8Array {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: payment.currency });
  return toBinary(
    PaymentEventSchema,
    create(PaymentEventSchema, {
      eventId,
      status: ProtoStatus[payment.status],
      paymentId: payment.id,
      checkoutId: payment.checkoutId,
      buyerId: payment.buyerId,
      total: money(payment.total),
      orders: payment.orders.map((o) => ({
        orderId: o.orderId,
        sellerId: o.sellerId,
        amount: money(o.amountMinor),
        platformFee: money(o.platformFeeMinor),
        sellerNet: money(o.amountMinor - o.platformFeeMinor),
      })),
      platformFeeBps: payment.platformFeeBps,
      pspPaymentId: payment.pspPaymentId ?? "",
      failureReason: payment.failure?.reason ?? "",
      declineCode: payment.failure?.declineCode ?? "",
      occurredAt: timestampFromDate(occurredAt),
    }),
  );
}
