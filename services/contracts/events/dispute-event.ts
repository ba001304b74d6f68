import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DisputeEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { DisputeStatus } from "../../../gen/payment/v1/payment_pb.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { amountOrPoison, decodeOrPoison } from "../../lib/events/decode.js";

export type DisputeEventStatus = "OPEN" | "WON" | "LOST";

const STATUSES: readonly DisputeEventStatus[] = ["OPEN", "WON", "LOST"];

/** The subject, under the configured prefix, of the event announcing a dispute's `status`. */
export function disputeEventSubject(status: DisputeEventStatus): string {
  return `dispute.${status.toLowerCase()}`;
}

/** Every dispute event: opened, won or lost. */
export const ANY_DISPUTE_EVENT = "dispute.*";

export interface DisputeShareData {
  orderId: string;
  sellerId: string;
  amountMinor: bigint;
}

/** What the producer puts in a DisputeEvent. */
export interface DisputeEventSource {
  disputeId: string;
  status: DisputeEventStatus;
  paymentId: string;
  currency: string;
  amountMinor: bigint;
  shares: readonly DisputeShareData[];
}

/** The shares in their wire form, as the event and the payment API carry them. */
export function disputeSharesProto(dispute: Pick<DisputeEventSource, "currency" | "shares">) {
  return dispute.shares.map((s) => ({
    orderId: s.orderId,
    sellerId: s.sellerId,
    amount: { amountMinor: s.amountMinor, currency: dispute.currency },
  }));
}

/** The wire form of a DisputeEvent (protobuf binary). */
export function encodeDisputeEvent(dispute: DisputeEventSource, eventId: string, occurredAt: Date): Uint8Array {
  return toBinary(
    DisputeEventSchema,
    create(DisputeEventSchema, {
      eventId,
      status: DisputeStatus[dispute.status],
      disputeId: dispute.disputeId,
      paymentId: dispute.paymentId,
      amount: { amountMinor: dispute.amountMinor, currency: dispute.currency },
      shares: disputeSharesProto(dispute),
      occurredAt: timestampFromDate(occurredAt),
    }),
  );
}

/** What consumers need of a DisputeEvent, checked: positive shares in the dispute's currency adding up to it. */
export interface DisputeEventData {
  eventId: string;
  status: DisputeEventStatus;
  disputeId: string;
  paymentId: string;
  currency: string;
  amountMinor: bigint;
  shares: DisputeShareData[];
}

export function decodeDisputeEvent(bytes: Uint8Array): DisputeEventData {
  const event = decodeOrPoison(DisputeEventSchema, bytes);
  if (event.eventId === "" || event.disputeId === "")
    throw new PoisonMessage("DisputeEvent without event_id or dispute_id");
  const what = `DisputeEvent ${event.eventId} (dispute ${event.disputeId})`;
  const status = DisputeStatus[event.status] as DisputeEventStatus;
  if (!STATUSES.includes(status)) throw new PoisonMessage(`${what}: unknown status ${event.status}`);
  const { currency, amountMinor } = amountOrPoison(event.amount, what);
  const shares = event.shares.map((s) => {
    if (s.sellerId === "" || s.amount?.currency !== currency || s.amount.amountMinor <= 0n) {
      throw new PoisonMessage(`${what}: every share needs a seller and a positive amount in ${currency}`);
    }
    return { orderId: s.orderId, sellerId: s.sellerId, amountMinor: s.amount.amountMinor };
  });
  if (amountMinor <= 0n || shares.reduce((sum, s) => sum + s.amountMinor, 0n) !== amountMinor) {
    throw new PoisonMessage(`${what}: the shares must add up to the amount ${amountMinor}, which must be positive`);
  }
  return {
    eventId: event.eventId,
    status,
    disputeId: event.disputeId,
    paymentId: event.paymentId,
    currency,
    amountMinor,
    shares,
  };
}
