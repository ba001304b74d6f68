import { randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import type { Logger, LogFields } from "../../services/lib/log.js";
import { defaultRelaySettings, startOutboxRelay } from "../../services/lib/events/outbox-relay.js";
import { ensureEventStreams } from "../../services/lib/events/streams.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PAYMENT_OUTBOX } from "../../services/payment/store/outbox.js";
import { deleteStreams, uniqueStreamNames } from "../support/event-streams.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { insertOutboxEvents } from "../support/outbox-rows.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait.js";

/** The relay publishes a batch's payments side by side, each payment's events one after the other in id order. */
const names = uniqueStreamNames();
const warnings: { msg: string; fields: LogFields }[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields = {}) => warnings.push({ msg, fields }),
  error: () => {},
  child: () => log,
};
let database: TestDatabase;
let db: Db;
let nc: NatsConnection;
let relayNc: NatsConnection;
let stopRelay: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, PAYMENT_SCHEMA);
  await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
  nc = await connectAs(HARNESS);
  await ensureEventStreams(await jetstreamManager(nc), names);
  relayNc = await connectAs("payment");
  stopRelay = startOutboxRelay(
    db,
    jetstream(relayNc),
    { ...defaultRelaySettings, ...PAYMENT_OUTBOX, subjectPrefix: names.subjectPrefix },
    log,
  );
});

afterAll(async () => {
  await stopRelay?.();
  await relayNc?.close();
  await nc?.close();
  await deleteStreams(names);
  await db?.destroy();
  await database?.drop();
});

/** The Nats-Msg-Ids on the stream, in stream order. */
const onStream = async () =>
  (await readStreamMessages(names.stream, ".payment.")).map((m) => m.header.get("Nats-Msg-Id"));
const outboxRows = (eventIds: string[]) =>
  db("outbox").whereIn("event_id", eventIds).orderBy("id").select("event_id", "published_at", "dead_at");
const unpublished = async () => Number((await db("outbox").whereNull("published_at").count({ n: "*" }))[0]!.n);

describe("outbox relay order", () => {
  it("many payments' events, interleaved in the outbox, reach the stream each exactly once and in each payment's order", async () => {
    const payments = Array.from({ length: 60 }, () => `pay_${randomUUID()}`);
    const eventsPerPayment = 6;
    const rows = Array.from({ length: eventsPerPayment }, () => payments.map((paymentId) => ({ paymentId }))).flat();
    const eventIds = await insertOutboxEvents(db, rows);
    await waitFor(unpublished, (n) => n === 0, 20_000, "the outbox to drain");

    const stream = await onStream();
    expect([...stream].sort()).toEqual([...eventIds].sort());
    const position = new Map(stream.map((id, i) => [id, i]));
    for (const paymentId of payments) {
      const mine = eventIds.filter((_, i) => rows[i]!.paymentId === paymentId);
      expect(mine.map((id) => position.get(id)!)).toEqual(mine.map((id) => position.get(id)!).sort((a, b) => a - b));
    }
  });

  it("a payment whose first event fails to publish keeps its later events unpublished and unmarked while other payments' go on", async () => {
    const stuck = `pay_${randomUUID()}`;
    const flowing = `pay_${randomUUID()}`;
    // The payment service's NATS user may not publish a payout event: a refusal an operator fixes (transient).
    const [first, ...later] = await insertOutboxEvents(db, [
      { paymentId: stuck, subject: "payout.paid" },
      { paymentId: stuck },
      { paymentId: flowing },
      { paymentId: stuck },
      { paymentId: flowing },
    ]);
    const [laterOfStuck, flowing1, laterOfStuck2, flowing2] = later as [string, string, string, string];
    const before = (await onStream()).length;

    await waitFor(onStream, (ids) => ids.includes(flowing2), 10_000, "the other payment's events to be published");
    // Tried again after retryMs, and still held back.
    await waitFor(
      async () => warnings.filter((w) => w.fields.eventId === first).length,
      (n) => n >= 2,
      10_000,
      "the relay to try the failing event again",
    );
    expect(warnings[0]).toMatchObject({
      msg: expect.stringContaining("cannot publish"),
      fields: { aggregate: stuck, error: expect.stringContaining("Permissions Violation") },
    });
    expect((await onStream()).slice(before)).toEqual([flowing1, flowing2]);
    expect(await outboxRows([first!, laterOfStuck, laterOfStuck2])).toEqual(
      [first, laterOfStuck, laterOfStuck2].map((eventId) => ({ event_id: eventId, published_at: null, dead_at: null })),
    );
    expect((await outboxRows([flowing1, flowing2])).every((r) => r.published_at !== null)).toBe(true);

    // The cause goes away: the failed event goes first, then the ones that waited behind it, in order.
    await db("outbox").where({ event_id: first }).update({ subject: "payment.executing" });
    await waitFor(onStream, (ids) => ids.includes(laterOfStuck2), 10_000, "the held-back events to follow");
    expect((await onStream()).slice(before)).toEqual([flowing1, flowing2, first, laterOfStuck, laterOfStuck2]);
    expect(await unpublished()).toBe(0);
  });
});
