import { fromBinary } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RefundEventSchema } from "../../gen/payment/v1/events_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { sampleCheckout, usd, checkoutStatusDrift } from "../support/checkouts.js";
import { grpc, unary } from "../support/grpc-js.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const REFUND_FAILS_CARD = "4000000000005126";

const under = usePlatform();


const getPayment = (paymentId: string) => unary(under.payments, "getPayment", { paymentId }).then((r) => r.payment);
const refundPayment = (request: object) => unary(under.payments, "refundPayment", request).then((r) => r.refund);
const listRefunds = (paymentId: string) => unary(under.payments, "listRefunds", { paymentId }).then((r) => r.refunds);
/** The checkout statuses under which ListPayments finds the payment (by its buyer). */
async function listedUnder(payment: { paymentId: string; buyerId: string }): Promise<string[]> {
  const statuses = ["PAYMENT_STATUS_SUCCEEDED", "PAYMENT_STATUS_PARTIALLY_REFUNDED", "PAYMENT_STATUS_REFUNDED"];
  const found = await Promise.all(statuses.map((status) => unary(under.payments, "listPayments", { buyerId: payment.buyerId, status }).then((r) => r.payments)));
  return statuses.filter((_, i) => found[i].some((p: { paymentId: string }) => p.paymentId === payment.paymentId));
}
const fee = (amount: number) => splitOrder(BigInt(amount), PLATFORM_FEE_BPS).platformFeeMinor;

async function paidPayment(card: string = TEST_CARDS.success, overrides: Record<string, unknown> = {}) {
  const { payment } = await unary(under.payments, "createPayment", sampleCheckout(overrides));
  await payOnHostedPage(payment.hostedPageUrl, card);
  return waitFor(() => getPayment(payment.paymentId), (p) => p.status === "PAYMENT_STATUS_SUCCEEDED", 15_000, "the payment to succeed");
}

const waitForRefund = (paymentId: string, refundId: string, status: string) =>
  waitFor(
    async () => (await listRefunds(paymentId)).find((r: { refundId: string }) => r.refundId === refundId),
    (r) => r?.status === `REFUND_STATUS_${status}`,
    15_000,
    `refund ${refundId} to be ${status}`,
  );

describe("RefundPayment", () => {
  it("a full refund of one order: the PSP refunds it, the order is REFUNDED, the whole fee is reversed", async () => {
    const paid = await paidPayment(TEST_CARDS.success, { orders: [{ orderId: "o1", sellerId: "seller-r1", amount: usd(4_999) }] });
    const refundId = `ret-${randomUUID()}`;
    const created = await refundPayment({ refundId, paymentId: paid.paymentId, amount: usd(4_999), reason: "damaged" });
    expect(created).toMatchObject({ refundId, orderId: "o1", sellerId: "seller-r1", amount: usd(4_999), reason: "damaged" });
    expect(["REFUND_STATUS_PENDING", "REFUND_STATUS_SUCCEEDED"]).toContain(created.status);

    const refund = await waitForRefund(paid.paymentId, refundId, "SUCCEEDED");
    expect(refund.platformFeeReversed).toEqual(usd(fee(4_999).toString()));
    expect(BigInt(refund.platformFeeReversed.amountMinor) + BigInt(refund.sellerDebit.amountMinor)).toBe(4_999n);
    expect(refund.pspRefundId).toMatch(/^re_/);
    const after = await getPayment(paid.paymentId);
    expect(after.status).toBe("PAYMENT_STATUS_REFUNDED");
    expect(await listedUnder(after)).toEqual(["PAYMENT_STATUS_REFUNDED"]);
    const atPsp = await (await under.platform.pspApi(`/v1/payments/${paid.pspPaymentId}`)).json();
    expect(atPsp.amount_refunded).toBe(4_999);
  });

  it("partial refunds follow one another up to the order's amount; the fee reversals add up to the order's fee", async () => {
    const paid = await paidPayment();
    const ids = [`a-${randomUUID()}`, `b-${randomUUID()}`, `c-${randomUUID()}`];
    for (const [i, amount] of [333, 1_001, 1_166].entries()) {
      await refundPayment({ refundId: ids[i], paymentId: paid.paymentId, orderId: "order-1", amount: usd(amount) });
      await waitForRefund(paid.paymentId, ids[i]!, "SUCCEEDED");
      const expected = i < 2 ? "PAYMENT_STATUS_PARTIALLY_REFUNDED" : "PAYMENT_STATUS_REFUNDED";
      expect((await getPayment(paid.paymentId)).orders[0].status).toBe(expected);
    }
    const after = await getPayment(paid.paymentId);
    // order-2 is untouched, so the checkout as a whole is partially refunded.
    expect(after.status).toBe("PAYMENT_STATUS_PARTIALLY_REFUNDED");
    expect(after.orders[1].status).toBe("PAYMENT_STATUS_SUCCEEDED");
    expect(await listedUnder(after)).toEqual(["PAYMENT_STATUS_PARTIALLY_REFUNDED"]);
    const refunds = await listRefunds(paid.paymentId);
    expect(refunds.map((r: { refundId: string }) => r.refundId)).toEqual(ids);
    expect(refunds.reduce((sum: bigint, r: any) => sum + BigInt(r.platformFeeReversed.amountMinor), 0n)).toBe(fee(2_500));

    await expect(refundPayment({ refundId: `d-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-1", amount: usd(1) })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("is fully refunded: nothing is left to refund"),
    });
  });

  it("more than what remains is FAILED_PRECONDITION stating what remains; concurrent refunds never exceed it", async () => {
    const paid = await paidPayment();
    await expect(refundPayment({ refundId: `x-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-2", amount: usd(1_001) })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringMatching(/order order-2 of payment pay_\w+ has 10\.00 USD left to refund .*asked for 10\.01 USD/),
    });

    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () => refundPayment({ refundId: `c-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-1", amount: usd(1_000) })),
    );
    const accepted = attempts.filter((a) => a.status === "fulfilled");
    expect(accepted).toHaveLength(2);
    for (const a of attempts) if (a.status === "rejected") expect(a.reason.code).toBe(grpc.status.FAILED_PRECONDITION);
    const atPsp = await (await under.platform.pspApi(`/v1/refunds?payment=${paid.pspPaymentId}`)).json();
    expect(atPsp.data.reduce((sum: number, r: { amount: number }) => sum + r.amount, 0)).toBe(2_000);
  });

  it("is idempotent on refund_id: the same request gets the same refund and one PSP refund; another is ALREADY_EXISTS", async () => {
    const paid = await paidPayment();
    const request = { refundId: `same-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-2", amount: usd(400) };
    const [first, second] = await Promise.all([refundPayment(request), refundPayment(request)]);
    expect(second.refundId).toBe(first.refundId);
    await waitForRefund(paid.paymentId, request.refundId, "SUCCEEDED");
    expect((await refundPayment(request)).status).toBe("REFUND_STATUS_SUCCEEDED");
    const atPsp = await (await under.platform.pspApi(`/v1/refunds?payment=${paid.pspPaymentId}`)).json();
    expect(atPsp.data).toHaveLength(1);

    await expect(refundPayment({ ...request, amount: usd(401) })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: expect.stringContaining(`refund_id "${request.refundId}" was already used for a different refund`),
    });
  });

  it("a refund the PSP cannot make ends FAILED with the reason, and the amount can be refunded later", async () => {
    const paid = await paidPayment(REFUND_FAILS_CARD);
    const refundId = `f-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, orderId: "order-1", amount: usd(2_500) });
    const failed = await waitForRefund(paid.paymentId, refundId, "FAILED");
    expect(failed.failureReason).toBe("expired_or_canceled_card");
    expect((await getPayment(paid.paymentId)).status).toBe("PAYMENT_STATUS_SUCCEEDED");
    // Nothing was given back, so all of it remains refundable.
    await expect(refundPayment({ refundId: `g-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-1", amount: usd(2_501) })).rejects.toMatchObject({
      details: expect.stringContaining("has 25.00 USD left"),
    });
  });

  it("is booked: the under.ledger reverses the pay-in for the order, the seller's wallet is debited, the books stay clean", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const paid = await paidPayment(TEST_CARDS.success, { orders: [{ orderId: "o1", sellerId, amount: usd(10_000) }] });
    const balance = async () => BigInt((await unary(under.wallets, "getBalance", { sellerId, currency: "USD" })).balance.available.amountMinor);
    await waitFor(balance, (b) => b === 10_000n - fee(10_000), 15_000, "the pay-in to reach the wallet");

    const refundId = `book-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, amount: usd(3_333) });
    const refund = await waitForRefund(paid.paymentId, refundId, "SUCCEEDED");
    const sellerDebit = BigInt(refund.sellerDebit.amountMinor);
    await waitFor(balance, (b) => b === 10_000n - fee(10_000) - sellerDebit, 15_000, "the refund to reach the wallet");

    const { transaction } = await waitFor(
      () => unary(under.ledger, "getTransaction", { transactionId: `refund:${refundId}` }).catch(() => ({ transaction: undefined })),
      (r) => r.transaction !== undefined,
      15_000,
      "the refund's under.ledger transaction",
    );
    const entries = transaction.entries.map((e: any) => [e.direction.replace("DIRECTION_", ""), e.accountCode, e.amount.amountMinor]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ["DEBIT", `seller_payable:${sellerId}:USD`, String(sellerDebit)],
        ["DEBIT", "platform_fee_revenue:USD", refund.platformFeeReversed.amountMinor],
        ["CREDIT", "psp_receivable:USD", "3333"],
      ]),
    );
    await waitFor(() => unary(under.ledger, "checkInvariants", {}), (r) => r.violations.length === 0, 10_000, "the books to be clean");
  });

  it("announces each final refund on the stream with its exact split", async () => {
    const paid = await paidPayment();
    const refundId = `e-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, orderId: "order-1", amount: usd(1_999) });
    await waitForRefund(paid.paymentId, refundId, "SUCCEEDED");
    const message = await waitFor(
      async () => (await readStreamMessages(under.platform.streams.stream, ".refund.succeeded")).find((m) => fromBinary(RefundEventSchema, m.data).refundId === refundId),
      (m) => m !== undefined,
      10_000,
      "the refund event",
    );
    const event = fromBinary(RefundEventSchema, message!.data);
    expect(message!.header.get("Nats-Msg-Id")).toBe(event.eventId);
    expect(event).toMatchObject({ paymentId: paid.paymentId, orderId: "order-1", sellerId: "seller-a" });
    expect(event.amount!.amountMinor).toBe(1_999n);
    expect(event.platformFeeReversed!.amountMinor + event.sellerDebit!.amountMinor).toBe(1_999n);
  });

  it("bad input: unknown payment NOT_FOUND, unpaid payment FAILED_PRECONDITION, missing fields INVALID_ARGUMENT", async () => {
    await expect(refundPayment({ refundId: "r-1", paymentId: "pay_nope", orderId: "o", amount: usd(1) })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const { payment: unpaid } = await unary(under.payments, "createPayment", sampleCheckout());
    await expect(refundPayment({ refundId: `u-${randomUUID()}`, paymentId: unpaid.paymentId, orderId: "order-1", amount: usd(1) })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("is EXECUTING: only a paid order can be refunded"),
    });
    const paid = await paidPayment();
    const cases: [object, string][] = [
      [{ paymentId: paid.paymentId, orderId: "order-1", amount: usd(1) }, "refund_id"],
      [{ refundId: "r-2", paymentId: paid.paymentId, orderId: "order-1" }, "amount"],
      [{ refundId: "r-3", paymentId: paid.paymentId, orderId: "order-1", amount: { amountMinor: "1", currency: "EUR" } }, "amount.currency"],
      [{ refundId: "r-4", paymentId: paid.paymentId, amount: usd(1) }, "order_id"],
      [{ refundId: "r-5", paymentId: paid.paymentId, orderId: "order-9", amount: usd(1) }, "order_id"],
    ];
    for (const [request, field] of cases) {
      await expect(refundPayment(request), field).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining(field) });
    }
  });
});

describe("the stored checkout status", () => {
  it("matches every payment's orders after all of the above", async () => {
    expect(await checkoutStatusDrift(under.platform.database.url)).toEqual([]);
  });
});
