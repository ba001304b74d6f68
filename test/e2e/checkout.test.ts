import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { PaymentStatus, PendingReason, ReviewOutcome, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { Decision } from "../../gen/risk/v1/risk_pb.js";
import { answerThreeDSecure, payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import {
  sampleCheckout,
  usd,
  waitForStatus as waitForPaymentStatus,
  type CheckoutRequest,
} from "../support/checkouts.js";
import { failure, onBehalfOf, serviceClient, type ServiceClient } from "../support/clients.js";
import {
  PSP_API_KEY,
  PSP_WEBHOOK_SECRET,
  startPaymentReplica,
  startTestPlatform,
  type TestPlatform,
} from "../support/platform.js";
import { waitFor } from "../support/wait.js";

let platform: TestPlatform;
let payments: ServiceClient<"payment">;
let risk: ServiceClient<"risk">;
/** The payment service as the console (risk reviews) and as operator tools (RefreshPayment). */
let consolePayments: ServiceClient<"payment">;
let operatorPayments: ServiceClient<"payment">;

beforeAll(async () => {
  platform = await startTestPlatform();
  payments = serviceClient("payment", platform.payment.url, "marketplace");
  consolePayments = serviceClient("payment", platform.payment.url, "console");
  operatorPayments = serviceClient("payment", platform.payment.url, "operator-tools");
  risk = serviceClient("risk", platform.risk.url, "operator-tools");
});

afterAll(async () => {
  await platform?.close();
});

const checkout = sampleCheckout;

const createPayment = (request: CheckoutRequest) => payments.createPayment(request).then((r) => r.payment!);
const getPayment = (paymentId: string) => payments.getPayment({ paymentId }).then((r) => r.payment!);
const waitForStatus = (paymentId: string, status: PaymentStatus) => waitForPaymentStatus(payments, paymentId, status);

describe("pay-in over the real wire", () => {
  it("a success card ends SUCCEEDED through the signed webhook", async () => {
    const created = await createPayment(checkout());
    expect(created.status).toBe(PaymentStatus.EXECUTING);
    expect(created.total).toMatchObject(usd(3_500));
    expect(created.risk!.decision).toBe(Decision.APPROVE);
    expect(created.hostedPageUrl).toMatch(new RegExp(`^${platform.psp.url}/pay/`));

    const page = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    expect(page.status).toBe("succeeded");

    const paid = await waitForStatus(created.paymentId, PaymentStatus.SUCCEEDED);
    expect(paid.orders.map((o) => o.status)).toEqual([PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED]);
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
    const err = await failure(createPayment({ ...request, embedOrigins: ["https://other.example"] }));
    expect(err.code).toBe(Code.AlreadyExists);
  });

  it("a declined card ends FAILED with the PSP's decline code", async () => {
    const created = await createPayment(checkout());
    const page = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.insufficientFunds);
    expect(page.declineCode).toBe("insufficient_funds");

    const failed = await waitForStatus(created.paymentId, PaymentStatus.FAILED);
    expect(failed.declineCode).toBe("insufficient_funds");
    expect(failed.failureReason).toContain("declined");
  });

  it("3-D Secure goes PENDING, then SUCCEEDED once the buyer authenticates", async () => {
    const created = await createPayment(checkout());
    const challenge = await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.threeDSecure);
    expect((await waitForStatus(created.paymentId, PaymentStatus.PENDING)).pendingReason).toBe(
      PendingReason.THREE_D_SECURE,
    );
    expect((await answerThreeDSecure(challenge, "approve")).status).toBe("succeeded");
    expect((await waitForStatus(created.paymentId, PaymentStatus.SUCCEEDED)).pendingReason).toBe(
      PendingReason.UNSPECIFIED,
    );
  });

  it("a payment held for manual review at the PSP stays PENDING until the PSP decides", async () => {
    const created = await createPayment(checkout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.manualReview);
    const pending = await waitForStatus(created.paymentId, PaymentStatus.PENDING);
    expect(pending.pendingReason).toBe(PendingReason.MANUAL_REVIEW);
    const review = await platform.pspApi(`/v1/test_helpers/payments/${pending.pspPaymentId}/review`, {
      method: "POST",
      body: JSON.stringify({ outcome: "reject" }),
    });
    expect(review.status).toBe(200);
    expect((await waitForStatus(created.paymentId, PaymentStatus.FAILED)).declineCode).toBe("fraudulent");
  });

  it("a blocked buyer is rejected by risk, ends FAILED with the reason, and never reaches the PSP", async () => {
    const request = checkout();
    await risk.blockBuyer({ buyerId: request.buyerId, reason: "chargeback fraud" });

    const created = await createPayment(request);
    expect(created.status).toBe(PaymentStatus.FAILED);
    expect(created.risk!.decision).toBe(Decision.REJECT);
    expect(created.risk!.reasons.map((r) => r.code)).toContain("blocked_buyer");
    expect(created.failureReason).toContain("chargeback fraud");
    expect(created.hostedPageUrl).toBe("");

    const atPsp = await (await platform.pspApi(`/v1/payments?reference=${created.paymentId}`)).json();
    expect(atPsp.data).toEqual([]);
  });

  it("an amount over the review threshold waits for a person, then goes to the PSP when approved", async () => {
    const created = await createPayment(
      checkout({ orders: [{ orderId: "o1", sellerId: "s1", amount: usd(600_000) }] }),
    );
    expect(created.status).toBe(PaymentStatus.NOT_STARTED);
    expect(created.risk!.decision).toBe(Decision.REVIEW);
    expect(created.hostedPageUrl).toBe("");
    const awaiting = async () =>
      (await payments.listPayments({ buyerId: created.buyerId, awaitingRiskReview: true })).payments.map(
        (p) => p.paymentId,
      );
    expect(await awaiting()).toEqual([created.paymentId]);

    const approved = (
      await consolePayments.decideRiskReview(
        {
          paymentId: created.paymentId,
          outcome: ReviewOutcome.APPROVED,
          reviewer: "typed-in-name",
          note: "known customer",
        },
        onBehalfOf("risk-analyst"),
      )
    ).payment!;
    expect(approved.status).toBe(PaymentStatus.EXECUTING);
    // The reviewer is the operator the console vouched for, never the request's field.
    expect(approved.risk!.reviewer).toBe("risk-analyst");
    expect(approved.hostedPageUrl).not.toBe("");
    expect(await awaiting()).toEqual([]);

    const again = consolePayments.decideRiskReview(
      { paymentId: created.paymentId, outcome: ReviewOutcome.REJECTED },
      onBehalfOf("risk-analyst"),
    );
    await expect(again).rejects.toMatchObject({ code: Code.FailedPrecondition });
  });
});

describe("calls to the PSP", () => {
  const pspFaults = (faults: { fail_before_commit_rate?: number; fail_after_commit_rate?: number }) =>
    platform.pspApi("/v1/test_helpers/faults", { method: "POST", body: JSON.stringify(faults) });
  const pspPaymentsFor = async (paymentId: string) =>
    (await (await platform.pspApi(`/v1/payments?reference=${paymentId}`)).json()).data;

  it("a lost PSP response is retried with the same idempotency key: one PSP payment", async () => {
    expect((await pspFaults({ fail_after_commit_rate: 1 })).status).toBe(200);
    let created: Payment;
    try {
      created = await createPayment(checkout());
    } finally {
      await pspFaults({ fail_after_commit_rate: 0 });
    }
    expect(created.status).toBe(PaymentStatus.EXECUTING);
    const atPsp = await pspPaymentsFor(created.paymentId);
    expect(atPsp).toHaveLength(1);
    expect(atPsp[0].id).toBe(created.pspPaymentId);
  });

  it("while the PSP is down the caller gets UNAVAILABLE; retrying the same checkout resumes it", async () => {
    const request = checkout();
    expect((await pspFaults({ fail_before_commit_rate: 1 })).status).toBe(200);
    let interrupted;
    try {
      interrupted = await createPayment(request).catch((e: unknown) => ConnectError.from(e));
    } finally {
      await pspFaults({ fail_before_commit_rate: 0 });
    }
    expect(interrupted).toMatchObject({ code: Code.Unavailable, rawMessage: expect.stringContaining("retry") });

    const resumed = await createPayment(request);
    expect(resumed.status).toBe(PaymentStatus.EXECUTING);
    expect(await pspPaymentsFor(resumed.paymentId)).toHaveLength(1);
  });

  it("a PSP slower than our timeout: each attempt times out, the retries reuse the key, one PSP payment", async () => {
    const impatient = await startPaymentReplica(platform, {
      psp: { baseUrl: platform.psp.url, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET, timeoutMs: 100 },
    });
    const client = serviceClient("payment", impatient.url, "marketplace");
    const request = checkout();
    try {
      // The PSP does the work at once and answers after 300 ms, when we have given up.
      platform.psp.setFaults({ latency_ms: 300 });
      const timedOut = await client.createPayment(request).catch((e: unknown) => ConnectError.from(e));
      expect(timedOut).toMatchObject({
        code: Code.Unavailable,
        rawMessage: expect.stringMatching(/not answering.*retry later/),
      });
      platform.psp.setFaults({});
      const payment = (await client.createPayment(request)).payment!;
      expect(payment.status).toBe(PaymentStatus.EXECUTING);
      const atPsp = await pspPaymentsFor(payment.paymentId);
      expect(atPsp).toHaveLength(1);
      expect(atPsp[0].id).toBe(payment.pspPaymentId);
    } finally {
      platform.psp.setFaults({});
      await impatient.close();
    }
  });
});

describe("webhooks", () => {
  async function paidPayment() {
    const created = await createPayment(checkout());
    await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success);
    return waitForStatus(created.paymentId, PaymentStatus.SUCCEEDED);
  }

  function signedEvent(
    object: object,
    secret = PSP_WEBHOOK_SECRET,
    timestamp = Math.floor(Date.now() / 1000),
    type = "payment.processing",
  ) {
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
    expect((await getPayment(created.paymentId)).status).toBe(PaymentStatus.EXECUTING);
  });

  it("an event type we do not act on (a payout's) is acknowledged so the PSP stops retrying, and changes nothing", async () => {
    const paid = await paidPayment();
    const payout = {
      id: "po_1",
      object: "payout",
      amount: 100,
      currency: "USD",
      status: "paid",
      destination: "ba_1",
      reference: "x",
    };
    const res = await fetch(platform.payment.webhookUrl, {
      method: "POST",
      ...signedEvent(payout, PSP_WEBHOOK_SECRET, undefined, "payout.paid"),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await getPayment(paid.paymentId)).toEqual(paid);
  });

  it("RefreshPayment applies the PSP's view at once when its webhook was lost", async () => {
    platform.psp.setFaults({ webhook_drop_rate: 1 });
    try {
      const created = await createPayment(checkout());
      expect((await payOnHostedPage(created.hostedPageUrl, TEST_CARDS.success)).status).toBe("succeeded");
      expect((await getPayment(created.paymentId)).status).toBe(PaymentStatus.EXECUTING);
      const payment = (await operatorPayments.refreshPayment({ paymentId: created.paymentId })).payment!;
      expect(payment.status).toBe(PaymentStatus.SUCCEEDED);
    } finally {
      platform.psp.setFaults({});
    }
    await expect(operatorPayments.refreshPayment({ paymentId: "pay_nope" })).rejects.toMatchObject({
      code: Code.NotFound,
    });
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
    expect(after.status).toBe(PaymentStatus.SUCCEEDED);
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
      const page = await payments.listPayments({ buyerId, pageSize: 2, pageToken });
      expect(page.payments.length).toBeLessThanOrEqual(2);
      seen.push(...page.payments.map((p) => p.paymentId));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual(ids.reverse());

    await expect(payments.listPayments({ pageToken: "garbage!" })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    await expect(payments.listPayments({ pageSize: 1000 })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("GetPayment of an unknown id is NOT_FOUND", async () => {
    await expect(getPayment("pay_doesnotexist")).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: expect.stringContaining("pay_doesnotexist"),
    });
  });
});

describe("bad input gets INVALID_ARGUMENT naming the field, and records nothing", () => {
  const order = { orderId: "o1", sellerId: "s1", amount: usd(100) };
  const cases: [string, CheckoutRequest, string][] = [
    ["empty checkout_id", { checkoutId: "" }, "checkout_id"],
    ["over-long checkout_id", { checkoutId: "c".repeat(129) }, "checkout_id"],
    ["checkout_id with spaces", { checkoutId: "cart 1" }, "checkout_id"],
    ["empty buyer_id", { buyerId: "" }, "buyer_id"],
    ["no orders", { orders: [] }, "orders"],
    ["too many orders", { orders: Array.from({ length: 51 }, (_, i) => ({ ...order, orderId: `o${i}` })) }, "orders"],
    ["zero amount", { orders: [{ ...order, amount: usd(0) }] }, "orders[0].amount.amount_minor"],
    ["negative amount", { orders: [{ ...order, amount: usd(-5) }] }, "orders[0].amount.amount_minor"],
    ["missing amount", { orders: [{ orderId: "o1", sellerId: "s1" }] }, "orders[0].amount"],
    [
      "unknown currency",
      { orders: [{ ...order, amount: { amountMinor: 100n, currency: "XYZ" } }] },
      "orders[0].amount.currency",
    ],
    [
      "lower-case currency",
      { orders: [{ ...order, amount: { amountMinor: 100n, currency: "usd" } }] },
      "orders[0].amount.currency",
    ],
    [
      "mixed currencies",
      { orders: [order, { ...order, orderId: "o2", amount: { amountMinor: 100n, currency: "EUR" } }] },
      "orders[1].amount.currency",
    ],
    ["duplicate order ids", { orders: [order, order] }, "orders[1].order_id"],
    ["empty order_id", { orders: [{ ...order, orderId: "" }] }, "orders[0].order_id"],
    ["empty seller_id", { orders: [{ ...order, sellerId: "" }] }, "orders[0].seller_id"],
    [
      "total overflowing int64",
      {
        orders: [
          { ...order, amount: usd(9_223_372_036_854_775_807n) },
          { ...order, orderId: "o2" },
        ],
      },
      "orders",
    ],
    ["bad country", { buyerCountry: "usa" }, "buyer_country"],
    ["bad return_url", { returnUrl: "javascript:alert(1)" }, "return_url"],
    [
      "too many embed_origins",
      { embedOrigins: Array.from({ length: 11 }, (_, i) => `https://shop${i}.example`) },
      "embed_origins",
    ],
    ["over-long embed origin", { embedOrigins: [`https://${"a".repeat(250)}.example`] }, "embed_origins[0]"],
    [
      "embed origin with a path",
      { embedOrigins: ["https://shop.example", "https://shop.example/checkout"] },
      "embed_origins[1]",
    ],
    ["embed origin over plain http", { embedOrigins: ["http://shop.example"] }, "embed_origins[0]"],
    ["embed origin with a CSP separator", { embedOrigins: ["https://shop.example; script-src *"] }, "embed_origins[0]"],
  ];

  it.each(cases)("%s", async (_name, overrides, field) => {
    const request = checkout(overrides);
    const err = await failure(createPayment(request));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, "\\$&")}: `));
    if (field !== "buyer_id") {
      const listed = await payments.listPayments({ buyerId: request.buyerId });
      expect(listed.payments).toEqual([]);
    }
  });
});

describe("RETURN_URL_HOSTS", () => {
  it("refuses a return_url on a host not listed, with INVALID_ARGUMENT naming the host and the setting; a listed one is taken", async () => {
    const restricted = await startPaymentReplica(platform, { returnUrlHosts: ["shop.example"] });
    const client = serviceClient("payment", restricted.url, "marketplace");
    try {
      const phishing = checkout({ returnUrl: "https://shop.example.evil.example/login" });
      const err = await failure(client.createPayment(phishing));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.message).toBe(
        'return_url: host "shop.example.evil.example" is not one buyers may be sent back to (RETURN_URL_HOSTS: shop.example)',
      );
      expect((await payments.listPayments({ buyerId: phishing.buyerId })).payments).toEqual([]);

      const payment = (await client.createPayment(checkout({ returnUrl: "https://shop.example/orders/1" }))).payment!;
      expect(payment.status).toBe(PaymentStatus.EXECUTING);
    } finally {
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
    const client = serviceClient("payment", lossy.payment.url, "marketplace");
    try {
      const payment = (await client.createPayment(checkout())).payment!;
      await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
      const paid = await waitFor(
        () => client.getPayment({ paymentId: payment.paymentId }).then((r) => r.payment!),
        (p) => p.status === PaymentStatus.SUCCEEDED,
        15_000,
        "the poller to find the payment succeeded",
      );
      expect(paid.orders.every((o) => o.status === PaymentStatus.SUCCEEDED)).toBe(true);
    } finally {
    }
  });
});
