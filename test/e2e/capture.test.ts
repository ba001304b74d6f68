import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { usd, checkoutStatusDrift } from "../support/checkouts.js";
import { grpc, unary } from "../support/grpc-js.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();


const getPayment = (paymentId: string) => unary(under.payments, "getPayment", { paymentId }).then((r) => r.payment);
const waitForStatus = (paymentId: string, status: string) =>
  waitFor(() => getPayment(paymentId), (p) => p.status === `PAYMENT_STATUS_${status}`, 15_000, `payment ${paymentId} to be ${status}`);
const pspPayment = async (pspPaymentId: string) => (await under.platform.pspApi(`/v1/payments/${pspPaymentId}`)).json();
const balance = async (sellerId: string) => BigInt((await unary(under.wallets, "getBalance", { sellerId, currency: "USD" })).balance.available.amountMinor);
const net = (amount: bigint) => amount - splitOrder(amount, PLATFORM_FEE_BPS).platformFeeMinor;

/** A manual-capture checkout with two new sellers, paid by the buyer: AUTHORIZED. */
async function authorizedPayment() {
  const sellers = [`seller-${randomUUID()}`, `seller-${randomUUID()}`];
  const { payment } = await unary(under.payments, "createPayment", {
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    captureMethod: "CAPTURE_METHOD_MANUAL",
    orders: [
      { orderId: "order-1", sellerId: sellers[0], amount: usd(2_500) },
      { orderId: "order-2", sellerId: sellers[1], amount: usd(1_000) },
    ],
  });
  expect(payment.captureMethod).toBe("CAPTURE_METHOD_MANUAL");
  const page = await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
  expect(page.status).toBe("requires_capture");
  return { payment: await waitForStatus(payment.paymentId, "AUTHORIZED"), sellers };
}

describe("authorize, then capture or void", () => {
  it("an authorization moves no money; capturing it all charges and books the whole checkout", async () => {
    const { payment, sellers } = await authorizedPayment();
    expect(await balance(sellers[0]!)).toBe(0n);
    const captured = (await unary(under.payments, "capturePayment", { paymentId: payment.paymentId })).payment;
    expect(captured.status).toBe("PAYMENT_STATUS_SUCCEEDED");
    expect(captured.total).toEqual(usd(3_500));
    expect((await pspPayment(payment.pspPaymentId)).amount_captured).toBe(3_500);
    await waitFor(() => balance(sellers[0]!), (b) => b === net(2_500n), 15_000, "the capture to reach the wallet");
    // A repeated capture changes nothing.
    expect((await unary(under.payments, "capturePayment", { paymentId: payment.paymentId })).payment.status).toBe("PAYMENT_STATUS_SUCCEEDED");
  });

  it("a partial capture charges less per order, with the fee on what was charged, and releases the rest", async () => {
    const { payment, sellers } = await authorizedPayment();
    const captured = (
      await unary(under.payments, "capturePayment", {
        paymentId: payment.paymentId,
        orders: [
          { orderId: "order-1", amount: usd(2_000) },
          { orderId: "order-2", amount: usd(1_000) },
        ],
      })
    ).payment;
    expect(captured.total).toEqual(usd(3_000));
    expect(captured.orders[0]).toMatchObject({ amount: usd(2_000), requestedAmount: usd(2_500), status: "PAYMENT_STATUS_SUCCEEDED" });
    expect((await pspPayment(payment.pspPaymentId)).amount_captured).toBe(3_000);
    await waitFor(() => balance(sellers[0]!), (b) => b === net(2_000n), 15_000, "the partial capture to reach the wallet");
    expect(await balance(sellers[1]!)).toBe(net(1_000n));
    await waitFor(() => unary(under.ledger, "checkInvariants", {}), (r) => r.violations.length === 0, 10_000, "the books to be clean");
  });

  it("refuses what cannot be captured, naming why", async () => {
    const { payment } = await authorizedPayment();
    const capture = (orders: object[]) => unary(under.payments, "capturePayment", { paymentId: payment.paymentId, orders });
    await expect(capture([{ orderId: "order-1", amount: usd(2_501) }, { orderId: "order-2", amount: usd(1) }])).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining("orders[0].amount.amount_minor: 2501 is more than the 2500 authorized for order order-1"),
    });
    await expect(capture([{ orderId: "order-1", amount: usd(1) }])).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining("must list every order of the payment; missing order-2"),
    });
    expect((await getPayment(payment.paymentId)).status).toBe("PAYMENT_STATUS_AUTHORIZED");

    const { payment: automatic } = await unary(under.payments, "createPayment", { checkoutId: `cart-${randomUUID()}`, buyerId: "b", orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }] });
    await expect(unary(under.payments, "capturePayment", { paymentId: automatic.paymentId })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("was captured automatically"),
    });
  });

  it("voiding an authorization releases it: VOIDED, nothing charged, nothing booked", async () => {
    const { payment, sellers } = await authorizedPayment();
    const voided = (await unary(under.payments, "voidPayment", { paymentId: payment.paymentId })).payment;
    expect(voided.status).toBe("PAYMENT_STATUS_VOIDED");
    expect(voided.failureReason).toContain("voided");
    expect((await pspPayment(payment.pspPaymentId)).status).toBe("canceled");
    expect((await unary(under.payments, "voidPayment", { paymentId: payment.paymentId })).payment.status).toBe("PAYMENT_STATUS_VOIDED");
    await expect(unary(under.payments, "capturePayment", { paymentId: payment.paymentId })).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    expect(await balance(sellers[0]!)).toBe(0n);
  });

  it("a payment the buyer has not paid can be voided; a paid one cannot", async () => {
    const { payment } = await unary(under.payments, "createPayment", { checkoutId: `cart-${randomUUID()}`, buyerId: "b", orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }] });
    expect((await unary(under.payments, "voidPayment", { paymentId: payment.paymentId })).payment.status).toBe("PAYMENT_STATUS_VOIDED");
    const page = await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success).catch((err: Error) => err);
    expect(page instanceof Error ? page.message : page.status).not.toBe("succeeded");

    const { payment: paid } = await unary(under.payments, "createPayment", { checkoutId: `cart-${randomUUID()}`, buyerId: "b", orders: [{ orderId: "o", sellerId: "s", amount: usd(100) }] });
    await payOnHostedPage(paid.hostedPageUrl, TEST_CARDS.success);
    await waitForStatus(paid.paymentId, "SUCCEEDED");
    await expect(unary(under.payments, "voidPayment", { paymentId: paid.paymentId })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("is SUCCEEDED"),
    });
  });

  it("a capture the PSP refuses (the authorization expired unnoticed) is FAILED_PRECONDITION with the payment's state", async () => {
    const { payment } = await authorizedPayment();
    under.platform.psp.setFaults({ webhook_drop_rate: 1 });
    try {
      under.platform.psp.advanceClock(8 * 24 * 3_600_000);
      expect((await getPayment(payment.paymentId)).status).toBe("PAYMENT_STATUS_AUTHORIZED");
      await expect(unary(under.payments, "capturePayment", { paymentId: payment.paymentId })).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        details: expect.stringMatching(/refused the capture .* it is VOIDED/),
      });
    } finally {
      under.platform.psp.setFaults({});
    }
  });

  it("an authorization not captured in time expires at the PSP: VOIDED, saying so", async () => {
    const { payment } = await authorizedPayment();
    under.platform.psp.advanceClock(8 * 24 * 3_600_000);
    const expired = await waitForStatus(payment.paymentId, "VOIDED");
    expect(expired.failureReason).toContain("expired");
  });
});

describe("the stored checkout status", () => {
  it("matches every payment's orders after all of the above", async () => {
    expect(await checkoutStatusDrift(under.platform.database.url)).toEqual([]);
  });
});
