/**
 * Bounded growth: the tables that grow with every payment (the payment outbox and webhook log, the ledger's and the
 * wallet's inbox) level off once the retention sweeper runs, and checkouts stay as fast meanwhile. Not a test:
 *
 *   npm run bench:soak [-- --payments 1000000 --rate 20 --seconds 300 --interval 15]
 *
 * Starts the whole platform as `npm start` does on a temporary database (DATABASE_URL's server, or an embedded
 * PostgreSQL), then:
 * 1. warm-up: buyers arrive at --rate a second for 15 s through the real path (as scripts/bench/checkout-bench.ts),
 *    which gives the rows each table gains per payment;
 * 2. seeds, by bulk SQL (generate_series), the rows of --payments earlier payments: all older than their table's
 *    retention (a platform upgraded to the sweeper after a long history without one: the worst case), except a
 *    band that comes of age during the run at the live rate, so that the steady state (rows in = rows out) shows
 *    within minutes instead of after a whole retention period;
 * 3. buyers arrive at --rate a second for --seconds; every --interval it prints each table's rows and
 *    pg_total_relation_size, and the checkouts' latency in that interval. The services sweep every minute.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import {
  DEFAULT_INBOX_RETENTION_DAYS,
  DEFAULT_OUTBOX_RETENTION_DAYS,
} from "../../services/lib/events/event-retention.js";
import { DEFAULT_WEBHOOK_LOG_RETENTION_DAYS } from "../../services/payment/store/timeline-store.js";
import {
  benchPlatformEnv,
  checkout,
  LedgerWatch,
  percentile,
  platformClients,
  startPlatform,
} from "./platform-driver.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values: args } = parseArgs({
  options: {
    payments: { type: "string" },
    rate: { type: "string" },
    seconds: { type: "string" },
    interval: { type: "string" },
  },
});
const PAYMENTS = Number(args.payments ?? 1_000_000);
const RATE = Number(args.rate ?? 20);
const SECONDS = Number(args.seconds ?? 300);
const INTERVAL_S = Number(args.interval ?? 15);
const WARM_UP_S = 15;
const SEED_CHUNK = 250_000;
const DAY_S = 86_400;

/** A table that grows with every payment, and the SQL of one seeded row (`$i`: its number, `$at`: its time). */
interface Grower {
  label: string;
  table: string;
  keepDays: number;
  columns: string;
  row: (i: string, at: string, payloadBytes: number) => string;
}

const GROWERS: Grower[] = [
  {
    label: "payment outbox",
    table: "payment.outbox",
    keepDays: DEFAULT_OUTBOX_RETENTION_DAYS,
    columns: "event_id, payment_id, subject, payload, created_at, published_at",
    row: (i, at, bytes) =>
      `'evt_seed' || ${i}, 'pay_seed' || ${i}, 'seed.payment.succeeded', repeat('x', ${bytes})::bytea, ${at}, ${at}`,
  },
  {
    label: "webhook log",
    table: "payment.webhook_deliveries",
    keepDays: DEFAULT_WEBHOOK_LOG_RETENTION_DAYS,
    columns: "event_id, type, psp_payment_id, outcome, received_at",
    row: (i, at) => `'evt_seed' || ${i}, 'payment.succeeded', 'pi_seed' || ${i}, 'applied', ${at}`,
  },
  {
    label: "ledger inbox",
    table: "ledger.inbox",
    keepDays: DEFAULT_INBOX_RETENTION_DAYS,
    columns: "event_id, received_at",
    row: (i, at) => `'evt_seed' || ${i}, ${at}`,
  },
  {
    label: "wallet inbox",
    table: "wallet.inbox",
    keepDays: DEFAULT_INBOX_RETENTION_DAYS,
    columns: "event_id, received_at",
    row: (i, at) => `'evt_seed' || ${i}, ${at}`,
  },
];

interface Size {
  rows: number;
  bytes: number;
}

async function sizes(db: pg.Client): Promise<Size[]> {
  const all: Size[] = [];
  for (const { table } of GROWERS) {
    const { rows } = await db.query(
      `select count(*)::bigint as rows, pg_total_relation_size($1) as bytes from ${table}`,
      [table],
    );
    all.push({ rows: Number(rows[0].rows), bytes: Number(rows[0].bytes) });
  }
  return all;
}

/**
 * `count` rows into `grower`'s table, their times spread evenly from `fromS` to `toS` seconds ago, numbered from
 * `first` so that ids never collide.
 */
async function seed(
  db: pg.Client,
  grower: Grower,
  first: number,
  count: number,
  fromS: number,
  toS: number,
  payloadBytes: number,
): Promise<void> {
  for (let done = 0; done < count; done += SEED_CHUNK) {
    const n = Math.min(SEED_CHUNK, count - done);
    const at = `now() - make_interval(secs => ${fromS} - ${(fromS - toS) / Math.max(1, count)}::float8 * (i - ${first}))`;
    await db.query(
      `insert into ${grower.table} (${grower.columns}) select ${grower.row("i", at, payloadBytes)} from generate_series(${first + done}, ${first + done + n - 1}) i`,
    );
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const thousands = (n: number) => n.toLocaleString("en-US");

/** PAYMENTS payments' rows older than retention, and a band that comes of age during the run at the live rate. */
async function seedHistory(db: pg.Client, perPayment: number[], payloadBytes: number): Promise<void> {
  const seeding = performance.now();
  for (const [i, grower] of GROWERS.entries()) {
    const keepS = grower.keepDays * DAY_S;
    const old = Math.round(PAYMENTS * perPayment[i]!);
    const band = Math.round(RATE * SECONDS * perPayment[i]!);
    await seed(db, grower, 0, old, keepS + 30 * DAY_S, keepS + 3_600, payloadBytes);
    await seed(db, grower, old, band, keepS, keepS - SECONDS, payloadBytes);
  }
  await db.query(`analyze ${GROWERS.map((g) => g.table).join(", ")}`);
  console.log(
    `seeded ${thousands(PAYMENTS)} payments' rows in ${((performance.now() - seeding) / 1000).toFixed(0)} s (older than retention: ${GROWERS.map((g) => `${g.label} ${g.keepDays} d`).join(", ")})\n`,
  );
}

async function main(): Promise<void> {
  await withTemporaryDatabase("soak_bench", async (url) => {
    const tag = randomBytes(5).toString("hex");
    const env: NodeJS.ProcessEnv = { ...benchPlatformEnv(tag, "soak-bench"), DATABASE_URL: url };
    const platform = await startPlatform(env);
    const { payments, ledger } = platformClients(platform, env);
    const watch = new LedgerWatch(ledger);
    const db = new pg.Client(url);
    await db.connect();
    const counter = { n: 0 };
    const createMs: number[] = [];
    let errors = 0;
    /** Buyers arriving at RATE a second for `seconds`; `tick` after every INTERVAL_S. */
    const arrive = async (seconds: number, tick?: (elapsedS: number) => Promise<void>) => {
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      let nextTick = INTERVAL_S;
      for (let i = 0; i < RATE * seconds; i++) {
        const wait = started + (i * 1000) / RATE - performance.now();
        if (wait > 0) await sleep(wait);
        inFlight.push(
          checkout(payments, watch, counter.n++).then(
            (c) => void createMs.push(c.createMs),
            () => void errors++,
          ),
        );
        if (tick && (performance.now() - started) / 1000 >= nextTick) {
          await tick(nextTick);
          nextTick += INTERVAL_S;
        }
      }
      await Promise.all(inFlight);
      await watch.drain(30_000);
      if (tick) await tick(Math.round((performance.now() - started) / 1000));
    };
    try {
      console.log(`platform up; warm-up: ${RATE} checkouts a second for ${WARM_UP_S} s`);
      const before = await sizes(db);
      await arrive(WARM_UP_S);
      const after = await sizes(db);
      const perPayment = GROWERS.map((_, i) => (after[i]!.rows - before[i]!.rows) / watch.posted);
      const { rows } = await db.query("select coalesce(avg(length(payload)), 100)::int as bytes from payment.outbox");
      const payloadBytes: number = rows[0].bytes;
      console.log(
        `rows a payment: ${GROWERS.map((g, i) => `${g.label} ${perPayment[i]!.toFixed(2)}`).join(", ")}; outbox payload ${payloadBytes} bytes`,
      );

      await seedHistory(db, perPayment, payloadBytes);

      const header = [
        "t (s)",
        "payments/s",
        "create p50/p99 ms",
        "create->ledger p50/p99 ms",
        ...GROWERS.map((g) => `${g.label} rows, size`),
      ];
      console.log(`| ${header.join(" | ")} |\n|${header.map(() => " --- |").join("")}`);
      let lastS = 0;
      const line = async (elapsedS: number) => {
        const create = createMs.splice(0).sort((a, b) => a - b);
        const e2e = [...watch.createToPosted].sort((a, b) => a - b);
        const perSecond = watch.posted / Math.max(1, elapsedS - lastS);
        watch.reset();
        lastS = elapsedS;
        const now = await sizes(db);
        const p = (sorted: number[]) =>
          sorted.length === 0 ? "-" : `${percentile(sorted, 0.5).toFixed(0)} / ${percentile(sorted, 0.99).toFixed(0)}`;
        console.log(
          `| ${[elapsedS, perSecond.toFixed(0), p(create), p(e2e), ...now.map((s) => `${thousands(s.rows)}, ${mb(s.bytes)}`)].join(" | ")} |`,
        );
      };
      createMs.length = 0;
      watch.reset();
      await line(0);
      await arrive(SECONDS, line);
      const { violations } = await ledger.checkInvariants({});
      console.log(
        `\n${counter.n} live checkouts, ${errors} errors, ${watch.outstanding} pay-in(s) not posted; CheckInvariants: ${violations.length === 0 ? "clean" : `${violations.length} violation(s)`}`,
      );
      if (violations.length > 0 || errors > 0) process.exitCode = 1;
    } finally {
      await watch.stop();
      await db.end();
      platform.child.kill("SIGTERM");
      await new Promise((resolve) => platform.child.once("exit", resolve));
      rmSync(env.PKI_DIR!, { recursive: true, force: true });
    }
  });
}

await main();
