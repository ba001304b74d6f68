import { randomUUID } from "node:crypto";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import type { JetStreamClient } from "@nats-io/jetstream";
import { RefundEventSchema, type RefundEvent } from "../../gen/payment/v1/events_pb.js";
import { RefundStatus } from "../../gen/payment/v1/payment_pb.js";
import type { EventStreamNames } from "../../services/lib/events/streams.js";

export type RefundInit = Exclude<MessageInitShape<typeof RefundEventSchema>, RefundEvent>;

/** A succeeded RefundEvent as the payment service writes it: amount = fee reversed + seller debit. */
export function refundEvent(
  sellerId: string,
  paymentId: string,
  feeMinor: bigint,
  debitMinor: bigint,
  currency = "USD",
  overrides: Partial<RefundInit> = {},
): RefundInit {
  return {
    eventId: `evt_${randomUUID()}`,
    status: RefundStatus.SUCCEEDED,
    refundId: `rf-${randomUUID()}`,
    paymentId,
    orderId: "o1",
    sellerId,
    amount: { amountMinor: feeMinor + debitMinor, currency },
    platformFeeReversed: { amountMinor: feeMinor, currency },
    sellerDebit: { amountMinor: debitMinor, currency },
    pspRefundId: `re_${randomUUID()}`,
    ...overrides,
  };
}

export const encodeRefund = (event: RefundInit) => toBinary(RefundEventSchema, create(RefundEventSchema, event));

/** Publishes as the payment service's relay does: on "<prefix>.refund.<status>", Nats-Msg-Id = event id unless told. */
export function publishRefund(
  js: JetStreamClient,
  streams: EventStreamNames,
  event: RefundInit,
  msgID = event.eventId!,
  status = "succeeded",
) {
  return js.publish(`${streams.subjectPrefix}.refund.${status}`, encodeRefund(event), { msgID });
}
