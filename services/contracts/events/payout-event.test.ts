import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PayoutEventSchema } from "../../../gen/wallet/v1/events_pb.js";
import { PayoutStatus } from "../../../gen/wallet/v1/wallet_pb.js";
import { PoisonMessage } from "../../lib/events/consumer.js";
import { decodePayoutEvent, encodePayoutEvent, payoutEventSubject, type PayoutEventSource } from "./payout-event.js";

const valid = {
  eventId: "evt_1",
  status: PayoutStatus.PAID,
  payoutId: "po-1",
  sellerId: "s1",
  amount: { amountMinor: 12_036n, currency: "KWD" },
};
const encode = (overrides: object) =>
  toBinary(PayoutEventSchema, create(PayoutEventSchema, { ...valid, ...overrides }));

const payout: PayoutEventSource = {
  payoutId: "po-1",
  status: "PAID",
  sellerId: "s1",
  amount: { amountMinor: 12_036n, currency: "KWD" },
  destination: "acct_1",
  pspPayoutId: "psp_po_1",
  updatedAt: new Date("2026-01-02T03:04:05Z"),
};

describe("PayoutEvent contract", () => {
  it.each(["PENDING", "PAID", "FAILED"] as const)("decodes what the producer encodes for a payout %s", (status) => {
    const failure = status === "FAILED" ? { code: "account_closed", message: "closed" } : undefined;
    expect(decodePayoutEvent(encodePayoutEvent({ ...payout, status, failure }, "evt_1"))).toEqual({
      eventId: "evt_1",
      status,
      payoutId: "po-1",
      sellerId: "s1",
      currency: "KWD",
      amountMinor: 12_036n,
    });
  });

  it("publishes a request as payout.requested and each outcome on its own subject", () => {
    expect(["PENDING", "PAID", "FAILED"].map((s) => payoutEventSubject(s as PayoutEventSource["status"]))).toEqual([
      "payout.requested",
      "payout.paid",
      "payout.failed",
    ]);
  });

  it("keeps what the ledger books", () => {
    expect(decodePayoutEvent(encode({}))).toEqual({
      eventId: "evt_1",
      status: "PAID",
      payoutId: "po-1",
      sellerId: "s1",
      currency: "KWD",
      amountMinor: 12_036n,
    });
  });

  it.each([
    ["undecodable bytes", new TextEncoder().encode("not protobuf {"), /not a PayoutEvent/],
    ["no payout id", encode({ payoutId: "" }), /without event_id, payout_id or seller_id/],
    ["no status", encode({ status: PayoutStatus.UNSPECIFIED }), /unknown status 0/],
    ["an unknown currency", encode({ amount: { amountMinor: 1n, currency: "kwd" } }), /"kwd" is not an ISO 4217 code/],
    ["a zero amount", encode({ amount: { amountMinor: 0n, currency: "KWD" } }), /amount must be positive/],
  ])("makes %s a poison message", (_what, bytes, message) => {
    expect(() => decodePayoutEvent(bytes)).toThrow(PoisonMessage);
    expect(() => decodePayoutEvent(bytes)).toThrow(message);
  });
});
