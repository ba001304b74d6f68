import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PaymentEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { PaymentStatus } from "../../../gen/payment/v1/payment_pb.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { decodeOrPoison } from "../../lib/events/decode.js";

export type PaymentEventStatus = Exclude<keyof typeof PaymentStatus, "UNSPECIFIED">;

/** The subject, under the configured prefix, of the event announcing a move to `status`. */
export function paymentEventSubject(status: PaymentEventStatus): string {
  return `payment.${status.toLowerCase()}`;
}

/** Every payment event, whatever its status. */
export const ANY_PAYMENT_EVENT = "payment.*";

/** What the producer puts in a PaymentEvent: the payment right after it moved. */
export interface PaymentEventSource {
  id: string;
  status: PaymentEventStatus;
  checkoutId: string;
  buyerId: string;
  currency: string;
  total: bigint;
  orders: readonly { orderId: string; sellerId: string; amountMinor: bigint; platformFeeMinor: bigint }[];
  platformFeeBps: number;
  pspPaymentId?: string;
  failure?: { reason: string; declineCode?: string };
}

/** The wire form of a PaymentEvent (protobuf binary). */
export function encodePaymentEvent(payment: PaymentEventSource, eventId: string, occurredAt: Date): Uint8Array {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: payment.currency });
  return toBinary(
    PaymentEventSchema,
    create(PaymentEventSchema, {
      eventId,
      status: PaymentStatus[payment.status],
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

/** What consumers need of a PaymentEvent, checked: amounts are bigint and every order splits exactly. */
export interface PaymentEventData {
  eventId: string;
  status: keyof typeof PaymentStatus;
  paymentId: string;
  currency: string;
  totalMinor: bigint;
  orders: {
    orderId: string;
    sellerId: string;
    amountMinor: bigint;
    platformFeeMinor: bigint;
    sellerNetMinor: bigint;
  }[];
}

export function decodePaymentEvent(bytes: Uint8Array): PaymentEventData {
  const event = decodeOrPoison(PaymentEventSchema, bytes);
  const { total } = event;
  if (event.eventId === "" || event.paymentId === "" || !total || total.currency === "")
    throw new PoisonMessage("PaymentEvent without event_id, payment_id or total");
  const { currency, amountMinor: totalMinor } = total;
  const orders = event.orders.map((o, i) => {
    const [amount, fee, net] = [o.amount, o.platformFee, o.sellerNet];
    if (!amount || !fee || !net || [amount, fee, net].some((m) => m.currency !== currency)) {
      throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders[${i}] lacks amounts in ${currency}`);
    }
    if (fee.amountMinor + net.amountMinor !== amount.amountMinor || fee.amountMinor < 0n || net.amountMinor < 0n) {
      throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders[${i}] fee + net != amount`);
    }
    return {
      orderId: o.orderId,
      sellerId: o.sellerId,
      amountMinor: amount.amountMinor,
      platformFeeMinor: fee.amountMinor,
      sellerNetMinor: net.amountMinor,
    };
  });
  if (orders.length === 0 || orders.reduce((sum, o) => sum + o.amountMinor, 0n) !== totalMinor) {
    throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders do not add up to the total`);
  }
  return {
    eventId: event.eventId,
    status: PaymentStatus[event.status] as keyof typeof PaymentStatus,
    paymentId: event.paymentId,
    currency,
    totalMinor,
    orders,
  };
}

/** The payment an event is about, unchecked: enough for a hint to wake whoever watches it. */
export function paymentIdOfEvent(bytes: Uint8Array): string {
  return fromBinary(PaymentEventSchema, bytes).paymentId;
}
