/**
 * Outbox relay throughput: N payment events seeded into a temporary database's outbox (DATABASE_URL's server, or an
 * embedded PostgreSQL), relayed by startOutboxRelay to a nats-server of its own (from PATH, removed at the end), as
 * the payment service's NATS user. Not a test: `npm run bench:relay [-- --rows 20000 --payments 5000]`.
 *
 * The events are interleaved (row i belongs to payment i mod payments), as a busy outbox holds them. Reports rows
 * relayed per second and this process's CPU per row, then the PostgreSQL transactions per second the relay runs once
 * the outbox is empty (its idle polling).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { connectNats } from "../../services/lib/events/nats.js";
import { defaultRelaySettings, startOutboxRelay } from "../../services/lib/events/outbox-relay.js";
import { ensureEventStreams } from "../../services/lib/events/streams.js";
import { createLogger } from "../../services/lib/log.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PAYMENT_OUTBOX } from "../../services/payment/store/outbox.js";
import { scopeOf } from "../infra/nats-auth.js";
import { startNatsServer } from "../infra/nats.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const NAMES = { stream: "RELAY_BENCH_EVENTS", subjectPrefix: "relaybench" };
const PAYLOAD_BYTES = 300;
const IDLE_SAMPLE_MS = 5_000;

/** `rows` events of `payments` payments, interleaved, in one statement. */
async function seedOutbox(db: Db, rows: number, payments: number): Promise<void> {
  await db.raw(
    `insert into outbox (event_id, payment_id, subject, payload)
     select 'evt_bench_' || i, 'pay_bench_' || (i % ?), 'payment.executing', decode(repeat('ab', ?), 'hex')
     from generate_series(1, ?) i order by i`,
    [payments, PAYLOAD_BYTES, rows],
  );
}

const unpublished = async (db: Db) => Number((await db("outbox").whereNull("published_at").count({ n: "*" }))[0]!.n);
const committed = async (db: Db) =>
  Number(
    (await db.raw("select xact_commit from pg_stat_database where datname = current_database()")).rows[0].xact_commit,
  );

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: "string" }, payments: { type: "string" } } });
  const rows = Number(values.rows ?? 20_000);
  const payments = Number(values.payments ?? rows / 4);
  const nats = await startNatsServer(scopeOf(NAMES));
  try {
    await withTemporaryDatabase("relay_bench", async (url) => {
      const db = createDb(url, PAYMENT_SCHEMA);
      const nc = await connectNats(nats.endpoint("payment"), "relay-bench");
      try {
        await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
        await ensureEventStreams(await jetstreamManager(nc), NAMES);
        await seedOutbox(db, rows, payments);
        await db.raw("analyze outbox");

        const cpu = process.cpuUsage();
        const t = performance.now();
        const stop = startOutboxRelay(
          db,
          jetstream(nc),
          { ...defaultRelaySettings, ...PAYMENT_OUTBOX, subjectPrefix: NAMES.subjectPrefix },
          createLogger("relay-bench"),
        );
        while ((await unpublished(db)) > 0) await sleep(10);
        const seconds = (performance.now() - t) / 1000;
        const { user, system } = process.cpuUsage(cpu);
        console.log(
          `relayed ${rows} events of ${payments} payments in ${seconds.toFixed(2)} s: ${(rows / seconds).toFixed(0)} events/s, ${((user + system) / rows).toFixed(0)} µs of this process's CPU per event`,
        );

        // The statistics reach pg_stat_database with a delay: let them settle on both sides of the sample.
        await sleep(1_500);
        const before = await committed(db);
        await sleep(IDLE_SAMPLE_MS);
        const polls = (await committed(db)) - before - 1;
        await stop();
        console.log(
          `idle: ${((polls * 1000) / IDLE_SAMPLE_MS).toFixed(1)} PostgreSQL transactions/s with the outbox empty`,
        );
      } finally {
        await nc.close();
        await db.destroy();
      }
    });
  } finally {
    await nats.stop();
  }
}

await main();
