import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PayoutEventSchema } from "../../../gen/wallet/v1/events_pb.js";
import { PayoutStatus } from "../../../gen/wallet/v1/wallet_pb.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { amountOrPoison, decodeOrPoison } from "../../lib/events/decode.js";
import type { Money } from "../../lib/money.js";

export type PayoutEventStatus = "PENDING" | "PAID" | "FAILED";

const STATUSES: readonly PayoutEventStatus[] = ["PENDING", "PAID", "FAILED"];

/** The subject, under the configured prefix, of the event announcing a move to `status` (PENDING: "requested"). */
export function payoutEventSubject(status: PayoutEventStatus): string {
  return `payout.${status === "PENDING" ? "requested" : status.toLowerCase()}`;
}

/** Every payout event: requested, paid or failed. */
export const ANY_PAYOUT_EVENT = "payout.*";

/** What the producer puts in a PayoutEvent: the payout right after it moved. */
export interface PayoutEventSource {
  payoutId: string;
  status: PayoutEventStatus;
  sellerId: string;
  amount: Money;
  destination: string;
  pspPayoutId?: string;
  failure?: { code: string; message: string };
  updatedAt: Date;
}

/** The wire form of a PayoutEvent (protobuf binary). */
export function encodePayoutEvent(payout: PayoutEventSource, eventId: string): Uint8Array {
  return toBinary(
    PayoutEventSchema,
    create(PayoutEventSchema, {
      eventId,
      status: PayoutStatus[payout.status],
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

/** What consumers need of a PayoutEvent, checked: a known status and a positive amount. */
export interface PayoutEventData {
  eventId: string;
  status: PayoutEventStatus;
  payoutId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
}

export function decodePayoutEvent(bytes: Uint8Array): PayoutEventData {
  const event = decodeOrPoison(PayoutEventSchema, bytes);
  if (event.eventId === "" || event.payoutId === "" || event.sellerId === "")
    throw new PoisonMessage("PayoutEvent without event_id, payout_id or seller_id");
  const what = `PayoutEvent ${event.eventId} (payout ${event.payoutId})`;
  const status = PayoutStatus[event.status] as PayoutEventStatus;
  if (!STATUSES.includes(status)) throw new PoisonMessage(`${what}: unknown status ${event.status}`);
  const { currency, amountMinor } = amountOrPoison(event.amount, what);
  if (amountMinor <= 0n) throw new PoisonMessage(`${what}: amount must be positive, got ${amountMinor}`);
  return { eventId: event.eventId, status, payoutId: event.payoutId, sellerId: event.sellerId, currency, amountMinor };
}
