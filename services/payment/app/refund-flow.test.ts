import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import type { Refund } from "../domain/refund.js";
import { PspRefusedError, type PspPort } from "./ports.js";
import { RefundFlow } from "./refund-flow.js";
import { paidPayment } from "./testing/paid-payment.js";

const EUR = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

/** A PSP that settles every refund at once, or refuses them all. */
function fakePsp(refuse = false): PspPort & { sent: string[] } {
  const sent: string[] = [];
  const none = () => Promise.reject(new Error("not expected in this test"));
  return {
    sent,
    async refund(refund: Refund, pspPaymentId: string) {
      if (refuse) throw new PspRefusedError("the card was closed");
      sent.push(refund.refundId);
      return {
        id: `psp_${refund.refundId}`,
        refundId: refund.refundId,
        pspPaymentId,
        status: "succeeded",
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        failureReason: null,
      };
    },
    register: none,
    retrieve: none,
    capture: none,
    cancel: none,
    abandon: none,
    retrieveRefund: none,
  };
}

async function setup(psp = fakePsp()) {
  const ports = await paidPayment();
  const flow = new RefundFlow(ports.payments, ports.refunds, ports.locks, psp, createLogger("refund-flow-test"));
  const refund = (refundId: string, orderId: string, amountMinor: bigint) =>
    flow.refund({ refundId, paymentId: ports.payment.id, orderId, amount: EUR(amountMinor), reason: "returned" });
  return { ...ports, flow, psp, refund };
}

describe("RefundFlow on in-memory ports", () => {
  it("refunds an order in full: its whole fee back, the order REFUNDED, the refund announced", async () => {
    const { refund, payments, refunds, payment } = await setup();
    const done = await refund("ref_1", "ord_b", 5_000n);
    expect(done).toMatchObject({
      status: "SUCCEEDED",
      pspRefundId: "psp_ref_1",
      platformFeeReversedMinor: 125n,
      sellerId: "seller_b",
    });
    expect((await payments.get(payment.id))!.orders.map((o) => o.status)).toEqual(["SUCCEEDED", "REFUNDED"]);
    expect(refunds.announced).toEqual([{ refundId: "ref_1", status: "SUCCEEDED" }]);
    expect(payments.announced.at(-1)).toEqual({ paymentId: payment.id, status: "PARTIALLY_REFUNDED" });
  });

  it("refunds part of an order, then the rest: the fee shares add up to the order's fee", async () => {
    const { refund, payments, payment, flow } = await setup();
    const first = await refund("ref_1", "ord_a", 3_333n);
    expect((await payments.get(payment.id))!.orders[0]!.status).toBe("PARTIALLY_REFUNDED");
    const second = await refund("ref_2", "ord_a", 6_667n);
    expect(first.platformFeeReversedMinor + second.platformFeeReversedMinor).toBe(250n);
    expect((await payments.get(payment.id))!.orders[0]!.status).toBe("REFUNDED");
    expect((await flow.list(payment.id)).map((r) => r.refundId)).toEqual(["ref_1", "ref_2"]);
  });

  it("answers a repeated request with the refund recorded, and refuses its refund_id for a different one", async () => {
    const { refund, psp } = await setup();
    const first = await refund("ref_1", "ord_a", 1_000n);
    expect(await refund("ref_1", "ord_a", 1_000n)).toEqual(first);
    expect(psp.sent).toEqual(["ref_1"]);
    await expect(refund("ref_1", "ord_a", 2_000n)).rejects.toMatchObject({ kind: "already_exists" });
  });

  it("refuses more than the order has left, records nothing and asks nothing of the PSP", async () => {
    const { refund, refunds, psp } = await setup();
    await refund("ref_1", "ord_a", 9_000n);
    await expect(refund("ref_2", "ord_a", 1_001n)).rejects.toMatchObject({ kind: "failed_precondition" });
    await expect(refund("ref_3", "ord_x", 1n)).rejects.toMatchObject({ kind: "invalid_argument" });
    expect([...refunds.byId.keys()]).toEqual(["ref_1"]);
    expect(psp.sent).toEqual(["ref_1"]);
  });

  it("refuses a refund while a dispute is open: the buyer's bank handles the money back", async () => {
    const { refund, locks, payment } = await setup();
    await locks.withLockedPayment(payment.id, ({ disputes }) =>
      disputes.open({
        disputeId: "dp_1",
        currency: "EUR",
        amountMinor: 1_000n,
        reason: "fraudulent",
        shares: [{ orderId: "ord_a", sellerId: "seller_a", amountMinor: 1_000n }],
      }),
    );
    await expect(refund("ref_1", "ord_b", 1_000n)).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining("OPEN dispute dp_1"),
    });
  });

  it("fails a refund the PSP refuses: no money back, the order unchanged, the failure announced", async () => {
    const { refund, payments, refunds, payment } = await setup(fakePsp(true));
    const failed = await refund("ref_1", "ord_a", 1_000n);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toContain("the card was closed");
    expect((await payments.get(payment.id))!.status).toBe("SUCCEEDED");
    expect(refunds.announced).toEqual([{ refundId: "ref_1", status: "FAILED" }]);
  });

  it("leaves a refund PENDING for the poller when the PSP cannot be reached", async () => {
    const psp = fakePsp();
    const { refund, refunds, flow } = await setup({
      ...psp,
      refund: () => Promise.reject(new Error("connect ECONNREFUSED")),
    });
    await expect(refund("ref_1", "ord_a", 1_000n)).rejects.toThrow("ECONNREFUSED");
    expect((await refunds.find("ref_1"))!.status).toBe("PENDING");
    expect(await flow.claimStale(0, 10)).toEqual(["ref_1"]);
  });
});
