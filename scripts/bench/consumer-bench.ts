/**
 * Event consumers draining a backlog, one message at a time against batches, side by side in one run, on a
 * temporary database (DATABASE_URL's server, or an embedded PostgreSQL) and NATS (NATS_URL, or a nats-server
 * started here), both dropped at the end.
 *
 *   npx tsx scripts/bench/consumer-bench.ts [--events 4000] [--instances 2] [--rounds 2]
 *
 * For each consumer (the ledger's and the wallet's pay-ins) and each way of consuming, a stream of its own gets
 * --events succeeded pay-ins (two sellers each, out of 200), then --instances consumer instances sharing one
 * durable, each with its own NATS connection and pool of 10 as a service instance would have, drain it. The ways
 * run in turn, --rounds times, so that a slower machine or a growing table weighs on each alike. Printed per way:
 * events/s (wall clock, start to last outcome), database transactions and statements per event, this process's CPU
 * per event, and how many events went in batches, of what mean size.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ANY_STREAMS } from "../infra/nats-auth.js";
import { startNatsServer } from "../infra/nats.js";
import { encodePaymentEvent } from "../../services/contracts/events/payment-event.js";
import { ledgerPayInHandler } from "../../services/ledger/events/payin-consumer.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import type { OnceHandlers } from "../../services/lib/events/apply-once.js";
import {
  defaultConsumerSettings,
  ensureConsumer,
  startConsumer,
  type Batching,
  type ConsumerSettings,
} from "../../services/lib/events/consumer.js";
import { connectNats, natsEndpointFromEnv, type NatsEndpoint } from "../../services/lib/events/nats.js";
import { deleteEventStreams, ensureEventStreams } from "../../services/lib/events/streams.js";
import { createLogger } from "../../services/lib/log.js";
import { walletPayInHandler } from "../../services/wallet/events/payin-consumer.js";
import { WALLET_SCHEMA, walletMigrations } from "../../services/wallet/store/migrations/index.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values: args } = parseArgs({
  options: { events: { type: "string" }, instances: { type: "string" }, rounds: { type: "string" } },
});
const EVENTS = Number(args.events ?? 4000);
const INSTANCES = Number(args.instances ?? 2);
const ROUNDS = Number(args.rounds ?? 2);
const SELLERS = 200;
const POOL = 10;

interface Way {
  name: string;
  batching?: Omit<Batching, "handleBatch">;
}
const WAYS: Way[] = [
  { name: "one at a time (8 at once)" },
  { name: "batches of <= 64, 1 in flight", batching: { size: 64, inFlight: 1 } },
  { name: "batches of <= 64, 2 in flight", batching: { size: 64, inFlight: 2 } },
  { name: "batches of <= 64, 4 in flight", batching: { size: 64, inFlight: 4 } },
  { name: "batches of <= 256, 2 in flight", batching: { size: 256, inFlight: 2 } },
];

interface Consumer {
  name: string;
  schema: string;
  handlers: (db: Db) => OnceHandlers;
}
const CONSUMERS: Consumer[] = [
  { name: "ledger pay-ins", schema: LEDGER_SCHEMA, handlers: (db) => ledgerPayInHandler(db) },
  { name: "wallet pay-ins", schema: WALLET_SCHEMA, handlers: (db) => walletPayInHandler(db, new WalletStore(db)) },
];

interface Totals {
  events: number;
  seconds: number;
  transactions: number;
  statements: number;
  cpuMs: number;
  /** CPU of the PostgreSQL backends serving the instances (each drain's pools are new, so all of it is the drain's). */
  postgresCpuMs: number;
  batches: number;
  /** Events that went through a batch handler (a lone message goes through the one-message handler). */
  batched: number;
}

const payIn = (n: number) => {
  const eventId = `evt_${randomUUID()}`;
  const sellers = [`seller-${n % SELLERS}`, `seller-${(n * 7 + 3) % SELLERS}`];
  return encodePaymentEvent(
    {
      id: `pay_${eventId}`,
      status: "SUCCEEDED",
      checkoutId: `cart_${n}`,
      buyerId: "buyer",
      currency: "USD",
      total: 2_000n,
      orders: sellers.map((sellerId, i) => ({
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
};

/** Publishes EVENTS pay-ins to a stream of its own, then drains it with INSTANCES consumers consuming `way`. */
async function drain(endpoint: NatsEndpoint, url: string, consumer: Consumer, way: Way): Promise<Totals> {
  const tag = randomBytes(4).toString("hex");
  const names = { stream: `BENCH${tag.toUpperCase()}_EVENTS`, subjectPrefix: `bench${tag}` };
  const settings: ConsumerSettings = {
    ...defaultConsumerSettings,
    names,
    durable: "bench-payins",
    filterSubject: `${names.subjectPrefix}.payment.succeeded`,
  };
  const admin = await connectNats(endpoint, "consumer-bench");
  const jsm = await jetstreamManager(admin);
  const instances: { db: Db; nc: typeof admin }[] = [];
  try {
    await ensureEventStreams(jsm, names);
    await ensureConsumer(jsm, settings);
    const js = jetstream(admin);
    for (let from = 0; from < EVENTS; from += 500) {
      const chunk = Array.from({ length: Math.min(500, EVENTS - from) }, (_, i) => payIn(from + i));
      await Promise.all(chunk.map((data) => js.publish(settings.filterSubject, data)));
    }
    let transactions = 0;
    let statements = 0;
    let outcomes = 0;
    let batches = 0;
    let batched = 0;
    for (let i = 0; i < INSTANCES; i++) {
      const db = createDb(url, consumer.schema, POOL);
      db.on("query", (q: { sql: string }) => {
        statements++;
        if (q.sql === "BEGIN;") transactions++;
      });
      instances.push({ db, nc: await connectNats(endpoint, `consumer-bench-${i}`) });
    }
    const log = createLogger("consumer-bench");
    const cpu = process.cpuUsage();
    const started = performance.now();
    let done: () => void = () => {};
    const drained = new Promise<void>((resolve) => {
      done = resolve;
    });
    const running = await Promise.all(
      instances.map(({ db, nc }) => {
        const handlers = consumer.handlers(db);
        const handleBatch: typeof handlers.handleBatch = (msgs) => {
          batches++;
          batched += msgs.length;
          return handlers.handleBatch(msgs);
        };
        return startConsumer(
          jetstream(nc),
          settings,
          handlers.handle,
          log,
          () => {
            if (++outcomes === EVENTS) done();
          },
          way.batching && { ...way.batching, handleBatch },
        );
      }),
    );
    await drained;
    const seconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    const postgresCpuMs = await backendsCpuMs(instances[0]!.db);
    await Promise.all(running.map((r) => r.stop()));
    return {
      events: EVENTS,
      seconds,
      transactions,
      statements,
      cpuMs: (user + system) / 1000,
      postgresCpuMs,
      batches,
      batched,
    };
  } finally {
    for (const { db, nc } of instances) {
      await nc.close();
      await db.destroy();
    }
    await deleteEventStreams(jsm, names);
    await admin.close();
  }
}

/**
 * The CPU time so far of the backends connected to `db`'s database, from /proc (user + system, in clock ticks of
 * 10 ms); 0 where /proc does not show them (PostgreSQL on another machine).
 */
async function backendsCpuMs(db: Db): Promise<number> {
  const { rows } = await db.raw<{ rows: { pid: number }[] }>(
    "select pid from pg_stat_activity where datname = current_database()",
  );
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14th and 15th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone, or not on this machine
    }
  }
  return ticks * 10;
}

const add = (a: Totals, b: Totals): Totals => ({
  events: a.events + b.events,
  seconds: a.seconds + b.seconds,
  transactions: a.transactions + b.transactions,
  statements: a.statements + b.statements,
  cpuMs: a.cpuMs + b.cpuMs,
  postgresCpuMs: a.postgresCpuMs + b.postgresCpuMs,
  batches: a.batches + b.batches,
  batched: a.batched + b.batched,
});

async function main(): Promise<void> {
  const bench = { user: "bench", password: randomBytes(18).toString("base64url") };
  const nats = process.env.NATS_URL
    ? undefined
    : await startNatsServer(ANY_STREAMS, [{ ...bench, permissions: { publish: [">"], subscribe: [">"] } }]);
  const endpoint = nats ? { servers: [nats.url], ...bench } : natsEndpointFromEnv();
  try {
    await withTemporaryDatabase("consumer_bench", async (url, admin, origin) => {
      const migrations = createDb(url, LEDGER_SCHEMA);
      await migrateUp(migrations, LEDGER_SCHEMA, ledgerMigrations);
      await migrations.destroy();
      const wallet = createDb(url, WALLET_SCHEMA);
      await migrateUp(wallet, WALLET_SCHEMA, walletMigrations);
      await wallet.destroy();
      const [version] = (await admin.query<{ server_version: string }>("show server_version")).rows;
      console.log(
        `PostgreSQL ${version!.server_version} (${origin}), NATS ${nats ? "started here" : "NATS_URL"}; ` +
          `${EVENTS} pay-ins per drain, ${INSTANCES} instances sharing the durable, ${ROUNDS} rounds`,
      );
      for (const consumer of CONSUMERS) {
        const totals = new Map<string, Totals>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const way of WAYS) {
            const t = await drain(endpoint, url, consumer, way);
            const before = totals.get(way.name);
            totals.set(way.name, before ? add(before, t) : t);
          }
        }
        console.log(`\n${consumer.name}`);
        const first = totals.get(WAYS[0]!.name)!;
        for (const way of WAYS) {
          const t = totals.get(way.name)!;
          const perSecond = t.events / t.seconds;
          console.log(
            `  ${way.name.padEnd(32)} ${perSecond.toFixed(0).padStart(6)} events/s (${(perSecond / (first.events / first.seconds)).toFixed(2)} x)` +
              `   ${(t.transactions / t.events).toFixed(3)} transactions/event` +
              `   ${(t.statements / t.events).toFixed(2)} statements/event` +
              `   CPU/event ${(t.cpuMs / t.events).toFixed(3)} ms here, ${(t.postgresCpuMs / t.events).toFixed(3)} ms PostgreSQL` +
              (t.batches > 0
                ? `   ${((100 * t.batched) / t.events).toFixed(0)}% in batches of ${(t.batched / t.batches).toFixed(1)} on average`
                : ""),
          );
        }
      }
    });
  } finally {
    await nats?.stop();
  }
}

await main();
