import { describe, expect, it } from "vitest";
import { PoisonMessage } from "../../lib/events/consumer.js";
import {
  decodePaymentEvent,
  encodePaymentEvent,
  paymentEventSubject,
  paymentIdOfEvent,
  type PaymentEventSource,
} from "./payment-event.js";

const payment: PaymentEventSource = {
  id: "pay_1",
  status: "SUCCEEDED",
  checkoutId: "co-1",
  buyerId: "b1",
  currency: "EUR",
  total: 3_000n,
  orders: [
    { orderId: "o1", sellerId: "s1", amountMinor: 1_000n, platformFeeMinor: 100n },
    { orderId: "o2", sellerId: "s2", amountMinor: 2_000n, platformFeeMinor: 200n },
  ],
  platformFeeBps: 1_000,
};

describe("PaymentEvent contract", () => {
  it("decodes what the producer encodes", () => {
    const bytes = encodePaymentEvent(payment, "evt_1", new Date("2026-01-02T03:04:05Z"));
    expect(decodePaymentEvent(bytes)).toEqual({
      eventId: "evt_1",
      status: "SUCCEEDED",
      paymentId: "pay_1",
      currency: "EUR",
      totalMinor: 3_000n,
      orders: [
        { orderId: "o1", sellerId: "s1", amountMinor: 1_000n, platformFeeMinor: 100n, sellerNetMinor: 900n },
        { orderId: "o2", sellerId: "s2", amountMinor: 2_000n, platformFeeMinor: 200n, sellerNetMinor: 1_800n },
      ],
    });
    expect(paymentIdOfEvent(bytes)).toBe("pay_1");
  });

  it("publishes each status on its own subject", () => {
    expect(paymentEventSubject("SUCCEEDED")).toBe("payment.succeeded");
    expect(paymentEventSubject("PARTIALLY_REFUNDED")).toBe("payment.partially_refunded");
  });

  it.each([
    ["undecodable bytes", new TextEncoder().encode("not protobuf {"), /not a PaymentEvent/],
    ["no orders", encodePaymentEvent({ ...payment, orders: [] }, "evt_1", new Date()), /do not add up to the total/],
    [
      "a total the orders miss",
      encodePaymentEvent({ ...payment, total: 3_001n }, "evt_1", new Date()),
      /do not add up to the total/,
    ],
    [
      "a fee above the amount",
      encodePaymentEvent(
        { ...payment, orders: [{ ...payment.orders[0]!, platformFeeMinor: 1_001n }], total: 1_000n },
        "evt_1",
        new Date(),
      ),
      /fee \+ net != amount/,
    ],
  ])("makes %s a poison message", (_what, bytes, message) => {
    expect(() => decodePaymentEvent(bytes)).toThrow(PoisonMessage);
    expect(() => decodePaymentEvent(bytes)).toThrow(message);
  });
});
