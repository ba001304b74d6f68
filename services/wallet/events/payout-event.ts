import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PayoutEventSchema } from "../../../gen/wallet/v1/events_pb.js";
import { PayoutStatus as ProtoPayoutStatus } from "../../../gen/wallet/v1/wallet_pb.js";
import type { Payout, PayoutStatus } from "../domain/payout.js";

/** The subject, under the configured prefix, of the event announcing a move to `status`. */
export function payoutEventSubject(status: PayoutStatus): string {
  return `payout.${status === "PENDING" ? "requested" : status.toLowerCase()}`;
}

/** The wire form of a PayoutEvent (protobuf binary): the payout right after it moved. */
export function encodePayoutEvent(payout: Payout, eventId: string): Uint8Array {
  return toBinary(
    PayoutEventSchema,
    create(PayoutEventSchema, {
      eventId,
      status: ProtoPayoutStatus[payout.status],
      payoutId: payout.payoutId,
      sellerId: payout.sellerId,
      amount: payout.amount,
      destination: payout.destination,
      pspPayoutId: payout.pspPayoutId ?? "",
      failureCode: payout.failure?.code ?? "",
      failureMessage: payout.failure?.message ?? "",
      occurredAt: timestampFromDate(payout.updatedAt),
    }),
  );
}
