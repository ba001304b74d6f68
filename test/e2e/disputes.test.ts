import { fromBinary } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { DisputeEventSchema } from "../../gen/payment/v1/events_pb.js";
import { DisputeStatus, PaymentStatus, RefundStatus } from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { checkoutStatusDrift, sampleCheckout, usd } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { waitFor } from "../support/wait.js";

const AUTO_DISPUTED_CARD = "4000000000000259";

const under = usePlatform();
const ledger = () => under.client("ledger", "operator-tools");
const payments = () => under.client("payment", "marketplace");

const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);
const listDisputes = (paymentId: string) =>
  payments()
    .listDisputes({ paymentId })
    .then((r) => r.disputes);
const waitForDispute = (paymentId: string, status: DisputeStatus) =>
  waitFor(
    () => listDisputes(paymentId),
    (ds) => ds.length === 1 && ds[0]!.status === status,
    15_000,
    `a ${DisputeStatus[status]} dispute on ${paymentId}`,
  );

async function paidPayment(card: string = TEST_CARDS.success) {
  const payment = (await payments().createPayment(sampleCheckout())).payment!;
  await payOnHostedPage(payment.hostedPageUrl, card);
  return waitFor(
    () => getPayment(payment.paymentId),
    (p) => p.status === PaymentStatus.SUCCEEDED,
    15_000,
    "the payment to succeed",
  );
}

async function openDispute(pspPaymentId: string, body: object = {}) {
  const res = await under.platform.pspApi(`/v1/test_helpers/payments/${pspPaymentId}/dispute`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return res.json();
}

const closeDispute = (disputeId: string, outcome: "won" | "lost") =>
  under.platform.pspApi(`/v1/test_helpers/disputes/${disputeId}/close`, {
    method: "POST",
    body: JSON.stringify({ outcome }),
  });

describe("disputes", () => {
  it("an opened dispute is recorded with each seller's share, in proportion to what each order still holds", async () => {
    const paid = await paidPayment();
    const refundId = `r-${randomUUID()}`;
    await payments().refundPayment({ refundId, paymentId: paid.paymentId, orderId: "order-1", amount: usd(500) });
    await waitFor(
      () => payments().listRefunds({ paymentId: paid.paymentId }),
      (r) => r.refunds[0]?.status === RefundStatus.SUCCEEDED,
      15_000,
      "the refund",
    );

    // order-1 holds 20.00 and order-2 10.00 after the refund: a 15.00 dispute takes 10.00 and 5.00.
    const atPsp = await openDispute(paid.pspPaymentId, { amount: 1_500, reason: "product_not_received" });
    const [dispute] = await waitForDispute(paid.paymentId, DisputeStatus.OPEN);
    expect(dispute).toMatchObject({ disputeId: atPsp.id, amount: usd(1_500), reason: "product_not_received" });
    expect(dispute!.shares).toMatchObject([
      { orderId: "order-1", sellerId: "seller-a", amount: usd(1_000) },
      { orderId: "order-2", sellerId: "seller-b", amount: usd(500) },
    ]);
  });

  it("won and lost are recorded once each, and announced on the stream", async () => {
    for (const outcome of ["won", "lost"] as const) {
      const paid = await paidPayment();
      const atPsp = await openDispute(paid.pspPaymentId);
      await waitForDispute(paid.paymentId, DisputeStatus.OPEN);
      expect((await closeDispute(atPsp.id, outcome)).status).toBe(200);
      const [decided] = await waitForDispute(
        paid.paymentId,
        outcome === "won" ? DisputeStatus.WON : DisputeStatus.LOST,
      );
      expect(decided!.amount).toMatchObject(usd(3_500));

      const events = await waitFor(
        async () =>
          (await readStreamMessages(under.platform.streams.stream, ".dispute."))
            .map((m) => fromBinary(DisputeEventSchema, m.data))
            .filter((e) => e.disputeId === atPsp.id),
        (es) => es.length === 2,
        10_000,
        "the dispute's two events",
      );
      expect(events.map((e) => e.status)).toEqual([1, outcome === "won" ? 2 : 3]);
      expect(events[1]!.shares.reduce((sum, s) => sum + s.amount!.amountMinor, 0n)).toBe(3_500n);
    }
  });

  it("a card whose payment is disputed at once; duplicated webhooks record it once", async () => {
    under.platform.psp.setFaults({ webhook_duplicate_rate: 1 });
    try {
      const paid = await paidPayment(AUTO_DISPUTED_CARD);
      const [dispute] = await waitForDispute(paid.paymentId, DisputeStatus.OPEN);
      expect(dispute!.reason).toBe("fraudulent");
      await waitFor(
        async () =>
          (
            await (
              await under.platform.pspApi(`/v1/test_helpers/webhook_deliveries?payment_id=${paid.pspPaymentId}`)
            ).json()
          ).data,
        (ds: { type: string; delivered: boolean }[]) =>
          ds.filter((d) => d.type === "dispute.created" && d.delivered).length === 2,
        10_000,
        "both copies of dispute.created to be delivered",
      );
      expect(await listDisputes(paid.paymentId)).toHaveLength(1);
    } finally {
      under.platform.psp.setFaults({});
    }
  });

  it("a payment under an open dispute cannot be refunded: FAILED_PRECONDITION naming the dispute", async () => {
    const paid = await paidPayment();
    const atPsp = await openDispute(paid.pspPaymentId);
    await waitForDispute(paid.paymentId, DisputeStatus.OPEN);
    const refund = payments().refundPayment({
      refundId: `r-${randomUUID()}`,
      paymentId: paid.paymentId,
      orderId: "order-2",
      amount: usd(100),
    });
    await expect(refund).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining(`OPEN dispute ${atPsp.id}`),
    });
    expect((await payments().listRefunds({ paymentId: paid.paymentId })).refunds).toEqual([]);
  });

  it("is booked: shares withheld from the sellers when opened, given back when won, written off when lost", async () => {
    for (const outcome of ["won", "lost"] as const) {
      const sellers = [`seller-${randomUUID()}`, `seller-${randomUUID()}`];
      const { payment } = await payments().createPayment(
        sampleCheckout({
          orders: [
            { orderId: "order-1", sellerId: sellers[0]!, amount: usd(2_500) },
            { orderId: "order-2", sellerId: sellers[1]!, amount: usd(1_000) },
          ],
        }),
      );
      await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
      const paid = await waitFor(
        () => getPayment(payment!.paymentId),
        (p) => p.status === PaymentStatus.SUCCEEDED,
        15_000,
        "the payment",
      );
      const balances = () =>
        Promise.all(
          sellers.map(
            async (sellerId) =>
              (await under.client("wallet", "marketplace").getBalance({ sellerId, currency: "USD" })).balance!
                .available!.amountMinor,
          ),
        );
      const net = [2_500n - 63n, 1_000n - 25n];
      await waitFor(balances, (b) => b[0] === net[0] && b[1] === net[1], 15_000, "the pay-in in the wallets");
      const receivable = async () =>
        (await ledger().getBalance({ accountCode: "psp_receivable:USD" })).balance!.amountMinor;
      const books = () =>
        waitFor(
          () => ledger().checkInvariants({}),
          (r) => r.violations.length === 0,
          10_000,
          "the books to be clean",
        );

      const atPsp = await openDispute(paid.pspPaymentId, { amount: 1_400 });
      await waitForDispute(paid.paymentId, DisputeStatus.OPEN);
      // 14.00 over holdings of 25.00 and 10.00: 10.00 and 4.00.
      await waitFor(
        balances,
        (b) => b[0] === net[0]! - 1_000n && b[1] === net[1]! - 400n,
        15_000,
        "the shares withheld",
      );
      await books();
      const receivableBefore = await receivable();

      await closeDispute(atPsp.id, outcome);
      await waitForDispute(paid.paymentId, outcome === "won" ? DisputeStatus.WON : DisputeStatus.LOST);
      if (outcome === "won") {
        await waitFor(balances, (b) => b[0] === net[0] && b[1] === net[1], 15_000, "the shares given back");
      } else {
        await waitFor(receivable, (r) => r === receivableBefore - 1_400n, 15_000, "the chargeback written off");
        expect(await balances()).toEqual([net[0]! - 1_000n, net[1]! - 400n]);
      }
      await books();
    }
  });

  it("ListDisputes of an unknown payment is NOT_FOUND", async () => {
    await expect(listDisputes("pay_nope")).rejects.toMatchObject({ code: Code.NotFound });
  });
});

describe("the stored checkout status", () => {
  it("matches every payment's orders after all of the above", async () => {
    expect(await checkoutStatusDrift(under.platform.database.url)).toEqual([]);
  });
});
