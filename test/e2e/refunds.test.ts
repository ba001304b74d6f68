import { fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { Direction } from "../../gen/ledger/v1/ledger_pb.js";
import { RefundEventSchema } from "../../gen/payment/v1/events_pb.js";
import {
  PaymentStatus,
  RefundStatus,
  type Refund,
  type RefundPaymentRequestSchema,
} from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { checkoutStatusDrift, sampleCheckout, usd, type CheckoutRequest } from "../support/checkouts.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const REFUND_FAILS_CARD = "4000000000005126";

const under = usePlatform();
const ledger = () => under.client("ledger", "operator-tools");
const payments = () => under.client("payment", "marketplace");

const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);
const refundPayment = (request: MessageInitShape<typeof RefundPaymentRequestSchema>) =>
  payments()
    .refundPayment(request)
    .then((r) => r.refund!);
const listRefunds = (paymentId: string) =>
  payments()
    .listRefunds({ paymentId })
    .then((r) => r.refunds);
/** The checkout statuses under which ListPayments finds the payment (by its buyer). */
async function listedUnder(payment: { paymentId: string; buyerId: string }): Promise<PaymentStatus[]> {
  const statuses = [PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED];
  const found = await Promise.all(
    statuses.map((status) =>
      payments()
        .listPayments({ buyerId: payment.buyerId, status })
        .then((r) => r.payments),
    ),
  );
  return statuses.filter((_, i) => found[i]!.some((p) => p.paymentId === payment.paymentId));
}
const fee = (amount: number) => splitOrder(BigInt(amount), PLATFORM_FEE_BPS).platformFeeMinor;

async function paidPayment(card: string = TEST_CARDS.success, overrides: CheckoutRequest = {}) {
  const payment = (await payments().createPayment(sampleCheckout(overrides))).payment!;
  await payOnHostedPage(payment.hostedPageUrl, card);
  return waitFor(
    () => getPayment(payment.paymentId),
    (p) => p.status === PaymentStatus.SUCCEEDED,
    15_000,
    "the payment to succeed",
  );
}

const waitForRefund = (paymentId: string, refundId: string, status: RefundStatus) =>
  waitFor(
    async () => (await listRefunds(paymentId)).find((r) => r.refundId === refundId),
    (r) => r?.status === status,
    15_000,
    `refund ${refundId} to be ${RefundStatus[status]}`,
  ) as Promise<Refund>;

describe("RefundPayment", () => {
  it("a full refund of one order: the PSP refunds it, the order is REFUNDED, the whole fee is reversed", async () => {
    const paid = await paidPayment(TEST_CARDS.success, {
      orders: [{ orderId: "o1", sellerId: "seller-r1", amount: usd(4_999) }],
    });
    const refundId = `ret-${randomUUID()}`;
    const created = await refundPayment({ refundId, paymentId: paid.paymentId, amount: usd(4_999), reason: "damaged" });
    expect(created).toMatchObject({
      refundId,
      orderId: "o1",
      sellerId: "seller-r1",
      amount: usd(4_999),
      reason: "damaged",
    });
    expect([RefundStatus.PENDING, RefundStatus.SUCCEEDED]).toContain(created.status);

    const refund = await waitForRefund(paid.paymentId, refundId, RefundStatus.SUCCEEDED);
    expect(refund.platformFeeReversed).toMatchObject(usd(fee(4_999)));
    expect(refund.platformFeeReversed!.amountMinor + refund.sellerDebit!.amountMinor).toBe(4_999n);
    expect(refund.pspRefundId).toMatch(/^re_/);
    const after = await getPayment(paid.paymentId);
    expect(after.status).toBe(PaymentStatus.REFUNDED);
    expect(await listedUnder(after)).toEqual([PaymentStatus.REFUNDED]);
    const atPsp = await (await under.platform.pspApi(`/v1/payments/${paid.pspPaymentId}`)).json();
    expect(atPsp.amount_refunded).toBe(4_999);
  });

  it("partial refunds follow one another up to the order's amount; the fee reversals add up to the order's fee", async () => {
    const paid = await paidPayment();
    const ids = [`a-${randomUUID()}`, `b-${randomUUID()}`, `c-${randomUUID()}`];
    for (const [i, amount] of [333, 1_001, 1_166].entries()) {
      await refundPayment({ refundId: ids[i], paymentId: paid.paymentId, orderId: "order-1", amount: usd(amount) });
      await waitForRefund(paid.paymentId, ids[i]!, RefundStatus.SUCCEEDED);
      const expected = i < 2 ? PaymentStatus.PARTIALLY_REFUNDED : PaymentStatus.REFUNDED;
      expect((await getPayment(paid.paymentId)).orders[0]!.status).toBe(expected);
    }
    const after = await getPayment(paid.paymentId);
    // order-2 is untouched, so the checkout as a whole is partially refunded.
    expect(after.status).toBe(PaymentStatus.PARTIALLY_REFUNDED);
    expect(after.orders[1]!.status).toBe(PaymentStatus.SUCCEEDED);
    expect(await listedUnder(after)).toEqual([PaymentStatus.PARTIALLY_REFUNDED]);
    const refunds = await listRefunds(paid.paymentId);
    expect(refunds.map((r) => r.refundId)).toEqual(ids);
    expect(refunds.reduce((sum, r) => sum + r.platformFeeReversed!.amountMinor, 0n)).toBe(fee(2_500));

    await expect(
      refundPayment({ refundId: `d-${randomUUID()}`, paymentId: paid.paymentId, orderId: "order-1", amount: usd(1) }),
    ).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("is fully refunded: nothing is left to refund"),
    });
  });

  it("more than what remains is FAILED_PRECONDITION stating what remains; concurrent refunds never exceed it", async () => {
    const paid = await paidPayment();
    await expect(
      refundPayment({
        refundId: `x-${randomUUID()}`,
        paymentId: paid.paymentId,
        orderId: "order-2",
        amount: usd(1_001),
      }),
    ).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringMatching(
        /order order-2 of payment pay_\w+ has 10\.00 USD left to refund .*asked for 10\.01 USD/,
      ),
    });

    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        refundPayment({
          refundId: `c-${randomUUID()}`,
          paymentId: paid.paymentId,
          orderId: "order-1",
          amount: usd(1_000),
        }),
      ),
    );
    const accepted = attempts.filter((a) => a.status === "fulfilled");
    expect(accepted).toHaveLength(2);
    for (const a of attempts) if (a.status === "rejected") expect(a.reason.code).toBe(Code.FailedPrecondition);
    const atPsp = await (await under.platform.pspApi(`/v1/refunds?payment=${paid.pspPaymentId}`)).json();
    expect(atPsp.data.reduce((sum: number, r: { amount: number }) => sum + r.amount, 0)).toBe(2_000);
  });

  it("is idempotent on refund_id: the same request gets the same refund and one PSP refund; another is ALREADY_EXISTS", async () => {
    const paid = await paidPayment();
    const request = {
      refundId: `same-${randomUUID()}`,
      paymentId: paid.paymentId,
      orderId: "order-2",
      amount: usd(400),
    };
    const [first, second] = await Promise.all([refundPayment(request), refundPayment(request)]);
    expect(second.refundId).toBe(first.refundId);
    await waitForRefund(paid.paymentId, request.refundId, RefundStatus.SUCCEEDED);
    expect((await refundPayment(request)).status).toBe(RefundStatus.SUCCEEDED);
    const atPsp = await (await under.platform.pspApi(`/v1/refunds?payment=${paid.pspPaymentId}`)).json();
    expect(atPsp.data).toHaveLength(1);

    await expect(refundPayment({ ...request, amount: usd(401) })).rejects.toMatchObject({
      code: Code.AlreadyExists,
      rawMessage: expect.stringContaining(`refund_id "${request.refundId}" was already used for a different refund`),
    });
  });

  it("a refund the PSP cannot make ends FAILED with the reason, and the amount can be refunded later", async () => {
    const paid = await paidPayment(REFUND_FAILS_CARD);
    const refundId = `f-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, orderId: "order-1", amount: usd(2_500) });
    const failed = await waitForRefund(paid.paymentId, refundId, RefundStatus.FAILED);
    expect(failed.failureReason).toBe("expired_or_canceled_card");
    expect((await getPayment(paid.paymentId)).status).toBe(PaymentStatus.SUCCEEDED);
    // Nothing was given back, so all of it remains refundable.
    await expect(
      refundPayment({
        refundId: `g-${randomUUID()}`,
        paymentId: paid.paymentId,
        orderId: "order-1",
        amount: usd(2_501),
      }),
    ).rejects.toMatchObject({
      rawMessage: expect.stringContaining("has 25.00 USD left"),
    });
  });

  it("is booked: the under.ledger reverses the pay-in for the order, the seller's wallet is debited, the books stay clean", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const paid = await paidPayment(TEST_CARDS.success, { orders: [{ orderId: "o1", sellerId, amount: usd(10_000) }] });
    const balance = async () =>
      (await under.client("wallet", "marketplace").getBalance({ sellerId, currency: "USD" })).balance!.available!
        .amountMinor;
    await waitFor(balance, (b) => b === 10_000n - fee(10_000), 15_000, "the pay-in to reach the wallet");

    const refundId = `book-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, amount: usd(3_333) });
    const refund = await waitForRefund(paid.paymentId, refundId, RefundStatus.SUCCEEDED);
    const sellerDebit = refund.sellerDebit!.amountMinor;
    await waitFor(balance, (b) => b === 10_000n - fee(10_000) - sellerDebit, 15_000, "the refund to reach the wallet");

    const { transaction } = await waitFor(
      () =>
        ledger()
          .getTransaction({ transactionId: `refund:${refundId}` })
          .catch(() => ({ transaction: undefined })),
      (r) => r.transaction !== undefined,
      15_000,
      "the refund's under.ledger transaction",
    );
    const entries = transaction!.entries.map((e) => [e.direction, e.accountCode, e.amount!.amountMinor]);
    expect(entries).toEqual(
      expect.arrayContaining([
        [Direction.DEBIT, `seller_payable:${sellerId}:USD`, sellerDebit],
        [Direction.DEBIT, "platform_fee_revenue:USD", refund.platformFeeReversed!.amountMinor],
        [Direction.CREDIT, "psp_receivable:USD", 3_333n],
      ]),
    );
    await waitFor(
      () => ledger().checkInvariants({}),
      (r) => r.violations.length === 0,
      10_000,
      "the books to be clean",
    );
  });

  it("announces each final refund on the stream with its exact split", async () => {
    const paid = await paidPayment();
    const refundId = `e-${randomUUID()}`;
    await refundPayment({ refundId, paymentId: paid.paymentId, orderId: "order-1", amount: usd(1_999) });
    await waitForRefund(paid.paymentId, refundId, RefundStatus.SUCCEEDED);
    const message = await waitFor(
      async () =>
        (await readStreamMessages(under.platform.streams.stream, ".refund.succeeded")).find(
          (m) => fromBinary(RefundEventSchema, m.data).refundId === refundId,
        ),
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
    await expect(
      refundPayment({ refundId: "r-1", paymentId: "pay_nope", orderId: "o", amount: usd(1) }),
    ).rejects.toMatchObject({ code: Code.NotFound });
    const unpaid = (await payments().createPayment(sampleCheckout())).payment!;
    await expect(
      refundPayment({ refundId: `u-${randomUUID()}`, paymentId: unpaid.paymentId, orderId: "order-1", amount: usd(1) }),
    ).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("is EXECUTING: only a paid order can be refunded"),
    });
    const paid = await paidPayment();
    const cases: [object, string][] = [
      [{ paymentId: paid.paymentId, orderId: "order-1", amount: usd(1) }, "refund_id"],
      [{ refundId: "r-2", paymentId: paid.paymentId, orderId: "order-1" }, "amount"],
      [
        {
          refundId: "r-3",
          paymentId: paid.paymentId,
          orderId: "order-1",
          amount: { amountMinor: 1n, currency: "EUR" },
        },
        "amount.currency",
      ],
      [{ refundId: "r-4", paymentId: paid.paymentId, amount: usd(1) }, "order_id"],
      [{ refundId: "r-5", paymentId: paid.paymentId, orderId: "order-9", amount: usd(1) }, "order_id"],
    ];
    for (const [request, field] of cases) {
      await expect(refundPayment(request), field).rejects.toMatchObject({
        code: Code.InvalidArgument,
        rawMessage: expect.stringContaining(field),
      });
    }
  });
});

describe("the stored checkout status", () => {
  it("matches every payment's orders after all of the above", async () => {
    expect(await checkoutStatusDrift(under.platform.database.url)).toEqual([]);
  });
});
