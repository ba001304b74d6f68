import { randomUUID } from "node:crypto";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePaymentEvent } from "../../services/contracts/events/payment-event.js";
import { ledgerPayInHandler } from "../../services/ledger/events/payin-consumer.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { applyOnce } from "../../services/lib/events/apply-once.js";
import {
  defaultConsumerSettings,
  ensureConsumer,
  PoisonMessage,
  processBatch,
  startConsumer,
  type ConsumerSettings,
  type EventOutcome,
} from "../../services/lib/events/consumer.js";
import { deadLetterStream, ensureEventStreams } from "../../services/lib/events/streams.js";
import { createLogger } from "../../services/lib/log.js";
import { walletPayInHandler } from "../../services/wallet/events/payin-consumer.js";
import { WALLET_SCHEMA, walletMigrations } from "../../services/wallet/store/migrations/index.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { deleteStreams, uniqueStreamNames } from "../support/event-streams.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait.js";

const names = uniqueStreamNames();
const log = createLogger("consumer-batches-test");
let database: TestDatabase;
let ledgerDb: Db;
let walletDb: Db;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  database = await createTestDatabase();
  ledgerDb = createDb(database.url, LEDGER_SCHEMA);
  walletDb = createDb(database.url, WALLET_SCHEMA);
  await migrateUp(ledgerDb, LEDGER_SCHEMA, ledgerMigrations);
  await migrateUp(walletDb, WALLET_SCHEMA, walletMigrations);
  nc = await connectAs(HARNESS);
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureEventStreams(jsm, names);
});

afterAll(async () => {
  await nc?.close();
  await deleteStreams(names);
  await ledgerDb?.destroy();
  await walletDb?.destroy();
  await database?.drop();
});

/** Counts the database transactions `db` commits from now on. */
function commitsOf(db: Db): () => number {
  let commits = 0;
  db.on("query", (q: { sql: string }) => {
    if (q.sql === "COMMIT;") commits++;
  });
  return () => commits;
}

let durables = 0;
/** A durable of its own, on a subject of its own. */
async function newConsumer(): Promise<ConsumerSettings> {
  const n = ++durables;
  const settings = {
    ...defaultConsumerSettings,
    names,
    durable: `batch-test-${n}`,
    filterSubject: `${names.subjectPrefix}.batch-test-${n}`,
  };
  await ensureConsumer(jsm, settings);
  return settings;
}

/** Publishes `payloads` (each with a Nats-Msg-Id of its own) and fetches them, delivered, as one batch. */
async function delivered(settings: ConsumerSettings, payloads: Uint8Array[]): Promise<JsMsg[]> {
  for (const data of payloads) await js.publish(settings.filterSubject, data, { msgID: randomUUID() });
  const consumer = await js.consumers.get(names.stream, settings.durable);
  const msgs: JsMsg[] = [];
  for await (const msg of await consumer.fetch({ max_messages: payloads.length, expires: 5_000 })) msgs.push(msg);
  expect(msgs).toHaveLength(payloads.length);
  return msgs;
}

const idle = (settings: ConsumerSettings) =>
  waitFor(
    () => jsm.consumers.info(names.stream, settings.durable),
    (info) => info.num_ack_pending === 0 && info.num_pending === 0,
    10_000,
    `${settings.durable} to have acked everything`,
  );

/** A succeeded pay-in of 10.00 per seller, 0.30 fee each. */
const payIn = (eventId: string, sellerIds: string[]) =>
  encodePaymentEvent(
    {
      id: `pay_${eventId}`,
      status: "SUCCEEDED",
      checkoutId: `cart_${eventId}`,
      buyerId: "buyer",
      currency: "USD",
      total: 1_000n * BigInt(sellerIds.length),
      orders: sellerIds.map((sellerId, i) => ({
        orderId: `o${i}`,
        sellerId,
        amountMinor: 1_000n,
        platformFeeMinor: 30n,
      })),
      platformFeeBps: 300,
    },
    eventId,
    new Date(),
  );

const posted = async (eventIds: string[]) =>
  Number(
    (
      await ledgerDb("transactions")
        .whereIn(
          "id",
          eventIds.map((id) => `payin:pay_${id}`),
        )
        .count({ n: "*" })
    )[0]!.n,
  );

const run = (settings: ConsumerSettings, msgs: JsMsg[], handlers: Parameters<typeof processBatch>[2]) =>
  processBatch(js, msgs, handlers, settings, log, new AbortController().signal);

describe("a consumer's batch", () => {
  it("books a batch of pay-ins in the ledger with one commit, its inbox rows included, and acks them all", async () => {
    const settings = await newConsumer();
    const ids = Array.from({ length: 20 }, () => `evt_${randomUUID()}`);
    const msgs = await delivered(
      settings,
      ids.map((id, i) => payIn(id, [`seller-${i % 3}`])),
    );
    const commits = commitsOf(ledgerDb);

    expect(await run(settings, msgs, ledgerPayInHandler(ledgerDb))).toEqual(ids.map(() => "ok"));
    expect(commits()).toBe(1);
    expect(await posted(ids)).toBe(20);
    expect(Number((await ledgerDb("inbox").whereIn("event_id", ids).count({ n: "*" }))[0]!.n)).toBe(20);
    await idle(settings);
  });

  it("credits overlapping sellers' wallets in one commit, and an event delivered twice in a batch or again in the next once", async () => {
    const settings = await newConsumer();
    const [a, b, c] = [`seller-${randomUUID()}`, `seller-${randomUUID()}`, `seller-${randomUUID()}`];
    const first = payIn(`evt_${randomUUID()}`, [a, b]);
    const second = payIn(`evt_${randomUUID()}`, [c, b, a]);
    const handlers = walletPayInHandler(walletDb, new WalletStore(walletDb));
    const commits = commitsOf(walletDb);

    // The same event twice (published under two message ids, as a republish past JetStream's window would be).
    expect(await run(settings, await delivered(settings, [first, second, first]), handlers)).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
    expect(
      await run(settings, await delivered(settings, [second, payIn(`evt_${randomUUID()}`, [c])]), handlers),
    ).toEqual(["ok", "ok"]);
    expect(commits()).toBe(2);
    const balances = new WalletStore(walletDb);
    // Each credit is the net of 10.00: 9.70.
    expect((await balances.balance(a, "USD"))?.availableMinor).toBe(2n * 970n);
    expect((await balances.balance(b, "USD"))?.availableMinor).toBe(2n * 970n);
    expect((await balances.balance(c, "USD"))?.availableMinor).toBe(2n * 970n);
    await idle(settings);
  });

  it("with a poison event in the middle books the others and dead-letters the poison one, once", async () => {
    const settings = await newConsumer();
    const [before, after] = [`evt_${randomUUID()}`, `evt_${randomUUID()}`];
    const poison = new TextEncoder().encode("not protobuf {");
    const msgs = await delivered(settings, [payIn(before, ["seller-x"]), poison, payIn(after, ["seller-y"])]);
    const letters = (await jsm.streams.info(deadLetterStream(names))).state.messages;

    expect(await run(settings, msgs, ledgerPayInHandler(ledgerDb))).toEqual(["ok", "dead_lettered", "ok"]);
    expect(await posted([before, after])).toBe(2);
    expect((await jsm.streams.info(deadLetterStream(names))).state.messages).toBe(letters + 1);
    await idle(settings);
  });

  it("falls back to one at a time when the database refuses one event: the others are applied, the refused one retried", async () => {
    const db = createDb(database.url, "batch_refusals");
    try {
      await db.raw(`create schema batch_refusals;
        create table batch_refusals.inbox (event_id text primary key);
        create table batch_refusals.credits (event_id text primary key, amount int not null check (amount > 0))`);
      const decode = (bytes: Uint8Array) => {
        const event = JSON.parse(new TextDecoder().decode(bytes)) as { eventId: string; amount: number };
        if (typeof event.amount !== "number") throw new PoisonMessage("no amount");
        return event;
      };
      const handlers = applyOnce(db, decode, async (trx, e) => {
        await trx("credits").insert({ event_id: e.eventId, amount: e.amount });
      });
      const settings = await newConsumer();
      const events = [5, -1, 7].map((amount) => ({ eventId: `evt_${randomUUID()}`, amount }));
      const msgs = await delivered(
        settings,
        events.map((e) => new TextEncoder().encode(JSON.stringify(e))),
      );
      const commits = commitsOf(db);

      expect(await run(settings, msgs, handlers)).toEqual(["ok", "retried", "ok"]);
      // The batch rolled back, then each message on its own: two commits, the refused one rolled back again.
      expect(commits()).toBe(2);
      const credited = await db("credits").orderBy("amount").pluck("amount");
      expect(credited).toEqual([5, 7]);
      expect(await db("inbox").pluck("event_id")).not.toContain(events[1]!.eventId);
    } finally {
      await db.destroy();
    }
  });
});

describe("two instances' batches over the same new sellers, in opposite orders", () => {
  // Each batch locks what it creates (balance rows, accounts) in one statement in key order, so they wait in line.
  it.each([
    { consumer: "wallet", handlers: () => walletPayInHandler(walletDb, new WalletStore(walletDb)) },
    { consumer: "ledger", handlers: () => ledgerPayInHandler(ledgerDb) },
  ])("never deadlock in the $consumer", async ({ handlers }) => {
    const { handleBatch } = handlers();
    for (let round = 0; round < 10; round++) {
      const sellers = Array.from({ length: 6 }, () => `seller-${randomUUID()}`);
      const pairs = [0, 2, 4].map((i) => sellers.slice(i, i + 2));
      const batch = (order: string[][]) =>
        order.map((pair) => ({ subject: "payment.succeeded", data: payIn(`evt_${randomUUID()}`, pair) }));
      await Promise.all([
        handleBatch(batch(pairs)),
        handleBatch(batch([...pairs].reverse().map((pair) => [...pair].reverse()))),
      ]);
    }
  });
});

describe("consumers started with a batch handler", () => {
  // Two instances sharing the durable, with small batches: consume() pulls again many times, and the last messages
  // of a pull must not wait for more to come.
  it("apply every event once between them and dead-letter the poison one, counting each delivery's outcome", async () => {
    const settings = await newConsumer();
    const ids = Array.from({ length: 100 }, () => `evt_${randomUUID()}`);
    const poison = new TextEncoder().encode("not protobuf {");
    const payloads = ids.map((id, i) => payIn(id, [`seller-${i % 5}`]));
    payloads.splice(37, 0, poison);
    for (const data of payloads) await js.publish(settings.filterSubject, data, { msgID: randomUUID() });
    const outcomes: EventOutcome[] = [];
    const handlers = ledgerPayInHandler(ledgerDb);
    const instances = await Promise.all(
      [1, 2].map(() =>
        startConsumer(js, settings, handlers.handle, log, (outcome) => outcomes.push(outcome), {
          handleBatch: handlers.handleBatch,
          size: 8,
          inFlight: 1,
        }),
      ),
    );
    try {
      await waitFor(
        async () => outcomes.length,
        (n) => n === payloads.length,
        15_000,
        "an outcome for every delivery",
      );
      await idle(settings);
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(100);
    expect(outcomes.filter((o) => o === "dead_lettered")).toHaveLength(1);
    expect(await posted(ids)).toBe(100);
  });
});
