import knex from "knex";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { sampleCheckout, usd, type CheckoutRequest } from "../support/checkouts.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { usePlatform } from "../support/use-platform.js";
import { startPaymentReplica } from "../support/platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform({ services: ["payment"] });
const payments = () => under.client("payment", "marketplace");

const createPayment = (request: CheckoutRequest, client = payments()) => client.createPayment(request);
const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);
const pspPaymentsFor = async (paymentId: string) =>
  (await (await under.platform.pspApi(`/v1/payments?reference=${paymentId}`)).json()).data;

/** Runs `body` against a payment service instance of its own, closed afterwards. */
async function withInstance<T>(
  overrides: Parameters<typeof startPaymentReplica>[1],
  body: (client: ServiceClient<"payment">) => Promise<T>,
): Promise<T> {
  const instance = await startPaymentReplica(under.platform, overrides);
  try {
    return await body(serviceClient("payment", instance.url, "marketplace"));
  } finally {
    await instance.close();
  }
}

describe("CreatePayment is idempotent on checkout_id", () => {
  it("replays the first response exactly, after the payment moved on and after a restart", async () => {
    const request = sampleCheckout();
    const first = await withInstance({}, (client) => createPayment(request, client));
    expect(first.payment!.status).toBe(PaymentStatus.EXECUTING);

    await payOnHostedPage(first.payment!.hostedPageUrl, TEST_CARDS.success);
    await waitFor(
      () => getPayment(first.payment!.paymentId),
      (p) => p.status === PaymentStatus.SUCCEEDED,
      15_000,
      "the payment to succeed",
    );

    // A new process on the same database: the answer is the one saved, not the payment as it is now.
    const replayed = await withInstance({}, (client) => createPayment(request, client));
    expect(replayed).toEqual(first);
    expect(await pspPaymentsFor(first.payment!.paymentId)).toHaveLength(1);
  });

  it("20 concurrent identical calls: one payment, one PSP payment, 20 identical answers", async () => {
    const request = sampleCheckout();
    const answers = await Promise.all(Array.from({ length: 20 }, () => createPayment(request)));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const { paymentId } = answers[0]!.payment!;
    expect(answers[0]!.payment!.status).toBe(PaymentStatus.EXECUTING);
    const atPsp = await pspPaymentsFor(paymentId);
    expect(atPsp).toHaveLength(1);
    expect(atPsp[0].id).toBe(answers[0]!.payment!.pspPaymentId);
    const buyerPayments = await payments().listPayments({ buyerId: request.buyerId });
    expect(buyerPayments.payments.map((p) => p.paymentId)).toEqual([paymentId]);
  });

  it("a different request under a used checkout_id is ALREADY_EXISTS, naming the payment it was used for", async () => {
    const request = sampleCheckout();
    const payment = (await createPayment(request)).payment!;
    const changed = { ...request, orders: [{ orderId: "order-1", sellerId: "seller-a", amount: usd(2_501) }] };
    await expect(createPayment(changed)).rejects.toMatchObject({
      code: Code.AlreadyExists,
      rawMessage: expect.stringMatching(
        new RegExp(
          `"${request.checkoutId}" was already used for a different checkout \\(payment ${payment.paymentId}\\)`,
        ),
      ),
    });
  });

  it("keeps a key for the configured period; after that the checkout is refused, never charged again", async () => {
    const db = knex({ client: "pg", connection: under.platform.database.url, searchPath: [PAYMENT_SCHEMA] });
    try {
      await withInstance({ idempotencyKeyTtlMs: 1_000 }, async (client) => {
        const request = sampleCheckout();
        const first = await createPayment(request, client);
        expect(await createPayment(request, client)).toEqual(first);

        // The instance's sweeper purges the expired key.
        await waitFor(
          () => db("idempotency_keys").where({ key: request.checkoutId }).first(),
          (row) => row === undefined,
          10_000,
          "the expired key to be purged",
        );
        await expect(createPayment(request, client)).rejects.toMatchObject({
          code: Code.AlreadyExists,
          rawMessage: expect.stringContaining(`idempotency key has expired`),
        });
        expect(await pspPaymentsFor(first.payment!.paymentId)).toHaveLength(1);
      });
    } finally {
      await db.destroy();
    }
  });
});
