import { fromBinary } from "@bufbuild/protobuf";
import { PaymentEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { PaymentStatus } from "../../../gen/payment/v1/payment_pb.js";
import { PoisonMessage } from "./consumer.js";

/** What consumers need of a PaymentEvent, checked: amounts are bigint and every order splits exactly. */
export interface PaymentEventData {
  eventId: string;
  status: keyof typeof PaymentStatus;
  paymentId: string;
  currency: string;
  totalMinor: bigint;
  orders: { orderId: string; sellerId: string; amountMinor: bigint; platformFeeMinor: bigint; sellerNetMinor: bigint }[];
}

export function decodePaymentEvent(bytes: Uint8Array): PaymentEventData {
  let event;
  try {
    event = fromBinary(PaymentEventSchema, bytes);
  } catch (err) {
    throw new PoisonMessage(`not a PaymentEvent: ${(err as Error).message}`);
  }
  const currency = event.total?.currency ?? "";
  if (event.eventId === "" || event.paymentId === "" || currency === "") throw new PoisonMessage("PaymentEvent without event_id, payment_id or total");
  const orders = event.orders.map((o, i) => {
    const [amount, fee, net] = [o.amount, o.platformFee, o.sellerNet];
    if (!amount || !fee || !net || [amount, fee, net].some((m) => m.currency !== currency)) {
      throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders[${i}] lacks amounts in ${currency}`);
    }
    if (fee.amountMinor + net.amountMinor !== amount.amountMinor || fee.amountMinor < 0n || net.amountMinor < 0n) {
      throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders[${i}] fee + net != amount`);
    }
    return { orderId: o.orderId, sellerId: o.sellerId, amountMinor: amount.amountMinor, platformFeeMinor: fee.amountMinor, sellerNetMinor: net.amountMinor };
  });
  const totalMinor = event.total!.amountMinor;
  if (orders.length === 0 || orders.reduce((sum, o) => sum + o.amountMinor, 0n) !== totalMinor) {
    throw new PoisonMessage(`PaymentEvent ${event.eventId}: orders do not add up to the total`);
  }
  return { eventId: event.eventId, status: PaymentStatus[event.status] as keyof typeof PaymentStatus, paymentId: event.paymentId, currency, totalMinor, orders };
}
