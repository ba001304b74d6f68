import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DisputeEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { DisputeStatus as ProtoDisputeStatus } from "../../../gen/payment/v1/payment_pb.js";
import type { Dispute, DisputeStatus } from "../domain/dispute.js";

/** The subject, under the configured prefix, of the event announcing a dispute's `status`. */
export function disputeEventSubject(status: DisputeStatus): string {
  return `dispute.${status.toLowerCase()}`;
}

export function disputeSharesProto(dispute: Dispute) {
  return dispute.shares.map((s) => ({ orderId: s.orderId, sellerId: s.sellerId, amount: { amountMinor: s.amountMinor, currency: dispute.currency } }));
}

/** The wire form of a DisputeEvent (protobuf binary). */
export function encodeDisputeEvent(dispute: Dispute, eventId: string, occurredAt: Date): Uint8Array {
  return toBinary(
    DisputeEventSchema,
    create(DisputeEventSchema, {
      eventId,
      status: ProtoDisputeStatus[dispute.status],
      disputeId: dispute.disputeId,
      paymentId: dispute.paymentId,
      amount: { amountMinor: dispute.amountMinor, currency: dispute.currency },
      shares: disputeSharesProto(dispute),
      occurredAt: timestampFromDate(occurredAt),
    }),
  );
}
