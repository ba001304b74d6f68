import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { isKnownCurrency } from "../money.js";
import { PoisonMessage } from "./consumer.js";

/** The protobuf message in `bytes`; bytes that are not one can never be processed: a poison message. */
export function decodeOrPoison<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new PoisonMessage(`not a ${schema.name}: ${(err as Error).message}`);
  }
}

/** An event's amount field: present and in an ISO 4217 currency, or the event can never be booked (a poison message). */
export function amountOrPoison<M extends { currency: string; amountMinor: bigint }>(
  amount: M | undefined,
  what: string,
): M {
  if (!amount || !isKnownCurrency(amount.currency))
    throw new PoisonMessage(`${what}: amount.currency "${amount?.currency ?? ""}" is not an ISO 4217 code`);
  return amount;
}
