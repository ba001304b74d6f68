import { DisputeEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { DisputeStatus } from "../../../gen/payment/v1/payment_pb.js";
import { isKnownCurrency } from "../money.js";
import { PoisonMessage } from "./consumer.js";
import { decodeOrPoison } from "./decode.js";

export interface DisputeShareData {
  orderId: string;
  sellerId: string;
  amountMinor: bigint;
}

/** What consumers need of a DisputeEvent, checked: positive shares in the dispute's currency adding up to it. */
export interface DisputeEventData {
  eventId: string;
  status: "OPEN" | "WON" | "LOST";
  disputeId: string;
  paymentId: string;
  currency: string;
  amountMinor: bigint;
  shares: DisputeShareData[];
}

const STATUSES: readonly DisputeEventData["status"][] = ["OPEN", "WON", "LOST"];

export function decodeDisputeEvent(bytes: Uint8Array): DisputeEventData {
  const event = decodeOrPoison(DisputeEventSchema, bytes);
  if (event.eventId === "" || event.disputeId === "") throw new PoisonMessage("DisputeEvent without event_id or dispute_id");
  const what = `DisputeEvent ${event.eventId} (dispute ${event.disputeId})`;
  const status = DisputeStatus[event.status] as DisputeEventData["status"];
  if (!STATUSES.includes(status)) throw new PoisonMessage(`${what}: unknown status ${event.status}`);
  const currency = event.amount?.currency ?? "";
  if (!isKnownCurrency(currency)) throw new PoisonMessage(`${what}: amount.currency "${currency}" is not an ISO 4217 code`);
  const shares = event.shares.map((s) => {
    if (s.sellerId === "" || s.amount?.currency !== currency || s.amount.amountMinor <= 0n) {
      throw new PoisonMessage(`${what}: every share needs a seller and a positive amount in ${currency}`);
    }
    return { orderId: s.orderId, sellerId: s.sellerId, amountMinor: s.amount.amountMinor };
  });
  const amountMinor = event.amount!.amountMinor;
  if (amountMinor <= 0n || shares.reduce((sum, s) => sum + s.amountMinor, 0n) !== amountMinor) {
    throw new PoisonMessage(`${what}: the shares must add up to the amount ${amountMinor}, which must be positive`);
  }
  return { eventId: event.eventId, status, disputeId: event.disputeId, paymentId: event.paymentId, currency, amountMinor, shares };
}
