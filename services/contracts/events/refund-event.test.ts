import { describe, expect, it } from "vitest";
import { PoisonMessage } from "../../lib/events/consumer.js";
import {
  decodeRefundEvent,
  decodeSucceededRefund,
  encodeRefundEvent,
  refundEventSubject,
  type RefundEventSource,
} from "./refund-event.js";

const refund: RefundEventSource = {
  refundId: "rf-1",
  status: "SUCCEEDED",
  paymentId: "pay_1",
  orderId: "o1",
  sellerId: "s1",
  currency: "JPY",
  amountMinor: 500n,
  platformFeeReversedMinor: 50n,
};
const encode = (overrides: Partial<RefundEventSource>) =>
  encodeRefundEvent({ ...refund, ...overrides }, "evt_1", new Date("2026-01-02T03:04:05Z"));

describe("RefundEvent contract", () => {
  it("decodes what the producer encodes", () => {
    expect(decodeSucceededRefund(encode({}))).toEqual({ eventId: "evt_1", ...refund, sellerDebitMinor: 450n });
  });

  it("publishes each final status on its own subject", () => {
    expect(refundEventSubject("SUCCEEDED")).toBe("refund.succeeded");
    expect(refundEventSubject("FAILED")).toBe("refund.failed");
  });

  it.each([
    ["undecodable bytes", new TextEncoder().encode("not protobuf {"), /not a RefundEvent/],
    ["no seller", encode({ sellerId: "" }), /without event_id, refund_id or seller_id/],
    ["an unknown currency", encode({ currency: "jpy" }), /"jpy" is not an ISO 4217 code/],
    ["a fee reversed above the amount", encode({ platformFeeReversedMinor: 501n }), /must be positive and equal/],
  ])("makes %s a poison message", (_what, bytes, message) => {
    expect(() => decodeRefundEvent(bytes)).toThrow(PoisonMessage);
    expect(() => decodeRefundEvent(bytes)).toThrow(message);
  });

  it("refuses anything but a succeeded refund where only those may be", () => {
    expect(decodeRefundEvent(encode({ status: "FAILED" })).status).toBe("FAILED");
    expect(() => decodeSucceededRefund(encode({ status: "FAILED" }))).toThrow(/is FAILED, not SUCCEEDED/);
  });
});
