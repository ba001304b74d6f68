import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  PaymentStatus as ProtoStatus,
  type GetPaymentTimelineRequest,
  type TimelineEntrySchema,
} from "../../../gen/payment/v1/payment_pb.js";
import { notFound } from "../../lib/errors.js";
import { requireId } from "../../lib/validate.js";
import type { TimelineEntry, TimelineStore } from "../store/timeline-store.js";

function entryToProto(entry: TimelineEntry): MessageInitShape<typeof TimelineEntrySchema> {
  const at = timestampFromDate(entry.at);
  switch (entry.kind) {
    case "status":
      return { at, what: { case: "status", value: ProtoStatus[entry.status] }, reason: entry.reason ?? "" };
    case "webhook":
      return {
        at,
        what: { case: "webhook", value: { eventId: entry.eventId, type: entry.type, outcome: entry.outcome } },
      };
    case "event":
      return {
        at,
        what: {
          case: "event",
          value: {
            eventId: entry.eventId,
            subject: entry.subject,
            publishedAt: entry.publishedAt && timestampFromDate(entry.publishedAt),
          },
        },
      };
  }
}

/** GetPaymentTimeline: a payment's story for operators. */
export function timelineMethods(timeline: TimelineStore) {
  return {
    async getPaymentTimeline(req: GetPaymentTimelineRequest) {
      const paymentId = requireId("payment_id", req.paymentId);
      const entries = await timeline.timeline(paymentId);
      if (entries === undefined) throw notFound(`payment "${paymentId}" does not exist`);
      return { entries: entries.map(entryToProto) };
    },
  };
}
