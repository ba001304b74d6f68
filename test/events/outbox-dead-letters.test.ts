import { create, toBinary } from "@bufbuild/protobuf";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaymentEventSchema } from "../../gen/payment/v1/events_pb.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import type { Logger, LogFields } from "../../services/lib/log.js";
import { listOutboxDeadLetters, requeueOutboxDeadLetter } from "../../services/lib/events/outbox-dead-letters.js";
import { registerOutboxMetrics } from "../../services/lib/events/outbox-metrics.js";
import { defaultRelaySettings, startOutboxRelay } from "../../services/lib/events/outbox-relay.js";
import { ensureEventStreams } from "../../services/lib/events/streams.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PAYMENT_OUTBOX } from "../../services/payment/store/outbox.js";
import { deleteStreams, uniqueStreamNames } from "../support/event-streams.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { readStreamMessages } from "../support/stream-reader.js";
import { insertOutboxEvents } from "../support/outbox-rows.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait.js";

/** One row NATS will never take sets aside that row only: other payments' events go on, its payment's later ones wait. */
const names = uniqueStreamNames();
const errors: { msg: string; fields: LogFields }[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (msg, fields = {}) => errors.push({ msg, fields }),
  child: () => log,
};
const STREAM_MAX_MSG_SIZE = 512 * 1024;
let database: TestDatabase;
let db: Db;
let nc: NatsConnection;
let stopRelay: () => Promise<void>;
const registry = new Registry();

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, PAYMENT_SCHEMA);
  await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
  nc = await connectAs(HARNESS);
  const jsm = await jetstreamManager(nc);
  await ensureEventStreams(jsm, names);
  // Below NATS's max_payload, so that a row between the two is refused by JetStream itself (a 400).
  await jsm.streams.update(names.stream, { max_msg_size: STREAM_MAX_MSG_SIZE });
  registerOutboxMetrics(registry, db, PAYMENT_OUTBOX);
  stopRelay = startOutboxRelay(
    db,
    jetstream(nc),
    { ...defaultRelaySettings, ...PAYMENT_OUTBOX, subjectPrefix: names.subjectPrefix },
    log,
  );
});

afterAll(async () => {
  await stopRelay?.();
  await nc?.close();
  await deleteStreams(names);
  await db?.destroy();
  await database?.drop();
});

async function insertEvent(paymentId: string, bytes = 0): Promise<string> {
  const [eventId] = await insertOutboxEvents(db, [{ paymentId, bytes }]);
  return eventId!;
}

/** Runs the operators' script on this test's database. */
const deadLettersScript = (...args: string[]) =>
  promisify(execFile)("npx", ["tsx", "scripts/dead-letters.ts", ...args], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    env: { ...process.env, DATABASE_URL: database.url },
  });
const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
/** The Nats-Msg-Ids on the stream, in stream order. */
const onStream = async () =>
  (await readStreamMessages(names.stream, ".payment.")).map((m) => m.header.get("Nats-Msg-Id"));
const outboxRow = (eventId: string) =>
  db("outbox").where({ event_id: eventId }).first("published_at", "dead_at", "dead_reason");

describe("outbox dead letters", () => {
  const paymentA = `pay_${randomUUID()}`;
  const paymentB = `pay_${randomUUID()}`;
  const paymentC = `pay_${randomUUID()}`;
  let oversized: string;
  let refusedByStream: string;
  let laterOfA: string;
  let laterOfB: string;

  it("an event NATS will never take is set aside with its reason; other payments' events go on; its payment's later ones wait", async () => {
    oversized = await insertEvent(paymentA, 2 * 1024 * 1024);
    refusedByStream = await insertEvent(paymentC, STREAM_MAX_MSG_SIZE + 1);
    laterOfA = await insertEvent(paymentA);
    laterOfB = await insertEvent(paymentB);

    // A batch's payments are in flight together: once B's later event is marked, every earlier row was dealt with.
    await waitFor(
      () => outboxRow(laterOfB),
      (r) => r.published_at !== null,
      10_000,
      "payment B's event to be published",
    );
    const dead = await waitFor(
      () => outboxRow(oversized),
      (r) => r.dead_at !== null,
      10_000,
      "the oversized event to be set aside",
    );
    expect(dead).toMatchObject({ published_at: null, dead_reason: expect.stringContaining("max_payload") });
    expect(await outboxRow(refusedByStream)).toMatchObject({
      published_at: null,
      dead_reason: "JetStream 400 (10054): message size exceeds maximum allowed",
    });

    // Payment A's later event is blocked: neither on the stream nor dead, and published_at stays null (a clean-up of
    // published rows must never take it).
    await new Promise((r) => setTimeout(r, 300));
    expect(await outboxRow(laterOfA)).toEqual({ published_at: null, dead_at: null, dead_reason: null });
    expect(await onStream()).toEqual([laterOfB]);

    expect(await gauge("outbox_dead_letters")).toBe(2);
    expect(await gauge("outbox_blocked_events")).toBe(1);
    expect(await gauge("outbox_oldest_blocked_age_seconds")).toBeGreaterThan(0);
    expect(await gauge("outbox_pending_events")).toBe(1);

    expect(errors).toEqual([
      {
        msg: expect.stringContaining("set aside"),
        fields: expect.objectContaining({
          eventId: oversized,
          paymentId: paymentA,
          reason: expect.stringContaining("max_payload"),
        }),
      },
      {
        msg: expect.stringContaining("set aside"),
        fields: expect.objectContaining({
          eventId: refusedByStream,
          paymentId: paymentC,
          reason: expect.stringContaining("JetStream 400"),
        }),
      },
    ]);
    expect(await listOutboxDeadLetters(db, PAYMENT_OUTBOX)).toEqual([
      expect.objectContaining({
        eventId: oversized,
        aggregate: paymentA,
        subject: "payment.executing",
        blocked: 1,
        reason: expect.stringContaining("max_payload"),
      }),
      expect.objectContaining({ eventId: refusedByStream, aggregate: paymentC, blocked: 0 }),
    ]);
  });

  it("a re-queued row is published first of its payment, then the events that waited behind it, in order", async () => {
    const { stdout: listed } = await deadLettersScript("outbox", "payment", "list");
    expect(listed).toContain(`${oversized}  payment.executing  ${paymentA}`);
    expect(listed).toContain("1 waiting behind it");

    // The operator's fix (in production: a larger max_payload); here the row is shrunk to what NATS takes.
    const small = toBinary(
      PaymentEventSchema,
      create(PaymentEventSchema, { eventId: oversized, paymentId: paymentA, status: 1 }),
    );
    await db("outbox")
      .where({ event_id: oversized })
      .update({ payload: Buffer.from(small) });
    expect((await deadLettersScript("outbox", "payment", "requeue", oversized)).stdout).toBe(
      `re-queued ${oversized}\n`,
    );
    expect(await requeueOutboxDeadLetter(db, PAYMENT_OUTBOX, oversized)).toBe(false);

    await waitFor(onStream, (ids) => ids.includes(laterOfA), 10_000, "payment A's events to follow the re-queued row");
    expect(await onStream()).toEqual([laterOfB, oversized, laterOfA]);
    expect((await listOutboxDeadLetters(db, PAYMENT_OUTBOX)).map((d) => d.eventId)).toEqual([refusedByStream]);
    expect(await gauge("outbox_dead_letters")).toBe(1);
    expect(await gauge("outbox_blocked_events")).toBe(0);
    expect(await gauge("outbox_oldest_blocked_age_seconds")).toBe(0);
    await waitFor(
      () => gauge("outbox_pending_events"),
      (n) => n === 0,
      5_000,
      "the outbox to drain",
    );
  });
});
