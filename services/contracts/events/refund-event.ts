import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RefundEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { RefundStatus } from "../../../gen/payment/v1/payment_pb.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { amountOrPoison, decodeOrPoison } from "../../lib/events/decode.js";
import { formatMoney } from "../../lib/money.js";

export type RefundEventStatus = Exclude<keyof typeof RefundStatus, "UNSPECIFIED">;

/** The subject, under the configured prefix, of the event announcing a refund's final `status`. */
export function refundEventSubject(status: RefundEventStatus): string {
  return `refund.${status.toLowerCase()}`;
}

/** Every refund event: succeeded or failed. */
export const ANY_REFUND_EVENT = "refund.*";

/** What the producer puts in a RefundEvent. */
export interface RefundEventSource {
  refundId: string;
  status: RefundEventStatus;
  paymentId: string;
  orderId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  platformFeeReversedMinor: bigint;
  pspRefundId?: string;
  failureReason?: string;
}

/** The wire form of a RefundEvent (protobuf binary). */
export function encodeRefundEvent(refund: RefundEventSource, eventId: string, occurredAt: Date): Uint8Array {
  const money = (amountMinor: bigint) => ({ amountMinor, currency: refund.currency });
  return toBinary(
    RefundEventSchema,
    create(RefundEventSchema, {
      eventId,
      status: RefundStatus[refund.status],
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

/** What consumers need of a RefundEvent, checked: amounts are bigint and amount = fee reversed + seller debit. */
export interface RefundEventData extends Omit<RefundEventSource, "status" | "pspRefundId" | "failureReason"> {
  eventId: string;
  status: keyof typeof RefundStatus;
  sellerDebitMinor: bigint;
}

export function decodeRefundEvent(bytes: Uint8Array): RefundEventData {
  const event = decodeOrPoison(RefundEventSchema, bytes);
  if (event.eventId === "" || event.refundId === "" || event.sellerId === "")
    throw new PoisonMessage("RefundEvent without event_id, refund_id or seller_id");
  const what = `RefundEvent ${event.eventId} (refund ${event.refundId})`;
  const { platformFeeReversed: fee, sellerDebit: debit } = event;
  const amount = amountOrPoison(event.amount, what);
  const { currency } = amount;
  if (!fee || !debit || fee.currency !== currency || debit.currency !== currency) {
    throw new PoisonMessage(`${what}: amount, platform_fee_reversed and seller_debit must all be in ${currency}`);
  }
  if (
    amount.amountMinor <= 0n ||
    fee.amountMinor < 0n ||
    debit.amountMinor < 0n ||
    fee.amountMinor + debit.amountMinor !== amount.amountMinor
  ) {
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

/** For consumers of refundEventSubject("SUCCEEDED"): only a succeeded refund moves money, anything else there is poison. */
export function decodeSucceededRefund(bytes: Uint8Array): RefundEventData {
  const event = decodeRefundEvent(bytes);
  if (event.status !== "SUCCEEDED")
    throw new PoisonMessage(`RefundEvent ${event.eventId} is ${event.status}, not SUCCEEDED`);
  return event;
}
