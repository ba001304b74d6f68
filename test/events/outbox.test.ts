import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { natsAs } from "../support/nats-users.js";
import { PLATFORM_FEE_BPS, startTestPlatform, type TestPlatform } from "../support/platform.js";
import { readPaymentEvents } from "../support/stream-reader.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { waitFor } from "../support/wait.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { usd } from "../support/checkouts.js";

let proxy: TcpProxy;
let platform: TestPlatform;
let payments: ServiceClient<"payment">;
let db: Db;

beforeAll(async () => {
  const nats = new URL(inject("nats").url);
  proxy = await startTcpProxy(nats.hostname, Number(nats.port || 4222));
  platform = await startTestPlatform({
    services: ["payment"],
    paymentNats: { ...natsAs("payment"), servers: [`nats://127.0.0.1:${proxy.port}`] },
  });
  payments = serviceClient("payment", platform.payment.url, "marketplace");
  db = createDb(platform.database.url, PAYMENT_SCHEMA);
});

afterAll(async () => {
  await db?.destroy();
  await platform?.close();
  await proxy?.close();
});

async function paidCheckout(amounts: number[]) {
  const { payment } = await payments.createPayment({
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    orders: amounts.map((a, i) => ({ orderId: `o${i}`, sellerId: `seller-${randomUUID()}`, amount: usd(a) })),
  });
  await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  await waitFor(
    () => payments.getPayment({ paymentId: payment!.paymentId }),
    (r) => r.payment!.status === PaymentStatus.SUCCEEDED,
  );
  return payment!.paymentId as string;
}

const unpublished = async () => Number((await db("outbox").whereNull("published_at").count({ n: "*" }))[0]!.n);

describe("transactional outbox", () => {
  it("announces every status change on the stream, Nats-Msg-Id = event id, with each order's fee split", async () => {
    const paymentId = await paidCheckout([2_500, 19]);
    await waitFor(unpublished, (n) => n === 0, 10_000, "the outbox to drain");
    const events = (await readPaymentEvents(platform.streams.stream)).filter((e) => e.event.paymentId === paymentId);

    expect(events.map((e) => e.subject)).toEqual([
      `${platform.streams.subjectPrefix}.payment.executing`,
      `${platform.streams.subjectPrefix}.payment.succeeded`,
    ]);
    for (const e of events) expect(e.msgId).toBe(e.event.eventId);
    const succeeded = events[1]!.event;
    expect(succeeded.totalMinor).toBe(2_519n);
    expect(succeeded.orders.map((o) => [o.amountMinor, o.platformFeeMinor, o.sellerNetMinor])).toEqual([
      [
        2_500n,
        splitOrder(2_500n, PLATFORM_FEE_BPS).platformFeeMinor,
        splitOrder(2_500n, PLATFORM_FEE_BPS).sellerNetMinor,
      ],
      [19n, 0n, 19n],
    ]);
  });

  it("while NATS is unreachable events wait in the outbox, then drain in order per payment", async () => {
    proxy.cut();
    const paid: string[] = [];
    try {
      for (let i = 0; i < 5; i++) paid.push(await paidCheckout([1_000 + i]));
      expect(await unpublished()).toBeGreaterThanOrEqual(10);
    } finally {
      proxy.restore();
    }
    await waitFor(unpublished, (n) => n === 0, 20_000, "the outbox to drain after NATS came back");

    const events = await readPaymentEvents(platform.streams.stream);
    for (const paymentId of paid) {
      const mine = events.filter((e) => e.event.paymentId === paymentId);
      // Each event exactly once (JetStream dropped re-publishes of the same Nats-Msg-Id), in the order they happened.
      expect(mine.map((e) => e.event.status)).toEqual(["EXECUTING", "SUCCEEDED"]);
    }
  });

  it("a status change whose event cannot be recorded does not happen (and the PSP's retry applies it later)", async () => {
    const { payment } = await payments.createPayment({
      checkoutId: `cart-${randomUUID()}`,
      buyerId: `buyer-${randomUUID()}`,
      orders: [{ orderId: "o1", sellerId: `seller-${randomUUID()}`, amount: usd(700) }],
    });
    await db.raw(`
      create function refuse_outbox() returns trigger language plpgsql as $$ begin raise exception 'outbox unavailable'; end $$;
      create trigger refuse_outbox before insert on outbox for each row execute function refuse_outbox()`);
    try {
      await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
      await waitFor(
        () =>
          platform
            .pspApi(`/v1/test_helpers/webhook_deliveries?payment_id=${payment!.pspPaymentId}`)
            .then((r) => r.json()),
        (list) =>
          list.data.some((d: { type: string; attempts: number }) => d.type === "payment.succeeded" && d.attempts >= 2),
        10_000,
        "the PSP to retry the refused webhook",
      );
      expect((await payments.getPayment({ paymentId: payment!.paymentId })).payment!.status).toBe(
        PaymentStatus.EXECUTING,
      );
    } finally {
      await db.raw("drop trigger refuse_outbox on outbox; drop function refuse_outbox()");
    }
    await waitFor(
      () => payments.getPayment({ paymentId: payment!.paymentId }),
      (r) => r.payment!.status === PaymentStatus.SUCCEEDED,
      15_000,
      "the retried webhook to apply",
    );
    const events = await db("outbox").where({ payment_id: payment!.paymentId }).orderBy("id").pluck("subject");
    expect(events).toEqual(["payment.executing", "payment.succeeded"]);
  });
});
