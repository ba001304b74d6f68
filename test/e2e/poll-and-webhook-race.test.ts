import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { answerThreeDSecure, payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout } from "../support/checkouts.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { startTestPlatform, type TestPlatform } from "../support/platform.js";
import { readPaymentEvents } from "../support/stream-reader.js";
import { waitFor } from "../support/wait.js";

let platform: TestPlatform;
let payments: ServiceClient<"payment">;

beforeAll(async () => {
  // The poller asks the PSP about every in-flight payment all the time, while webhooks arrive twice and late.
  platform = await startTestPlatform({ services: ["payment"], poller: { intervalMs: 20, staleAfterMs: 0 } });
  platform.psp.setFaults({ webhook_duplicate_rate: 1, webhook_reorder_ms: 100 });
  payments = serviceClient("payment", platform.payment.url, "marketplace");
});

afterAll(async () => {
  await platform?.close();
});

const SETTLED = new Set([PaymentStatus.SUCCEEDED, PaymentStatus.FAILED]);

describe("a poll and a webhook racing to report the same outcome", () => {
  it("end in exactly one final state per payment, announced once", async () => {
    const cards = [TEST_CARDS.success, TEST_CARDS.declined, TEST_CARDS.insufficientFunds, TEST_CARDS.threeDSecure];
    const created = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const payment = (await payments.createPayment(sampleCheckout())).payment!;
        const card = cards[i % cards.length]!;
        const page = await payOnHostedPage(payment.hostedPageUrl, card);
        if (card === TEST_CARDS.threeDSecure) await answerThreeDSecure(page, i % 8 === 3 ? "approve" : "deny");
        return { paymentId: payment.paymentId, card };
      }),
    );
    const settled = await Promise.all(
      created.map(({ paymentId }) =>
        waitFor(
          () => payments.getPayment({ paymentId }).then((r) => r.payment!),
          (p) => SETTLED.has(p.status),
          15_000,
          `${paymentId} to settle`,
        ),
      ),
    );
    for (const [i, payment] of settled.entries()) {
      const pspView = await (await platform.pspApi(`/v1/payments/${payment.pspPaymentId}`)).json();
      expect(payment.status, created[i]!.card).toBe(
        pspView.status === "succeeded" ? PaymentStatus.SUCCEEDED : PaymentStatus.FAILED,
      );
    }

    // Every webhook has been delivered (twice) by now, and the poller has had many goes.
    await waitFor(
      async () => (await (await platform.pspApi("/v1/test_helpers/webhook_deliveries")).json()).data,
      (deliveries: { delivered: boolean }[]) => deliveries.every((d) => d.delivered),
      15_000,
      "every webhook to be delivered",
    );
    const events = await waitFor(
      () => readPaymentEvents(platform.streams.stream),
      (all) =>
        created.every(({ paymentId }) =>
          all.some((e) => e.event.paymentId === paymentId && ["SUCCEEDED", "FAILED"].includes(e.event.status)),
        ),
      10_000,
      "the final events to be published",
    );
    for (const { paymentId } of created) {
      const statuses = events.filter((e) => e.event.paymentId === paymentId).map((e) => e.event.status);
      expect(
        statuses.filter((s) => s === "SUCCEEDED" || s === "FAILED"),
        paymentId,
      ).toHaveLength(1);
      expect(new Set(statuses).size, `${paymentId}: ${statuses}`).toBe(statuses.length);
    }
  });
});
