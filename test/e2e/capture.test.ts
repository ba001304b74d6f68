import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { CaptureMethod, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { checkoutStatusDrift, usd, waitForStatus } from "../support/checkouts.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);
const pspPayment = async (pspPaymentId: string) => (await under.platform.pspApi(`/v1/payments/${pspPaymentId}`)).json();
const balance = async (sellerId: string) =>
  (await under.client("wallet", "marketplace").getBalance({ sellerId, currency: "USD" })).balance!.available!
    .amountMinor;
const net = (amount: bigint) => amount - splitOrder(amount, PLATFORM_FEE_BPS).platformFeeMinor;

/** A manual-capture checkout with two new sellers, paid by the buyer: AUTHORIZED. */
async function authorizedPayment() {
  const sellers = [`seller-${randomUUID()}`, `seller-${randomUUID()}`];
  const { payment: created } = await payments().createPayment({
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    captureMethod: CaptureMethod.MANUAL,
    orders: [
      { orderId: "order-1", sellerId: sellers[0], amount: usd(2_500) },
      { orderId: "order-2", sellerId: sellers[1], amount: usd(1_000) },
    ],
  });
  expect(created!.captureMethod).toBe(CaptureMethod.MANUAL);
  const page = await payOnHostedPage(created!.hostedPageUrl, TEST_CARDS.success);
  expect(page.status).toBe("requires_capture");
  return { payment: await waitForStatus(payments(), created!.paymentId, PaymentStatus.AUTHORIZED), sellers };
}

describe("authorize, then capture or void", () => {
  it("an authorization moves no money; capturing it all charges and books the whole checkout", async () => {
    const { payment, sellers } = await authorizedPayment();
    expect(await balance(sellers[0]!)).toBe(0n);
    const captured = (await payments().capturePayment({ paymentId: payment.paymentId })).payment!;
    expect(captured.status).toBe(PaymentStatus.SUCCEEDED);
    expect(captured.total).toMatchObject(usd(3_500));
    expect((await pspPayment(payment.pspPaymentId)).amount_captured).toBe(3_500);
    await waitFor(
      () => balance(sellers[0]!),
      (b) => b === net(2_500n),
      15_000,
      "the capture to reach the wallet",
    );
    // A repeated capture changes nothing.
    expect((await payments().capturePayment({ paymentId: payment.paymentId })).payment!.status).toBe(
      PaymentStatus.SUCCEEDED,
    );
  });

  it("a partial capture charges less per order, with the fee on what was charged, and releases the rest", async () => {
    const { payment, sellers } = await authorizedPayment();
    const captured = (
      await payments().capturePayment({
        paymentId: payment.paymentId,
        orders: [
          { orderId: "order-1", amount: usd(2_000) },
          { orderId: "order-2", amount: usd(1_000) },
        ],
      })
    ).payment!;
    expect(captured.total).toMatchObject(usd(3_000));
    expect(captured.orders[0]).toMatchObject({
      amount: usd(2_000),
      requestedAmount: usd(2_500),
      status: PaymentStatus.SUCCEEDED,
    });
    expect((await pspPayment(payment.pspPaymentId)).amount_captured).toBe(3_000);
    await waitFor(
      () => balance(sellers[0]!),
      (b) => b === net(2_000n),
      15_000,
      "the partial capture to reach the wallet",
    );
    expect(await balance(sellers[1]!)).toBe(net(1_000n));
    await waitFor(
      () => under.client("ledger", "operator-tools").checkInvariants({}),
      (r) => r.violations.length === 0,
      10_000,
      "the books to be clean",
    );
  });

  it("refuses what cannot be captured, naming why", async () => {
    const { payment } = await authorizedPayment();
    const capture = (orders: object[]) => payments().capturePayment({ paymentId: payment.paymentId, orders });
    await expect(
      capture([
        { orderId: "order-1", amount: usd(2_501) },
        { orderId: "order-2", amount: usd(1) },
      ]),
    ).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining(
        "orders[0].amount.amount_minor: 2501 is more than the 2500 authorized for order order-1",
      ),
    });
    await expect(capture([{ orderId: "order-1", amount: usd(1) }])).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("must list every order of the payment; missing order-2"),
    });
    expect((await getPayment(payment.paymentId)).status).toBe(PaymentStatus.AUTHORIZED);

    const automatic = (
      await payments().createPayment({
        checkoutId: `cart-${randomUUID()}`,
        buyerId: "b",
        orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }],
      })
    ).payment!;
    await expect(payments().capturePayment({ paymentId: automatic.paymentId })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("was captured automatically"),
    });
  });

  it("voiding an authorization releases it: VOIDED, nothing charged, nothing booked", async () => {
    const { payment, sellers } = await authorizedPayment();
    const voided = (await payments().voidPayment({ paymentId: payment.paymentId })).payment!;
    expect(voided.status).toBe(PaymentStatus.VOIDED);
    expect(voided.failureReason).toContain("voided");
    expect((await pspPayment(payment.pspPaymentId)).status).toBe("canceled");
    expect((await payments().voidPayment({ paymentId: payment.paymentId })).payment!.status).toBe(PaymentStatus.VOIDED);
    await expect(payments().capturePayment({ paymentId: payment.paymentId })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
    });
    expect(await balance(sellers[0]!)).toBe(0n);
  });

  it("a payment the buyer has not paid can be voided; a paid one cannot", async () => {
    const payment = (
      await payments().createPayment({
        checkoutId: `cart-${randomUUID()}`,
        buyerId: "b",
        orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }],
      })
    ).payment!;
    expect((await payments().voidPayment({ paymentId: payment.paymentId })).payment!.status).toBe(PaymentStatus.VOIDED);
    const page = await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success).catch((err: Error) => err);
    expect(page instanceof Error ? page.message : page.status).not.toBe("succeeded");

    const paid = (
      await payments().createPayment({
        checkoutId: `cart-${randomUUID()}`,
        buyerId: "b",
        orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }],
      })
    ).payment!;
    await payOnHostedPage(paid.hostedPageUrl, TEST_CARDS.success);
    await waitForStatus(payments(), paid.paymentId, PaymentStatus.SUCCEEDED);
    await expect(payments().voidPayment({ paymentId: paid.paymentId })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      rawMessage: expect.stringContaining("is SUCCEEDED"),
    });
  });

  it("a capture the PSP refuses (the authorization expired unnoticed) is FAILED_PRECONDITION with the payment's state", async () => {
    const { payment } = await authorizedPayment();
    under.platform.psp.setFaults({ webhook_drop_rate: 1 });
    try {
      under.platform.psp.advanceClock(8 * 24 * 3_600_000);
      expect((await getPayment(payment.paymentId)).status).toBe(PaymentStatus.AUTHORIZED);
      await expect(payments().capturePayment({ paymentId: payment.paymentId })).rejects.toMatchObject({
        code: Code.FailedPrecondition,
        rawMessage: expect.stringMatching(/refused the capture .* it is VOIDED/),
      });
    } finally {
      under.platform.psp.setFaults({});
    }
  });

  it("an authorization not captured in time expires at the PSP: VOIDED, saying so", async () => {
    const { payment } = await authorizedPayment();
    under.platform.psp.advanceClock(8 * 24 * 3_600_000);
    const expired = await waitForStatus(payments(), payment.paymentId, PaymentStatus.VOIDED);
    expect(expired.failureReason).toContain("expired");
  });
});

describe("the stored checkout status", () => {
  it("matches every payment's orders after all of the above", async () => {
    expect(await checkoutStatusDrift(under.platform.database.url)).toEqual([]);
  });
});
