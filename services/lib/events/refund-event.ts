import { RefundEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { RefundStatus } from "../../../gen/payment/v1/payment_pb.js";
import { formatMoney, isKnownCurrency } from "../money.js";
import { PoisonMessage } from "./consumer.js";
import { decodeOrPoison } from "./decode.js";

/** What consumers need of a RefundEvent, checked: amounts are bigint and amount = fee reversed + seller debit. */
export interface RefundEventData {
  eventId: string;
  status: keyof typeof RefundStatus;
  refundId: string;
  paymentId: string;
  orderId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  platformFeeReversedMinor: bigint;
  sellerDebitMinor: bigint;
}

export function decodeRefundEvent(bytes: Uint8Array): RefundEventData {
  const event = decodeOrPoison(RefundEventSchema, bytes);
  if (event.eventId === "" || event.refundId === "" || event.sellerId === "") throw new PoisonMessage("RefundEvent without event_id, refund_id or seller_id");
  const what = `RefundEvent ${event.eventId} (refund ${event.refundId})`;
  const { amount, platformFeeReversed: fee, sellerDebit: debit } = event;
  const currency = amount?.currency ?? "";
  if (!isKnownCurrency(currency)) throw new PoisonMessage(`${what}: amount.currency "${currency}" is not an ISO 4217 code`);
  if (!amount || !fee || !debit || fee.currency !== currency || debit.currency !== currency) {
    throw new PoisonMessage(`${what}: amount, platform_fee_reversed and seller_debit must all be in ${currency}`);
  }
  if (amount.amountMinor <= 0n || fee.amountMinor < 0n || debit.amountMinor < 0n || fee.amountMinor + debit.amountMinor !== amount.amountMinor) {
    const show = (amountMinor: bigint) => formatMoney({ amountMinor, currency });
    throw new PoisonMessage(
      `${what}: amount ${show(amount.amountMinor)} must be positive and equal platform_fee_reversed ${show(fee.amountMinor)} + seller_debit ${show(debit.amountMinor)}`,
    );
  }
  return {
    eventId: event.eventId,
    status: RefundStatus[event.status] as keyof typeof RefundStatus,
    refundId: event.refundId,
    paymentId: event.paymentId,
    orderId: event.orderId,
    sellerId: event.sellerId,
    currency,
    amountMinor: amount.amountMinor,
    platformFeeReversedMinor: fee.amountMinor,
    sellerDebitMinor: debit.amountMinor,
  };
}

/** For consumers of "refund.succeeded": only a succeeded refund moves money, anything else there is poison. */
export function decodeSucceededRefund(bytes: Uint8Array): RefundEventData {
  const event = decodeRefundEvent(bytes);
  if (event.status !== "SUCCEEDED") throw new PoisonMessage(`RefundEvent ${event.eventId} is ${event.status}, not SUCCEEDED`);
  return event;
}
