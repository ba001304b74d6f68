import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerThreeDSecure, payOnHostedPage, returnToMerchant, TEST_CARDS } from "../../scripts/buyer.js";
import type { RunningPaymentService } from "../../services/payment/service.js";
import { sampleCheckout } from "../support/checkouts.js";
import { grpc, grpcJsClient, serverStream, unary, type GrpcJsClient } from "../support/grpc-js.js";
import { startPaymentReplica, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

let platform: TestPlatform;
let secondInstance: RunningPaymentService;
let payments: GrpcJsClient;
let paymentsOnSecondInstance: GrpcJsClient;

beforeAll(async () => {
  platform = await startTestPlatform({ services: ["payment"] });
  secondInstance = await startPaymentReplica(platform);
  payments = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", platform.payment.url, "marketplace");
  paymentsOnSecondInstance = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", secondInstance.url, "marketplace");
});

afterAll(async () => {
  payments?.close();
  paymentsOnSecondInstance?.close();
  await secondInstance?.close();
  await platform?.close();
});

const createPayment = (request: object) => unary(payments, "createPayment", request).then((r) => r.payment);
const getPayment = (paymentId: string) => unary(payments, "getPayment", { paymentId }).then((r) => r.payment);
const waitForStatus = (paymentId: string, status: string) =>
  waitFor(() => getPayment(paymentId), (p) => p.status === `PAYMENT_STATUS_${status}`, 15_000, `payment ${paymentId} to be ${status}`);
/** Resolves once the server has sent the payment as it is now, with what it streams until it ends. */
async function startWatching(client: GrpcJsClient, paymentId: string): Promise<{ payments: Promise<any[]> }> {
  const stream = serverStream(client, "watchPayment", { paymentId });
  await stream.first;
  return { payments: stream.all.then((messages) => messages.map((m) => m.payment)) };
}
const watch = (client: GrpcJsClient, paymentId: string) => startWatching(client, paymentId).then((w) => w.payments);
const statuses = (watched: { status: string }[]) => watched.map((p) => p.status.replace("PAYMENT_STATUS_", ""));

describe("WatchPayment", () => {
  it("streams the payment now, then every status change in order, and ends once it is settled", async () => {
    const created = await createPayment(sampleCheckout());
    const watched = await startWatching(payments, created.paymentId);
    const challenge = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.threeDSecure);
    await waitForStatus(created.paymentId, "PENDING");
    await answerThreeDSecure(challenge, "approve");

    const messages = await watched.payments;
    expect(statuses(messages)).toEqual(["EXECUTING", "PENDING", "SUCCEEDED"]);
    expect(messages[1].pendingReason).toBe("PENDING_REASON_THREE_D_SECURE");
    expect(messages[2].orders.map((o: { status: string }) => o.status)).toEqual(["PAYMENT_STATUS_SUCCEEDED", "PAYMENT_STATUS_SUCCEEDED"]);
    expect(messages[2]).toEqual(await getPayment(created.paymentId));
  });

  it("on another instance, streams the changes the first instance made from the PSP's webhooks", async () => {
    const created = await createPayment(sampleCheckout());
    const watched = await startWatching(paymentsOnSecondInstance, created.paymentId);
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.insufficientFunds);

    const messages = await watched.payments;
    expect(statuses(messages)).toEqual(["EXECUTING", "FAILED"]);
    expect(messages[0].failureReason).toBe("");
    expect(messages[1].declineCode).toBe("insufficient_funds");
  });

  it("sends a settled payment once and ends; an unknown id is NOT_FOUND, an empty one INVALID_ARGUMENT", async () => {
    const created = await createPayment(sampleCheckout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    await waitForStatus(created.paymentId, "SUCCEEDED");
    expect(statuses(await watch(payments, created.paymentId))).toEqual(["SUCCEEDED"]);
    await unary(payments, "refundPayment", { refundId: `r-${created.paymentId}`, paymentId: created.paymentId, orderId: "order-1", amount: created.orders[0].amount });
    await waitFor(() => unary(payments, "getPayment", { paymentId: created.paymentId }), (r) => r.payment.status === "PAYMENT_STATUS_PARTIALLY_REFUNDED", 15_000, "the refund");
    // A refunded payment was settled long ago: one message, and the stream ends.
    expect(statuses(await watch(payments, created.paymentId))).toEqual(["PARTIALLY_REFUNDED"]);

    await expect(watch(payments, "pay_nope")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: expect.stringContaining("pay_nope") });
    await expect(watch(payments, "")).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining("payment_id") });
  });
});

describe("the buyer's status page", () => {
  it("is where the hosted page sends the buyer back; it shows the current state and links on to the shop", async () => {
    const created = await createPayment(sampleCheckout({ returnUrl: "https://shop.example/orders/42?from=pay" }));
    expect(created.statusPageUrl).toBe(platform.payment.statusPageUrl(created.paymentId));

    const result = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.manualReview);
    await waitForStatus(created.paymentId, "PENDING");
    const pendingPage = await returnToMerchant(result);
    expect(pendingPage.url).toBe(created.statusPageUrl);
    expect(pendingPage.status).toBe("PENDING");
    expect(pendingPage.html).toContain("being reviewed by the payment provider");
    // In flight, the page reloads itself until the payment settles.
    expect(pendingPage.html).toMatch(/<meta http-equiv="refresh"/);

    const paid = await getPayment(created.paymentId);
    await platform.pspApi(`/v1/test_helpers/payments/${paid.pspPaymentId}/review`, { method: "POST", body: JSON.stringify({ outcome: "approve" }) });
    await waitForStatus(created.paymentId, "SUCCEEDED");
    const settledPage = await returnToMerchant(result);
    expect(settledPage.status).toBe("SUCCEEDED");
    expect(settledPage.html).toContain("35.00");
    expect(settledPage.html).toContain('href="https://shop.example/orders/42?from=pay"');
    expect(settledPage.html).not.toMatch(/http-equiv="refresh"/);
  });

  it("shows why a payment failed, and answers 404 for an unknown payment", async () => {
    const created = await createPayment(sampleCheckout());
    const result = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.declined);
    await waitForStatus(created.paymentId, "FAILED");
    const page = await returnToMerchant(result);
    expect(page.status).toBe("FAILED");
    expect(page.html).toContain("card declined");

    expect((await fetch(platform.payment.statusPageUrl("pay_nope"))).status).toBe(404);
  });

  it("may not be framed by another site, nor load anything (Content-Security-Policy)", async () => {
    const created = await createPayment(sampleCheckout());
    for (const res of [await fetch(created.statusPageUrl), await fetch(platform.payment.statusPageUrl("pay_nope"))]) {
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});
