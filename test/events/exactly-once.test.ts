import { testTls } from "../support/tls.js";
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { listDeadLetters } from "../../services/lib/events/dead-letters.js";
import { natsEnv } from "../../services/lib/events/nats.js";
import { encodeReplayPointer, replayBinding, replaySubject } from "../../services/lib/events/replay.js";
import { LEDGER_PAYIN_DURABLE } from "../../services/ledger/events/payin-consumer.js";
import { WALLET_PAYIN_DURABLE, walletPayInHandler } from "../../services/wallet/events/payin-consumer.js";
import { startWalletService } from "../../services/wallet/service.js";
import { WALLET_SCHEMA } from "../../services/wallet/store/migrations/index.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { connectAs, HARNESS, natsAs } from "../support/nats-users.js";
import { startTestPlatform, type TestPlatform } from "../support/platform.js";
import { readPaymentEvents } from "../support/stream-reader.js";
import { waitFor } from "../support/wait.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { usd } from "../support/checkouts.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONSUMERS = { ackWaitMs: 1_000, maxDeliver: 3, retryBaseMs: 50 };

let platform: TestPlatform;
let payments: ServiceClient<"payment">;
let walletDb: Db;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  platform = await startTestPlatform({ consumers: CONSUMERS });
  payments = serviceClient("payment", platform.payment.url, "marketplace");
  walletDb = createDb(platform.database.url, WALLET_SCHEMA);
  nc = await connectAs(HARNESS);
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await walletDb?.destroy();
  await platform?.close();
});

/** A paid checkout for one new seller; returns the seller and the succeeded event as stored in the stream. */
async function paidCheckout(amount = 1_000) {
  const sellerId = `seller-${randomUUID()}`;
  const { payment } = await payments.createPayment({
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    orders: [{ orderId: "o1", sellerId, amount: usd(amount) }],
  });
  await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  const stored = await waitFor(
    async () =>
      (await readPaymentEvents(platform.streams.stream)).find(
        (e) => e.event.paymentId === payment!.paymentId && e.event.status === "SUCCEEDED",
      ),
    (e) => e !== undefined,
    15_000,
    "the succeeded event on the stream",
  );
  return { sellerId, stored: stored!, net: stored!.event.orders[0]!.sellerNetMinor };
}

/** Asks whichever wallet instance is running now (a test restarts it). */
async function walletBalance(sellerId: string): Promise<bigint> {
  const wallet = serviceClient("wallet", platform.wallet.url, "marketplace");
  try {
    return (await wallet.getBalance({ sellerId, currency: "USD" })).balance!.available!.amountMinor;
  } finally {
  }
}
const movementsOf = async (eventId: string) =>
  Number((await walletDb("movements").where({ event_id: eventId }).count({ n: "*" }))[0]!.n);
const consumerIdle = async (durable = WALLET_PAYIN_DURABLE) => {
  const info = await jsm.consumers.info(platform.streams.stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
};

async function ledgerView(sellerId: string, paymentId: string) {
  const ledger = serviceClient("ledger", platform.ledger.url, "operator-tools");
  try {
    const balance = (await ledger.getBalance({ accountCode: `seller_payable:${sellerId}:USD` })).balance!;
    const { entries } = await ledger.listEntries({ accountCode: `seller_payable:${sellerId}:USD` });
    const transaction = (await ledger.getTransaction({ transactionId: `payin:${paymentId}` })).transaction!;
    return { balance: balance.amountMinor, entries: entries.length, transactionId: transaction.transactionId };
  } finally {
  }
}

describe("exactly once in effect", () => {
  it("a duplicate publish, deduplicated by JetStream or not, credits the wallet once", async () => {
    const { sellerId, stored, net } = await paidCheckout();
    await waitFor(
      () => walletBalance(sellerId),
      (b) => b === net,
      10_000,
      "the first credit",
    );
    const raw = (await jsm.streams.getMessage(platform.streams.stream, { seq: stored.seq }))!;

    const sameId = await js.publish(stored.subject, raw.data, { msgID: stored.msgId });
    expect(sameId.duplicate).toBe(true);
    // Past the duplicate window a republish gets through JetStream: the consumer's inbox must stop it.
    const newId = await js.publish(stored.subject, raw.data, { msgID: `${stored.msgId}:late` });
    expect(newId.duplicate).toBe(false);

    await waitFor(consumerIdle, (idle) => idle, 10_000, "the wallet consumer to take the republished event");
    await waitFor(
      () => consumerIdle(LEDGER_PAYIN_DURABLE),
      (idle) => idle,
      10_000,
      "the ledger consumer to take it",
    );
    expect(await walletBalance(sellerId)).toBe(net);
    expect(await movementsOf(stored.event.eventId)).toBe(1);
    // One posting in the ledger: one entry on the seller's account, for the net once.
    await waitFor(
      () => ledgerView(sellerId, stored.event.paymentId),
      (v) => v.balance === net && v.entries === 1,
      10_000,
      "one posting",
    );
  });

  it("a consumer stopped after its commit but before its ack: the redelivery has no second effect", async () => {
    await platform.wallet.close();
    const { sellerId, stored, net } = await paidCheckout(2_000);

    // Take the message from the durable, commit its effect with the wallet's own handler, then die without acking.
    const crashing = await connectAs("wallet");
    const msg = await jetstream(crashing)
      .consumers.get(platform.streams.stream, WALLET_PAYIN_DURABLE)
      .then((c) => c.next({ expires: 5_000 }));
    expect(msg?.seq).toBe(stored.seq);
    await walletPayInHandler(walletDb, new WalletStore(walletDb)).handle(msg!);
    await crashing.close();
    const before = await jsm.consumers.info(platform.streams.stream, WALLET_PAYIN_DURABLE);

    platform.wallet = await startWalletService({
      tls: testTls("wallet"),
      databaseUrl: platform.database.url,
      events: { nats: natsAs("wallet"), names: platform.streams, settings: CONSUMERS },
      pageTokenSecret: platform.pageTokenSecret,
    });
    await waitFor(consumerIdle, (idle) => idle, 15_000, "the redelivery to be acked");
    const after = await jsm.consumers.info(platform.streams.stream, WALLET_PAYIN_DURABLE);
    // Delivered once more, the same stream message: a redelivery.
    expect(after.delivered.consumer_seq).toBe(before.delivered.consumer_seq + 1);
    expect(after.delivered.stream_seq).toBe(before.delivered.stream_seq);
    expect(await walletBalance(sellerId)).toBe(net);
    expect(await movementsOf(stored.event.eventId)).toBe(1);
  });
});

describe("dead letters", () => {
  const deadLettersScript = (...args: string[]) =>
    promisify(execFile)("npx", ["tsx", "scripts/dead-letters.ts", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...natsEnv(natsAs("operator-tools")),
        EVENTS_STREAM: platform.streams.stream,
        EVENTS_SUBJECT_PREFIX: platform.streams.subjectPrefix,
      },
    });

  it("a poison message is dead-lettered at once; a failing one after max_deliver; replay applies it once fixed", async () => {
    const poison = await js.publish(
      `${platform.streams.subjectPrefix}.payment.succeeded`,
      new TextEncoder().encode("not protobuf {"),
      { msgID: "poison-1" },
    );

    await walletDb.raw(`
      create function refuse_movement() returns trigger language plpgsql as $$ begin raise exception 'wallet database trouble'; end $$;
      create trigger refuse_movement before insert on movements for each row execute function refuse_movement()`);
    let failing;
    try {
      failing = await paidCheckout(3_000);
      await waitFor(
        () => listDeadLetters(jsm, platform.streams),
        (letters) => letters.some((l) => l.kind === "max_deliveries" && l.streamSeq === failing!.stored.seq),
        15_000,
        "the failing event to reach max_deliver",
      );
    } finally {
      await walletDb.raw("drop trigger refuse_movement on movements; drop function refuse_movement()");
    }

    const letters = await listDeadLetters(jsm, platform.streams);
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "poison",
          consumer: WALLET_PAYIN_DURABLE,
          streamSeq: poison.seq,
          reason: expect.stringContaining("not a PaymentEvent"),
        }),
        expect.objectContaining({
          kind: "max_deliveries",
          consumer: WALLET_PAYIN_DURABLE,
          streamSeq: failing.stored.seq,
          deliveries: CONSUMERS.maxDeliver,
        }),
      ]),
    );
    expect(await walletBalance(failing.sellerId)).toBe(0n);

    const listed = await deadLettersScript("list");
    expect(listed.stdout).toContain(
      `stream seq ${failing.stored.seq}  gave up after ${CONSUMERS.maxDeliver} deliveries`,
    );
    expect(listed.stdout).toContain(`event ${failing.stored.event.eventId}`);
    expect(listed.stdout).toContain("undecodable");

    const failed = letters.find((l) => l.streamSeq === failing!.stored.seq)!;
    await deadLettersScript("replay", String(failed.dlqSeq));
    await waitFor(
      () => walletBalance(failing!.sellerId),
      (b) => b === failing!.net,
      10_000,
      "the replayed event to be applied",
    );
    expect(await movementsOf(failing.stored.event.eventId)).toBe(1);
    // The same pointer again (a replay raced, or forged): the wallet reads the event again and its inbox skips it.
    await js.publish(
      replaySubject(platform.streams, WALLET_PAYIN_DURABLE),
      encodeReplayPointer({ streamSeq: failing.stored.seq, dlqSeq: failed.dlqSeq + 1_000 }),
    );
    await waitFor(
      () => consumerIdle(replayBinding(WALLET_PAYIN_DURABLE).durable),
      (idle) => idle,
      10_000,
      "the second pointer to be acked",
    );
    expect(await movementsOf(failing.stored.event.eventId)).toBe(1);
    expect(await walletBalance(failing.sellerId)).toBe(failing.net);
    const remaining = await listDeadLetters(jsm, platform.streams);
    // Left: the poison message, dead-lettered by each consumer that received it.
    expect(remaining.map((l) => [l.streamSeq, l.consumer]).sort()).toEqual(
      [
        [poison.seq, LEDGER_PAYIN_DURABLE],
        [poison.seq, WALLET_PAYIN_DURABLE],
      ].sort(),
    );
  });
});
