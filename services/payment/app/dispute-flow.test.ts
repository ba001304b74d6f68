import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import type { PspDispute } from "../domain/psp-dispute.js";
import { DisputeFlow } from "./dispute-flow.js";
import { paidPayment } from "./testing/paid-payment.js";

const log = createLogger("dispute-flow-test");

async function setup() {
  const ports = await paidPayment();
  const flow = new DisputeFlow(ports.payments, ports.disputes, ports.locks, log);
  const webhook = (overrides: Partial<PspDispute> = {}) =>
    flow.applyPspDispute({
      id: "dp_1",
      pspPaymentId: ports.payment.pspPaymentId!,
      status: "needs_response",
      amountMinor: 3_000n,
      currency: "EUR",
      reason: "fraudulent",
      ...overrides,
    });
  return { ...ports, flow, webhook };
}

describe("DisputeFlow on in-memory ports", () => {
  it("opens a dispute once, shared between the sellers in proportion to what each order holds", async () => {
    const { webhook, flow, disputes, payment } = await setup();
    expect(await webhook()).toBe("applied");
    expect(await webhook()).toBe("unchanged");
    const [dispute] = await flow.list(payment.id);
    expect(dispute).toMatchObject({ status: "OPEN", amountMinor: 3_000n });
    expect(dispute!.shares).toEqual([
      { orderId: "ord_a", sellerId: "seller_a", amountMinor: 2_000n },
      { orderId: "ord_b", sellerId: "seller_b", amountMinor: 1_000n },
    ]);
    expect(disputes.announced).toEqual([{ disputeId: "dp_1", status: "OPEN" }]);
  });

  it("takes the shares on what each order holds after its refunds", async () => {
    const { webhook, flow, locks, payment } = await setup();
    await locks.withLockedPayment(payment.id, async ({ refunds }) => {
      await refunds.insert(
        {
          refundId: "ref_1",
          paymentId: payment.id,
          orderId: "ord_a",
          sellerId: "seller_a",
          currency: "EUR",
          amountMinor: 5_000n,
          platformFeeReversedMinor: 125n,
          reason: "returned",
        },
        "fp",
      );
      await refunds.settle("ref_1", "SUCCEEDED", { platformFeeReversedMinor: 125n });
    });
    await webhook({ amountMinor: 1_000n });
    expect((await flow.list(payment.id))[0]!.shares.map((s) => s.amountMinor)).toEqual([500n, 500n]);
  });

  it("records a dispute won once", async () => {
    const { webhook, disputes } = await setup();
    await webhook();
    expect(await webhook({ status: "won" })).toBe("applied");
    expect(await webhook({ status: "won" })).toBe("unchanged");
    expect(disputes.announced).toEqual([
      { disputeId: "dp_1", status: "OPEN" },
      { disputeId: "dp_1", status: "WON" },
    ]);
  });

  it("records a dispute lost whose opening it missed as opened and lost", async () => {
    const { webhook, flow, disputes, payment } = await setup();
    expect(await webhook({ status: "lost" })).toBe("applied");
    expect((await flow.list(payment.id)).map((d) => d.status)).toEqual(["LOST"]);
    expect(disputes.announced.map((a) => a.status)).toEqual(["OPEN", "LOST"]);
  });

  it("refuses a dispute of another payment, of more than the payment holds, or in another currency", async () => {
    const { webhook, disputes } = await setup();
    expect(await webhook({ pspPaymentId: "psp_unknown" })).toBe("unknown_payment");
    expect(await webhook({ amountMinor: 15_001n })).toBe("amount_mismatch");
    expect(await webhook({ currency: "USD" })).toBe("amount_mismatch");
    expect(disputes.byId.size).toBe(0);
  });
});
