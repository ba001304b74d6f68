/**
 * Cost as history grows: CreatePayment through the whole platform (as bench:checkout starts it: gRPC, the risk
 * service, the PSP simulator, the hosted page paid) and the payments{status} gauge, on an empty database and again
 * once N payments of history are loaded (history-seed.ts), side by side in one run, on a temporary database. Not a
 * test:
 *
 *   npm run bench:history [-- --payments 10000000 --seconds 20 --buyers 4]      (DATABASE_URL: the server to use)
 *
 * Each side: BUYERS buyers check out in closed loops for SECONDS (after a warm-up); CreatePayment's p50/p99, the CPU
 * time of the platform's processes and of the database's PostgreSQL backends per checkout, and what PostgreSQL did
 * in the payment schema per checkout (buffers touched, rows read: counts, not times, so they hold on a busy
 * machine); a scrape of the gauge (served alone by a metrics server of its own), countByStatus, and the count over
 * every payment it replaced. Then the plans of CreatePayment's statements over the history.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@connectrpc/connect";
import { Registry } from "prom-client";
import type { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { encodePaymentEvent, paymentEventSubject } from "../../services/contracts/events/payment-event.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { startMetricsServer } from "../../services/lib/metrics/metrics-server.js";
import { registerPaymentsGauge } from "../../services/payment/api/payments-gauge.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { createPaymentPlans } from "./create-payment-plans.js";
import { cpuMsOf } from "./process-cpu.js";
import { HISTORY_DAYS, seedHistory } from "./history-seed.js";
import {
  benchPlatformEnv,
  checkout,
  LedgerWatch,
  ms,
  percentile,
  platformClients,
  startPlatform,
} from "./platform-driver.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values: args } = parseArgs({
  options: { payments: { type: "string" }, seconds: { type: "string" }, buyers: { type: "string" } },
});
const PAYMENTS = Number(args.payments ?? 10_000_000);
const SECONDS = Number(args.seconds ?? 20);
const BUYERS = Number(args.buyers ?? 4);
const WARM_UP_SECONDS = 5;
const GAUGE_READS = 21;
const FULL_COUNTS = 5;
/** PostgreSQL flushes a backend's statistics at most once a second, and when it goes idle. */
const STATS_FLUSH_MS = 1_500;

interface Side {
  createMs: number[];
  errors: number;
  buffersPerCheckout: number;
  rowsReadPerCheckout: number;
  platformCpuPerCheckout: number;
  postgresCpuPerCheckout: number;
  scrapeMs: number;
  countByStatusMs: number;
  fullCountMs: number;
}

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`;

async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[runs >> 1]!;
}

/** Buffers touched (hit or read) and rows read (by scans and index fetches) in the payment schema so far. */
async function paymentSchemaWork(db: Db): Promise<{ buffers: number; rows: number }> {
  await sleep(STATS_FLUSH_MS);
  const { rows } = await db.raw(
    `select (select sum(heap_blks_hit + heap_blks_read + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0))
             from pg_statio_user_tables where schemaname = ?)::float8 as buffers,
            (select sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))
             from pg_stat_user_tables where schemaname = ?)::float8 as rows`,
    [PAYMENT_SCHEMA, PAYMENT_SCHEMA],
  );
  return { buffers: rows[0].buffers, rows: rows[0].rows };
}

/** CPU ms so far of each backend on the bench database (a backend that ends meanwhile takes its share with it). */
async function backendCpuMs(db: Db): Promise<Map<number, number>> {
  const { rows } = await db.raw("select pid from pg_stat_activity where datname = current_database()");
  return new Map(rows.map((r: { pid: number }) => [r.pid, cpuMsOf([r.pid]) ?? Number.NaN]));
}

const cpuSince = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

/** BUYERS buyers checking out in closed loops for `seconds`; CreatePayment's times. */
async function checkouts(
  payments: Client<typeof PaymentService>,
  watch: LedgerWatch,
  seconds: number,
  counter: { n: number },
): Promise<{ createMs: number[]; errors: number }> {
  const createMs: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: BUYERS }, async () => {
      while (Date.now() < until)
        await checkout(payments, watch, counter.n++).then(
          (c) => void createMs.push(c.createMs),
          () => void errors++,
        );
    }),
  );
  return { createMs, errors };
}

async function measureSide(
  platformPid: number,
  db: Db,
  store: PaymentStore,
  scrapeUrl: string,
  payments: Client<typeof PaymentService>,
  watch: LedgerWatch,
  counter: { n: number },
): Promise<Side> {
  await checkouts(payments, watch, WARM_UP_SECONDS, counter);
  const before = await paymentSchemaWork(db);
  const [platformBefore, backendsBefore] = [cpuMsOf([platformPid]) ?? Number.NaN, await backendCpuMs(db)];
  const { createMs, errors } = await checkouts(payments, watch, SECONDS, counter);
  const [platformAfter, backendsAfter] = [cpuMsOf([platformPid]) ?? Number.NaN, await backendCpuMs(db)];
  const after = await paymentSchemaWork(db);
  const done = createMs.length;
  return {
    createMs: createMs.sort((a, b) => a - b),
    errors,
    buffersPerCheckout: (after.buffers - before.buffers) / done,
    rowsReadPerCheckout: (after.rows - before.rows) / done,
    platformCpuPerCheckout: (platformAfter - platformBefore) / done,
    postgresCpuPerCheckout: cpuSince(backendsBefore, backendsAfter) / done,
    scrapeMs: await medianMs(GAUGE_READS, async () => (await fetch(scrapeUrl)).text()),
    countByStatusMs: await medianMs(GAUGE_READS, () => store.countByStatus()),
    fullCountMs: await medianMs(FULL_COUNTS, () =>
      db.raw("select checkout_status, count(*) from payments group by checkout_status"),
    ),
  };
}

function sideBySide(empty: Side, full: Side): string {
  const rows: [string, (s: Side) => number, (v: number) => string][] = [
    ["CreatePayment p50", (s) => percentile(s.createMs, 0.5), ms],
    ["CreatePayment p99", (s) => percentile(s.createMs, 0.99), ms],
    ["platform CPU a checkout", (s) => s.platformCpuPerCheckout, (v) => `${v.toFixed(1)} ms`],
    ["PostgreSQL CPU a checkout", (s) => s.postgresCpuPerCheckout, (v) => `${v.toFixed(1)} ms`],
    ["payment schema buffers a checkout", (s) => s.buffersPerCheckout, (v) => v.toFixed(0)],
    ["payment schema rows read a checkout", (s) => s.rowsReadPerCheckout, (v) => v.toFixed(0)],
    ["payments{status} scrape", (s) => s.scrapeMs, (v) => `${v.toFixed(2)} ms`],
    ["countByStatus", (s) => s.countByStatusMs, (v) => `${v.toFixed(2)} ms`],
    ["counting every payment (before 016)", (s) => s.fullCountMs, (v) => `${v.toFixed(1)} ms`],
  ];
  const head = `${"".padEnd(38)}${"empty".padStart(12)}${`${PAYMENTS.toLocaleString("en")} payments`.padStart(22)}   ratio`;
  return [
    head,
    ...rows.map(
      ([name, of, fmt]) =>
        `${name.padEnd(38)}${fmt(of(empty)).padStart(12)}${fmt(of(full)).padStart(22)}   ${(of(full) / of(empty)).toFixed(2)}`,
    ),
    `checkouts measured: ${empty.createMs.length} and ${full.createMs.length} (errors ${empty.errors} and ${full.errors}), ${BUYERS} buyers for ${SECONDS} s each`,
  ].join("\n");
}

async function run(url: string, origin: string, env: NodeJS.ProcessEnv): Promise<void> {
  const platform = await startPlatform(env);
  const { payments, ledger } = platformClients(platform, env);
  // Nothing here waits for the ledger: checkout() notes each payment in the watch, which is not polling.
  const watch = new LedgerWatch(ledger);
  await watch.stop();
  // A superuser's pool in the payment schema: the history is loaded with triggers off.
  const db = createDb(url, PAYMENT_SCHEMA);
  const store = new PaymentStore(db, encodePaymentEvent, paymentEventSubject);
  const registry = new Registry();
  registerPaymentsGauge(registry, store);
  const metrics = await startMetricsServer(
    registry,
    { host: "127.0.0.1", health: async () => true },
    createLogger("history-bench"),
  );
  const counter = { n: 0 };
  try {
    console.log(`PostgreSQL (${origin}); platform up (payment ${platform.paymentUrl}); ${load()}`);
    const empty = await measureSide(platform.child.pid!, db, store, metrics.url, payments, watch, counter);
    console.log(`empty database measured; ${load()}`);
    const started = performance.now();
    const seeded = await seedHistory(db, PAYMENTS);
    const seedSeconds = (performance.now() - started) / 1000 - seeded.vacuumSeconds;
    console.log(
      `loaded ${PAYMENTS.toLocaleString("en")} payments over ${HISTORY_DAYS} days in ${seedSeconds.toFixed(0)} s (${seeded.tables.map(([t, s]) => `${t} ${s.toFixed(0)} s`).join(", ")}), vacuum analyze ${seeded.vacuumSeconds.toFixed(0)} s; ${load()}`,
    );
    const { rows: sizes } = await db.raw(
      "select pg_size_pretty(sum(pg_total_relation_size(c.oid))) as size from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relkind = 'r'",
      [PAYMENT_SCHEMA],
    );
    console.log(`payment schema: ${sizes[0].size} with its indexes`);
    const full = await measureSide(platform.child.pid!, db, store, metrics.url, payments, watch, counter);
    console.log(`history measured; ${load()}\n`);
    console.log(sideBySide(empty, full));
    console.log(`\nCreatePayment's statements over ${PAYMENTS.toLocaleString("en")} payments:`);
    for (const { sql, nodes } of await createPaymentPlans(db, store, url, PAYMENT_SCHEMA))
      console.log(`  ${sql.slice(0, 90)}${sql.length > 90 ? "..." : ""}\n      ${nodes.join(" / ")}`);
  } finally {
    await metrics.close();
    await db.destroy();
    platform.child.kill("SIGTERM");
    await new Promise((resolve) => platform.child.once("exit", resolve));
  }
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...benchPlatformEnv(randomBytes(5).toString("hex"), "history-bench"),
    // Once, at start: the ledger's stall check reads the last day's settled payments, which the loaded history has
    // (without their ledger entries, so that it would list them all as stalled) but the live load mostly has not.
    STALL_CHECK_INTERVAL_MS: String(86_400_000),
  };
  try {
    await withTemporaryDatabase("history_bench", async (url, _admin, origin) => {
      env.DATABASE_URL = url;
      await run(url, origin, env);
    });
  } finally {
    rmSync(env.PKI_DIR!, { recursive: true, force: true });
  }
}

await main();
