import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { PaymentStatus, PendingReason, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { answerThreeDSecure, payOnHostedPage, returnToMerchant, TEST_CARDS } from "../../scripts/buyer.js";
import type { RunningPaymentService } from "../../services/payment/service.js";
import { sampleCheckout, waitForStatus as waitForPaymentStatus, type CheckoutRequest } from "../support/checkouts.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { startPaymentReplica, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

let platform: TestPlatform;
let secondInstance: RunningPaymentService;
let payments: ServiceClient<"payment">;
let paymentsOnSecondInstance: ServiceClient<"payment">;

beforeAll(async () => {
  platform = await startTestPlatform({ services: ["payment"] });
  secondInstance = await startPaymentReplica(platform);
  payments = serviceClient("payment", platform.payment.url, "marketplace");
  paymentsOnSecondInstance = serviceClient("payment", secondInstance.url, "marketplace");
});

afterAll(async () => {
  await secondInstance?.close();
  await platform?.close();
});

const createPayment = (request: CheckoutRequest) => payments.createPayment(request).then((r) => r.payment!);
const getPayment = (paymentId: string) => payments.getPayment({ paymentId }).then((r) => r.payment!);
const waitForStatus = (paymentId: string, status: PaymentStatus) => waitForPaymentStatus(payments, paymentId, status);
/** Resolves once the server has sent the payment as it is now, with what it streams until it ends (that first one included). */
async function startWatching(
  client: ServiceClient<"payment">,
  paymentId: string,
): Promise<{ payments: Promise<Payment[]> }> {
  const stream = client.watchPayment({ paymentId })[Symbol.asyncIterator]();
  const first = await stream.next();
  const all = (async () => {
    const watched: Payment[] = [];
    for (let message = first; !message.done; message = await stream.next()) watched.push(message.value.payment!);
    return watched;
  })();
  // Whoever awaits it reports a failure; until then it must not count as unhandled.
  all.catch(() => {});
  return { payments: all };
}
const watch = (client: ServiceClient<"payment">, paymentId: string) =>
  startWatching(client, paymentId).then((w) => w.payments);
const statuses = (watched: Payment[]) => watched.map((p) => PaymentStatus[p.status]);

describe("WatchPayment", () => {
  it("streams the payment now, then every status change in order, and ends once it is settled", async () => {
    const created = await createPayment(sampleCheckout());
    const watched = await startWatching(payments, created.paymentId);
    const challenge = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.threeDSecure);
    await waitForStatus(created.paymentId, PaymentStatus.PENDING);
    await answerThreeDSecure(challenge, "approve");

    const messages = await watched.payments;
    expect(statuses(messages)).toEqual(["EXECUTING", "PENDING", "SUCCEEDED"]);
    expect(messages[1]!.pendingReason).toBe(PendingReason.THREE_D_SECURE);
    expect(messages[2]!.orders.map((o) => o.status)).toEqual([PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED]);
    expect(messages[2]).toEqual(await getPayment(created.paymentId));
  });

  it("on another instance, streams the changes the first instance made from the PSP's webhooks", async () => {
    const created = await createPayment(sampleCheckout());
    const watched = await startWatching(paymentsOnSecondInstance, created.paymentId);
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.insufficientFunds);

    const messages = await watched.payments;
    expect(statuses(messages)).toEqual(["EXECUTING", "FAILED"]);
    expect(messages[0]!.failureReason).toBe("");
    expect(messages[1]!.declineCode).toBe("insufficient_funds");
  });

  it("sends a settled payment once and ends; an unknown id is NOT_FOUND, an empty one INVALID_ARGUMENT", async () => {
    const created = await createPayment(sampleCheckout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    await waitForStatus(created.paymentId, PaymentStatus.SUCCEEDED);
    expect(statuses(await watch(payments, created.paymentId))).toEqual(["SUCCEEDED"]);
    await payments.refundPayment({
      refundId: `r-${created.paymentId}`,
      paymentId: created.paymentId,
      orderId: "order-1",
      amount: created.orders[0]!.amount,
    });
    await waitFor(
      () => payments.getPayment({ paymentId: created.paymentId }),
      (r) => r.payment!.status === PaymentStatus.PARTIALLY_REFUNDED,
      15_000,
      "the refund",
    );
    // A refunded payment was settled long ago: one message, and the stream ends.
    expect(statuses(await watch(payments, created.paymentId))).toEqual(["PARTIALLY_REFUNDED"]);

    await expect(watch(payments, "pay_nope")).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: expect.stringContaining("pay_nope"),
    });
    await expect(watch(payments, "")).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("payment_id"),
    });
  });
});

describe("the buyer's status page", () => {
  it("is where the hosted page sends the buyer back; it shows the current state and links on to the shop", async () => {
    const created = await createPayment(sampleCheckout({ returnUrl: "https://shop.example/orders/42?from=pay" }));
    expect(created.statusPageUrl).toBe(platform.payment.statusPageUrl(created.paymentId));

    const result = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.manualReview);
    await waitForStatus(created.paymentId, PaymentStatus.PENDING);
    const pendingPage = await returnToMerchant(result);
    expect(pendingPage.url).toBe(created.statusPageUrl);
    expect(pendingPage.status).toBe("PENDING");
    expect(pendingPage.html).toContain("being reviewed by the payment provider");
    // In flight, the page reloads itself until the payment settles.
    expect(pendingPage.html).toMatch(/<meta http-equiv="refresh"/);

    const paid = await getPayment(created.paymentId);
    await platform.pspApi(`/v1/test_helpers/payments/${paid.pspPaymentId}/review`, {
      method: "POST",
      body: JSON.stringify({ outcome: "approve" }),
    });
    await waitForStatus(created.paymentId, PaymentStatus.SUCCEEDED);
    const settledPage = await returnToMerchant(result);
    expect(settledPage.status).toBe("SUCCEEDED");
    expect(settledPage.html).toContain("35.00");
    expect(settledPage.html).toContain('href="https://shop.example/orders/42?from=pay"');
    expect(settledPage.html).not.toMatch(/http-equiv="refresh"/);
  });

  it("shows why a payment failed, and answers 404 for an unknown payment", async () => {
    const created = await createPayment(sampleCheckout());
    const result = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.declined);
    await waitForStatus(created.paymentId, PaymentStatus.FAILED);
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
