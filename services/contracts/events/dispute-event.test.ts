import { describe, expect, it } from "vitest";
import { PoisonMessage } from "../../lib/events/consumer.js";
import {
  decodeDisputeEvent,
  disputeEventSubject,
  encodeDisputeEvent,
  type DisputeEventSource,
} from "./dispute-event.js";

const dispute: DisputeEventSource = {
  disputeId: "dp-1",
  status: "OPEN",
  paymentId: "pay_1",
  currency: "USD",
  amountMinor: 700n,
  shares: [
    { orderId: "o1", sellerId: "s1", amountMinor: 300n },
    { orderId: "o2", sellerId: "s2", amountMinor: 400n },
  ],
};
const encode = (overrides: Partial<DisputeEventSource>) =>
  encodeDisputeEvent({ ...dispute, ...overrides }, "evt_1", new Date("2026-01-02T03:04:05Z"));

describe("DisputeEvent contract", () => {
  it.each(["OPEN", "WON", "LOST"] as const)("decodes what the producer encodes for a dispute %s", (status) => {
    expect(decodeDisputeEvent(encode({ status }))).toEqual({ eventId: "evt_1", ...dispute, status });
  });

  it("publishes each status on its own subject", () => {
    expect(["OPEN", "WON", "LOST"].map((s) => disputeEventSubject(s as DisputeEventSource["status"]))).toEqual([
      "dispute.open",
      "dispute.won",
      "dispute.lost",
    ]);
  });

  it.each([
    ["undecodable bytes", new TextEncoder().encode("not protobuf {"), /not a DisputeEvent/],
    ["no dispute id", encode({ disputeId: "" }), /without event_id or dispute_id/],
    ["shares short of the amount", encode({ amountMinor: 701n }), /shares must add up to the amount 701/],
    [
      "a share without a seller",
      encode({ shares: [{ orderId: "o1", sellerId: "", amountMinor: 700n }] }),
      /every share needs a seller/,
    ],
  ])("makes %s a poison message", (_what, bytes, message) => {
    expect(() => decodeDisputeEvent(bytes)).toThrow(PoisonMessage);
    expect(() => decodeDisputeEvent(bytes)).toThrow(message);
  });
});
