import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { DisputeEventSchema, PaymentEventSchema, RefundEventSchema } from "../../../gen/payment/v1/events_pb.js";
import { PayoutEventSchema } from "../../../gen/wallet/v1/events_pb.js";
import { idFields, type LogFields } from "../log.js";

const SCHEMA_OF: Record<string, DescMessage> = {
  payment: PaymentEventSchema,
  refund: RefundEventSchema,
  dispute: DisputeEventSchema,
  payout: PayoutEventSchema,
};

/**
 * The ids an event is about (eventId, paymentId, refundId, disputeId, payoutId), for a log line about it; `subject`
 * is `[<prefix>.]<kind>.<status>`. Only a line that is logged pays for the decoding. Bytes that decode as no event
 * (poison) give no ids.
 */
export function eventLogFields(subject: string, payload: Uint8Array): LogFields {
  const schema = SCHEMA_OF[subject.split(".").at(-2) ?? ""];
  if (!schema) return {};
  try {
    return idFields(fromBinary(schema, payload));
  } catch {
    return {};
  }
}
