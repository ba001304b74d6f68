import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerThreeDSecure, payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout, usd } from "../support/checkouts.js";
import { grpc, grpcJsClient, onBehalfOf, unary, type GrpcJsClient } from "../support/grpc-js.js";
import { PSP_API_KEY, PSP_WEBHOOK_SECRET, startPaymentReplica, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

let platform: TestPlatform;
let payments: GrpcJsClient;
let risk: GrpcJsClient;
/** The payment service as the console (risk reviews) and as operator tools (RefreshPayment). */
let consolePayments: GrpcJsClient;
let operatorPayments: GrpcJsClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  payments = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", platform.payment.url, "marketplace");
  consolePayments = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", platform.payment.url, "console");
  operatorPayments = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", platform.payment.url, "operator-tools");
  risk = grpcJsClient("risk/v1/risk.proto", "risk.v1.RiskService", platform.risk.url, "operator-tools");
});

afterAll(async () => {
  for (const client of [payments, consolePayments, operatorPayments, risk]) client?.close();
  await platform?.close();
});

const checkout = sampleCheckout;

const createPayment = (request: object) => unary(payments, "createPayment", request).then((r) => r.payment);
const getPayment = (paymentId: string) => unary(payments, "getPayment", { paymentId }).then((r) => r.payment);
const waitForStatus = (paymentId: string, status: string) =>
  waitFor(() => getPayment(paymentId), (p) => p.status === `PAYMENT_STATUS_${status}`, 15_000, `payment ${paymentId} to be ${status}`);

describe("pay-in over the real wire", () => {
  it("a success card ends SUCCEEDED through the signed webhook", async () => {
    const created = await createPayment(checkout());
    expect(created.status).toBe("PAYMENT_STATUS_EXECUTING");
    expect(created.total).toEqual(usd(3_500));
    expect(created.risk.decision).toBe("DECISION_APPROVE");
    expect(created.hostedPageUrl).toMatch(new RegExp(`^${platform.psp.url}/pay/`));

    const page = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    expect(page.status).toBe("succeeded");

    const paid = await waitForStatus(created.paymentId, "SUCCEEDED");
    expect(paid.orders.map((o: { status: string }) => o.status)).toEqual(["PAYMENT_STATUS_SUCCEEDED", "PAYMENT_STATUS_SUCCEEDED"]);
    expect(paid.failureReason).toBe("");
  });

  it("embed_origins are kept with the payment, registered at the PSP, and part of the checkout_id's request", async () => {
    const request = checkout({ embedOrigins: ["https://shop.example", "http://localhost:3000"] });
    const created = await createPayment(request);
    expect(created.embedOrigins).toEqual(["https://shop.example", "http://localhost:3000"]);
    expect((await getPayment(created.paymentId)).embedOrigins).toEqual(created.embedOrigins);
    const atPsp = await (await platform.pspApi(`/v1/payments/${created.pspPaymentId}`)).json();
    expect(atPsp.embed_origins).toEqual(created.embedOrigins);
    expect((await createPayment(request)).paymentId).toBe(created.paymentId);
    const err = await createPayment({ ...request, embedOrigins: ["https://other.example"] }).catch((e) => e);
    expect(err.code).toBe(grpc.status.ALREADY_EXISTS);
  });

  it("a declined card ends FAILED with the PSP's decline code", async () => {
    const created = await createPayment(checkout());
    const page = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.insufficientFunds);
    expect(page.declineCode).toBe("insufficient_funds");

    const failed = await waitForStatus(created.paymentId, "FAILED");
    expect(failed.declineCode).toBe("insufficient_funds");
    expect(failed.failureReason).toContain("declined");
  });

  it("3-D Secure goes PENDING, then SUCCEEDED once the buyer authenticates", async () => {
    const created = await createPayment(checkout());
    const challenge = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.threeDSecure);
    expect((await waitForStatus(created.paymentId, "PENDING")).pendingReason).toBe("PENDING_REASON_THREE_D_SECURE");
    expect((await answerThreeDSecure(challenge, "approve")).status).toBe("succeeded");
    expect((await waitForStatus(created.paymentId, "SUCCEEDED")).pendingReason).toBe("PENDING_REASON_UNSPECIFIED");
  });

  it("a payment held for manual review at the PSP stays PENDING until the PSP decides", async () => {
    const created = await createPayment(checkout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.manualReview);
    const pending = await waitForStatus(created.paymentId, "PENDING");
    expect(pending.pendingReason).toBe("PENDING_REASON_MANUAL_REVIEW");
    const review = await platform.pspApi(`/v1/test_helpers/payments/${pending.pspPaymentId}/review`, {
      method: "POST",
      body: JSON.stringify({ outcome: "reject" }),
    });
    expect(review.status).toBe(200);
    expect((await waitForStatus(created.paymentId, "FAILED")).declineCode).toBe("fraudulent");
  });

  it("a blocked buyer is rejected by risk, ends FAILED with the reason, and never reaches the PSP", async () => {
    const request = checkout();
    await unary(risk, "blockBuyer", { buyerId: request.buyerId, reason: "chargeback fraud" });

    const created = await createPayment(request);
    expect(created.status).toBe("PAYMENT_STATUS_FAILED");
    expect(created.risk.decision).toBe("DECISION_REJECT");
    expect(created.risk.reasons.map((r: { code: string }) => r.code)).toContain("blocked_buyer");
    expect(created.failureReason).toContain("chargeback fraud");
    expect(created.hostedPageUrl).toBe("");

    const atPsp = await (await platform.pspApi(`/v1/payments?reference=${created.paymentId}`)).json();
    expect(atPsp.data).toEqual([]);
  });

  it("an amount over the review threshold waits for a person, then goes to the PSP when approved", async () => {
    const created = await createPayment(checkout({ orders: [{ orderId: "o1", sellerId: "s1", amount: usd(600_000) }] }));
    expect(created.status).toBe("PAYMENT_STATUS_NOT_STARTED");
    expect(created.risk.decision).toBe("DECISION_REVIEW");
    expect(created.hostedPageUrl).toBe("");
    const awaiting = async () =>
      (await unary(payments, "listPayments", { buyerId: created.buyerId, awaitingRiskReview: true })).payments.map((p: { paymentId: string }) => p.paymentId);
    expect(await awaiting()).toEqual([created.paymentId]);

    const approved = await unary(
      consolePayments,
      "decideRiskReview",
      { paymentId: created.paymentId, outcome: "REVIEW_OUTCOME_APPROVED", reviewer: "typed-in-name", note: "known customer" },
      onBehalfOf("risk-analyst"),
    );
    expect(approved.payment.status).toBe("PAYMENT_STATUS_EXECUTING");
    // The reviewer is the operator the console vouched for, never the request's field.
    expect(approved.payment.risk.reviewer).toBe("risk-analyst");
    expect(approved.payment.hostedPageUrl).not.toBe("");
    expect(await awaiting()).toEqual([]);

    const again = unary(consolePayments, "decideRiskReview", { paymentId: created.paymentId, outcome: "REVIEW_OUTCOME_REJECTED" }, onBehalfOf("risk-analyst"));
    await expect(again).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
  });
});

describe("calls to the PSP", () => {
  const pspFaults = (faults: { fail_before_commit_rate?: number; fail_after_commit_rate?: number }) =>
    platform.pspApi("/v1/test_helpers/faults", { method: "POST", body: JSON.stringify(faults) });
  const pspPaymentsFor = async (paymentId: string) => (await (await platform.pspApi(`/v1/payments?reference=${paymentId}`)).json()).data;

  it("a lost PSP response is retried with the same idempotency key: one PSP payment", async () => {
    expect((await pspFaults({ fail_after_commit_rate: 1 })).status).toBe(200);
    let created;
    try {
      created = await createPayment(checkout());
    } finally {
      await pspFaults({ fail_after_commit_rate: 0 });
    }
    expect(created.status).toBe("PAYMENT_STATUS_EXECUTING");
    const atPsp = await pspPaymentsFor(created.paymentId);
    expect(atPsp).toHaveLength(1);
    expect(atPsp[0].id).toBe(created.pspPaymentId);
  });

  it("while the PSP is down the caller gets UNAVAILABLE; retrying the same checkout resumes it", async () => {
    const request = checkout();
    expect((await pspFaults({ fail_before_commit_rate: 1 })).status).toBe(200);
    let interrupted;
    try {
      interrupted = await createPayment(request).catch((err) => err);
    } finally {
      await pspFaults({ fail_before_commit_rate: 0 });
    }
    expect(interrupted).toMatchObject({ code: grpc.status.UNAVAILABLE, details: expect.stringContaining("retry") });

    const resumed = await createPayment(request);
    expect(resumed.status).toBe("PAYMENT_STATUS_EXECUTING");
    expect(await pspPaymentsFor(resumed.paymentId)).toHaveLength(1);
  });

  it("a PSP slower than our timeout: each attempt times out, the retries reuse the key, one PSP payment", async () => {
    const impatient = await startPaymentReplica(platform, {
      psp: { baseUrl: platform.psp.url, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET, timeoutMs: 100 },
    });
    const client = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", impatient.url, "marketplace");
    const request = checkout();
    try {
      // The PSP does the work at once and answers after 300 ms, when we have given up.
      platform.psp.setFaults({ latency_ms: 300 });
      const timedOut = await unary(client, "createPayment", request).catch((err) => err);
      expect(timedOut).toMatchObject({ code: grpc.status.UNAVAILABLE, details: expect.stringMatching(/not answering.*retry later/) });
      platform.psp.setFaults({});
      const { payment } = await unary(client, "createPayment", request);
      expect(payment.status).toBe("PAYMENT_STATUS_EXECUTING");
      const atPsp = await pspPaymentsFor(payment.paymentId);
      expect(atPsp).toHaveLength(1);
      expect(atPsp[0].id).toBe(payment.pspPaymentId);
    } finally {
      platform.psp.setFaults({});
      client.close();
      await impatient.close();
    }
  });
});

describe("webhooks", () => {
  async function paidPayment() {
    const created = await createPayment(checkout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    return waitForStatus(created.paymentId, "SUCCEEDED");
  }

  function signedEvent(object: object, secret = PSP_WEBHOOK_SECRET, timestamp = Math.floor(Date.now() / 1000), type = "payment.processing") {
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: "event", type, data: { object } });
    const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    return { body, headers: { "content-type": "application/json", "psp-signature": `t=${timestamp},v1=${signature}` } };
  }

  async function pspObject(pspPaymentId: string) {
    return (await platform.pspApi(`/v1/payments/${pspPaymentId}`)).json();
  }

  it("a forged or stale webhook is refused and changes nothing", async () => {
    const created = await createPayment(checkout());
    const forgedSucceeded = { ...(await pspObject(created.pspPaymentId)), status: "succeeded" };
    const forged = signedEvent(forgedSucceeded, "whsec_guessed");
    const stale = signedEvent(forgedSucceeded, PSP_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600);
    for (const attempt of [forged, stale, { ...forged, headers: { "content-type": "application/json" } }]) {
      const res = await fetch(platform.payment.webhookUrl, { method: "POST", ...attempt });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/signature/);
    }
    expect((await getPayment(created.paymentId)).status).toBe("PAYMENT_STATUS_EXECUTING");
  });

  it("an event type we do not act on (a payout's) is acknowledged so the PSP stops retrying, and changes nothing", async () => {
    const paid = await paidPayment();
    const payout = { id: "po_1", object: "payout", amount: 100, currency: "USD", status: "paid", destination: "ba_1", reference: "x" };
    const res = await fetch(platform.payment.webhookUrl, { method: "POST", ...signedEvent(payout, PSP_WEBHOOK_SECRET, undefined, "payout.paid") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await getPayment(paid.paymentId)).toEqual(paid);
  });

  it("RefreshPayment applies the PSP's view at once when its webhook was lost", async () => {
    platform.psp.setFaults({ webhook_drop_rate: 1 });
    try {
      const created = await createPayment(checkout());
      expect((await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success)).status).toBe("succeeded");
      expect((await getPayment(created.paymentId)).status).toBe("PAYMENT_STATUS_EXECUTING");
      const { payment } = await unary(operatorPayments, "refreshPayment", { paymentId: created.paymentId });
      expect(payment.status).toBe("PAYMENT_STATUS_SUCCEEDED");
    } finally {
      platform.psp.setFaults({});
    }
    await expect(unary(operatorPayments, "refreshPayment", { paymentId: "pay_nope" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("duplicate and out-of-order webhooks never move a status backwards", async () => {
    const paid = await paidPayment();
    const object = await pspObject(paid.pspPaymentId);
    for (const status of ["processing", "requires_payment_method", "failed", "succeeded"]) {
      const event = signedEvent({ ...object, status, decline_code: status === "failed" ? "generic_decline" : null });
      const res = await fetch(platform.payment.webhookUrl, { method: "POST", ...event });
      expect(res.status).toBe(200);
    }
    const after = await getPayment(paid.paymentId);
    expect(after.status).toBe("PAYMENT_STATUS_SUCCEEDED");
    expect(after.declineCode).toBe("");
  });
});

describe("listing", () => {
  it("pages through a buyer's payments newest first with page tokens", async () => {
    const buyerId = `buyer-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createPayment(checkout({ buyerId }))).paymentId);

    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await unary(payments, "listPayments", { buyerId, pageSize: 2, pageToken });
      expect(page.payments.length).toBeLessThanOrEqual(2);
      seen.push(...page.payments.map((p: { paymentId: string }) => p.paymentId));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual(ids.reverse());

    await expect(unary(payments, "listPayments", { pageToken: "garbage!" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary(payments, "listPayments", { pageSize: 1000 })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("GetPayment of an unknown id is NOT_FOUND", async () => {
    await expect(getPayment("pay_doesnotexist")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: expect.stringContaining("pay_doesnotexist") });
  });
});

describe("bad input gets INVALID_ARGUMENT naming the field, and records nothing", () => {
  const order = { orderId: "o1", sellerId: "s1", amount: usd(100) };
  const cases: [string, Record<string, unknown>, string][] = [
    ["empty checkout_id", { checkoutId: "" }, "checkout_id"],
    ["over-long checkout_id", { checkoutId: "c".repeat(129) }, "checkout_id"],
    ["checkout_id with spaces", { checkoutId: "cart 1" }, "checkout_id"],
    ["empty buyer_id", { buyerId: "" }, "buyer_id"],
    ["no orders", { orders: [] }, "orders"],
    ["too many orders", { orders: Array.from({ length: 51 }, (_, i) => ({ ...order, orderId: `o${i}` })) }, "orders"],
    ["zero amount", { orders: [{ ...order, amount: usd(0) }] }, "orders[0].amount.amount_minor"],
    ["negative amount", { orders: [{ ...order, amount: usd(-5) }] }, "orders[0].amount.amount_minor"],
    ["missing amount", { orders: [{ orderId: "o1", sellerId: "s1" }] }, "orders[0].amount"],
    ["unknown currency", { orders: [{ ...order, amount: { amountMinor: "100", currency: "XYZ" } }] }, "orders[0].amount.currency"],
    ["lower-case currency", { orders: [{ ...order, amount: { amountMinor: "100", currency: "usd" } }] }, "orders[0].amount.currency"],
    ["mixed currencies", { orders: [order, { ...order, orderId: "o2", amount: { amountMinor: "100", currency: "EUR" } }] }, "orders[1].amount.currency"],
    ["duplicate order ids", { orders: [order, order] }, "orders[1].order_id"],
    ["empty order_id", { orders: [{ ...order, orderId: "" }] }, "orders[0].order_id"],
    ["empty seller_id", { orders: [{ ...order, sellerId: "" }] }, "orders[0].seller_id"],
    ["total overflowing int64", { orders: [{ ...order, amount: usd("9223372036854775807") }, { ...order, orderId: "o2" }] }, "orders"],
    ["bad country", { buyerCountry: "usa" }, "buyer_country"],
    ["bad return_url", { returnUrl: "javascript:alert(1)" }, "return_url"],
    ["too many embed_origins", { embedOrigins: Array.from({ length: 11 }, (_, i) => `https://shop${i}.example`) }, "embed_origins"],
    ["over-long embed origin", { embedOrigins: [`https://${"a".repeat(250)}.example`] }, "embed_origins[0]"],
    ["embed origin with a path", { embedOrigins: ["https://shop.example", "https://shop.example/checkout"] }, "embed_origins[1]"],
    ["embed origin over plain http", { embedOrigins: ["http://shop.example"] }, "embed_origins[0]"],
    ["embed origin with a CSP separator", { embedOrigins: ["https://shop.example; script-src *"] }, "embed_origins[0]"],
  ];

  it.each(cases)("%s", async (_name, overrides, field) => {
    const request = checkout(overrides);
    const err = await createPayment(request).catch((e) => e);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(new RegExp(`^${field.replace(/[[\]]/g, "\\$&")}: `));
    if (field !== "buyer_id") {
      const listed = await unary(payments, "listPayments", { buyerId: request.buyerId });
      expect(listed.payments).toEqual([]);
    }
  });
});

describe("RETURN_URL_HOSTS", () => {
  it("refuses a return_url on a host not listed, with INVALID_ARGUMENT naming the host and the setting; a listed one is taken", async () => {
    const restricted = await startPaymentReplica(platform, { returnUrlHosts: ["shop.example"] });
    const client = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", restricted.url, "marketplace");
    try {
      const phishing = checkout({ returnUrl: "https://shop.example.evil.example/login" });
      const err = await unary(client, "createPayment", phishing).catch((e) => e);
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details).toBe('return_url: host "shop.example.evil.example" is not one buyers may be sent back to (RETURN_URL_HOSTS: shop.example)');
      expect((await unary(payments, "listPayments", { buyerId: phishing.buyerId })).payments).toEqual([]);

      const { payment } = await unary(client, "createPayment", checkout({ returnUrl: "https://shop.example/orders/1" }));
      expect(payment.status).toBe("PAYMENT_STATUS_EXECUTING");
    } finally {
      client.close();
      await restricted.close();
    }
  });
});

describe("a lost webhook", () => {
  let lossy: TestPlatform;

  beforeAll(async () => {
    lossy = await startTestPlatform({ poller: { intervalMs: 100, staleAfterMs: 0 } });
    // Every delivery fails: only the poller can learn the outcome.
    lossy.psp.setWebhookUrl("http://127.0.0.1:9/unreachable");
  });

  afterAll(async () => {
    await lossy?.close();
  });

  it("is made up for by polling the PSP", async () => {
    const client = grpcJsClient("payment/v1/payment.proto", "payment.v1.PaymentService", lossy.payment.url, "marketplace");
    try {
      const { payment } = await unary(client, "createPayment", checkout());
      await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
      const paid = await waitFor(
        () => unary(client, "getPayment", { paymentId: payment.paymentId }).then((r) => r.payment),
        (p) => p.status === "PAYMENT_STATUS_SUCCEEDED",
        15_000,
        "the poller to find the payment succeeded",
      );
      expect(paid.orders.every((o: { status: string }) => o.status === "PAYMENT_STATUS_SUCCEEDED")).toBe(true);
    } finally {
      client.close();
    }
  });
});
