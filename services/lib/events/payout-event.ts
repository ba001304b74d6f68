import { PayoutEventSchema } from "../../../gen/wallet/v1/events_pb.js";
import { PayoutStatus } from "../../../gen/wallet/v1/wallet_pb.js";
import { isKnownCurrency } from "../money.js";
import { PoisonMessage } from "./consumer.js";
import { decodeOrPoison } from "./decode.js";

/** What consumers need of a PayoutEvent, checked: a known status and a positive amount. */
export interface PayoutEventData {
  eventId: string;
  status: "PENDING" | "PAID" | "FAILED";
  payoutId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
}

const STATUSES: readonly PayoutEventData["status"][] = ["PENDING", "PAID", "FAILED"];

export function decodePayoutEvent(bytes: Uint8Array): PayoutEventData {
  const event = decodeOrPoison(PayoutEventSchema, bytes);
  if (event.eventId === "" || event.payoutId === "" || event.sellerId === "") throw new PoisonMessage("PayoutEvent without event_id, payout_id or seller_id");
  const what = `PayoutEvent ${event.eventId} (payout ${event.payoutId})`;
  const status = PayoutStatus[event.status] as PayoutEventData["status"];
  if (!STATUSES.includes(status)) throw new PoisonMessage(`${what}: unknown status ${event.status}`);
  const currency = event.amount?.currency ?? "";
  if (!isKnownCurrency(currency)) throw new PoisonMessage(`${what}: amount.currency "${currency}" is not an ISO 4217 code`);
  const amountMinor = event.amount!.amountMinor;
  if (amountMinor <= 0n) throw new PoisonMessage(`${what}: amount must be positive, got ${amountMinor}`);
  return { eventId: event.eventId, status, payoutId: event.payoutId, sellerId: event.sellerId, currency, amountMinor };
}
