import { fromBinary } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentEventSchema } from "../../gen/payment/v1/events_pb.js";
import { PaymentStatus, PendingReason, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { farExpiry, payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { PspHttpClient } from "../../services/payment/adapters/psp-http-client.js";
import { PaymentFlow } from "../../services/payment/app/payment-flow.js";
import type { PspPort } from "../../services/payment/app/ports.js";
import type { RegisteredPayment } from "../../services/payment/domain/payment.js";
import { encodePaymentEvent, paymentEventSubject } from "../../services/contracts/events/payment-event.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { sampleCheckout, waitForStatus } from "../support/checkouts.js";
import { PSP_API_KEY, startPaymentReplica, PLATFORM_FEE_BPS } from "../support/platform.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const EXPIRE_AFTER_MS = 300;
const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
let db: Db;

beforeAll(() => {
  db = createDb(under.platform.database.url, PAYMENT_SCHEMA);
});

afterAll(async () => {
  await db?.destroy();
});

/** A checkout registered with the PSP and waiting for its buyer. */
async function unpaid(): Promise<Payment> {
  const { payment } = await payments().createPayment(sampleCheckout());
  expect(payment!.status).toBe(PaymentStatus.EXECUTING);
  return payment!;
}

const pspView = async (pspPaymentId: string) => (await under.platform.pspApi(`/v1/payments/${pspPaymentId}`)).json();
const pspEvents = async (pspPaymentId: string): Promise<string[]> =>
  (
    await (await under.platform.pspApi(`/v1/test_helpers/webhook_deliveries?payment_id=${pspPaymentId}`)).json()
  ).data.map((d: { type: string }) => d.type);
const failedEvents = async (paymentId: string) =>
  (await readStreamMessages(under.platform.streams.stream, ".payment.failed"))
    .map((m) => fromBinary(PaymentEventSchema, m.data))
    .filter((e) => e.paymentId === paymentId);
const statusHistory = async (paymentId: string): Promise<string[]> =>
  (await db("status_history").where({ payment_id: paymentId }).orderBy("id")).map((r) => r.status);

/** The buyer submits a card on the hosted page they opened earlier. */
function submitCard(hostedPageUrl: string, pspPaymentId: string, card: string) {
  const token = new URL(hostedPageUrl).searchParams.get("token")!;
  return fetch(new URL(`/pay/${pspPaymentId}`, hostedPageUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, card_number: card, exp: farExpiry(), cvc: "123", name: "Ada Buyer" }).toString(),
  });
}

describe("the payment service's poller expires payments nobody pays", () => {
  let replica: Awaited<ReturnType<typeof startPaymentReplica>>;
  beforeAll(async () => {
    replica = await startPaymentReplica(under.platform, {
      expireUnpaidAfterMs: EXPIRE_AFTER_MS,
      poller: { intervalMs: 50, staleAfterMs: 0 },
    });
  });
  afterAll(async () => {
    await replica?.close();
  });

  it("cancels an unpaid payment at the PSP, fails it as expired, announces it once and polls it no more", async () => {
    const { paymentId, pspPaymentId, hostedPageUrl } = await unpaid();
    const failed = await waitForStatus(payments(), paymentId, PaymentStatus.FAILED);
    expect(failed).toMatchObject({
      declineCode: "expired",
      failureReason: expect.stringContaining("expired: the buyer did not pay in time"),
    });
    expect(await pspView(pspPaymentId)).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });

    const page = await submitCard(hostedPageUrl, pspPaymentId, TEST_CARDS.success);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain("This payment has expired: it was not paid in time.");

    const [event] = await waitFor(
      () => failedEvents(paymentId),
      (events) => events.length > 0,
      10_000,
      "payment.failed",
    );
    expect(event).toMatchObject({ declineCode: "expired", failureReason: failed.failureReason });
    const { entries } = await under.client("payment", "console").getPaymentTimeline({ paymentId });
    expect(entries.filter((e) => e.what.case === "status").map((e) => [e.what.value, e.reason])).toEqual([
      [PaymentStatus.EXECUTING, ""],
      [PaymentStatus.FAILED, failed.failureReason],
    ]);
    const polledAt = (await db("payments").where({ id: paymentId }).first("polled_at")).polled_at;
    await sleep(300);
    expect((await db("payments").where({ id: paymentId }).first("polled_at")).polled_at).toEqual(polledAt);
    expect(await statusHistory(paymentId)).toEqual(["EXECUTING", "FAILED"]);
    expect(await failedEvents(paymentId)).toHaveLength(1);
    expect(await pspEvents(pspPaymentId)).toEqual(["payment.canceled"]);
  });

  it("leaves a payment the buyer paid, and one the PSP holds for review or 3-D Secure, to the PSP", async () => {
    const paid = await unpaid();
    await payOnHostedPage(paid.hostedPageUrl, TEST_CARDS.success);
    const review = await unpaid();
    await payOnHostedPage(review.hostedPageUrl, TEST_CARDS.manualReview);
    const challenged = await unpaid();
    await payOnHostedPage(challenged.hostedPageUrl, TEST_CARDS.threeDSecure);
    await sleep(EXPIRE_AFTER_MS * 3);

    expect((await waitForStatus(payments(), paid.paymentId, PaymentStatus.SUCCEEDED)).declineCode).toBe("");
    expect(await waitForStatus(payments(), review.paymentId, PaymentStatus.PENDING)).toMatchObject({
      pendingReason: PendingReason.MANUAL_REVIEW,
    });
    expect(await waitForStatus(payments(), challenged.paymentId, PaymentStatus.PENDING)).toMatchObject({
      pendingReason: PendingReason.THREE_D_SECURE,
    });
    expect(await pspView(review.pspPaymentId)).toMatchObject({ status: "processing", cancellation_reason: null });
    expect(await pspView(challenged.pspPaymentId)).toMatchObject({ status: "processing", cancellation_reason: null });
  });
});

describe("expiry racing with the buyer and with other instances", () => {
  const pspConfig = () => ({ baseUrl: under.platform.psp.url, apiKey: PSP_API_KEY });
  const flowWith = (psp: PspPort) =>
    new PaymentFlow({
      store: new PaymentStore(db, encodePaymentEvent, paymentEventSubject),
      risk: { assess: () => Promise.reject(new Error("not asked when expiring")) },
      psp,
      log: createLogger("expiry-test"),
      platformFeeBps: PLATFORM_FEE_BPS,
      statusPageUrl: () => "",
      expireUnpaidAfterMs: EXPIRE_AFTER_MS,
    });

  it("applies the success when the buyer pays just as the payment is canceled", async () => {
    const { paymentId, pspPaymentId, hostedPageUrl } = await unpaid();
    // The buyer's card goes through between our look at the PSP and our cancel.
    class PayingBuyer extends PspHttpClient {
      override async abandon(payment: RegisteredPayment) {
        expect((await submitCard(hostedPageUrl, pspPaymentId, TEST_CARDS.success)).status).toBe(200);
        return super.abandon(payment);
      }
    }
    await sleep(EXPIRE_AFTER_MS);
    await flowWith(new PayingBuyer(pspConfig())).refresh(paymentId);
    expect((await payments().getPayment({ paymentId })).payment).toMatchObject({
      status: PaymentStatus.SUCCEEDED,
      failureReason: "",
    });
    expect(await pspView(pspPaymentId)).toMatchObject({ status: "succeeded", cancellation_reason: null });
    expect(await statusHistory(paymentId)).toEqual(["EXECUTING", "SUCCEEDED"]);
  });

  it("cancels once at the PSP and fails once when two instances expire the same payment at once", async () => {
    const { paymentId, pspPaymentId } = await unpaid();
    await sleep(EXPIRE_AFTER_MS);
    await Promise.all([
      flowWith(new PspHttpClient(pspConfig())).refresh(paymentId),
      flowWith(new PspHttpClient(pspConfig())).refresh(paymentId),
    ]);
    expect(await pspView(pspPaymentId)).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
    await waitFor(
      () => pspEvents(pspPaymentId),
      (types) => types.length > 0,
      5_000,
      "the PSP's webhook",
    );
    expect(
      await waitFor(
        () => failedEvents(paymentId),
        (events) => events.length > 0,
        10_000,
        "payment.failed",
      ),
    ).toHaveLength(1);
    await sleep(200);
    expect(await pspEvents(pspPaymentId)).toEqual(["payment.canceled"]);
    expect(await statusHistory(paymentId)).toEqual(["EXECUTING", "FAILED"]);
    expect(await failedEvents(paymentId)).toHaveLength(1);
  });
});
