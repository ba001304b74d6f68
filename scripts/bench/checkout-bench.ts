/**
 * End-to-end checkout throughput and latency, through the whole platform as `npm start` runs it (started here as a
 * child process, on a temporary database of DATABASE_URL's server or an embedded PostgreSQL, with streams of its
 * own): gRPC CreatePayment -> risk -> PSP simulator -> hosted page submitted -> signed webhook -> outbox -> JetStream
 * -> ledger and wallet. Not a test:
 *
 *   npm run bench:checkout [-- --levels 10,50,100 --seconds 15 --rate 100]
 *
 * For each concurrency level, that many buyers check out in closed loops (each one: CreatePayment, then the hosted
 * page, then the next). A payment counts when the ledger has posted its pay-in (polled every 100 ms with
 * LookupTransactions; create-to-posted is taken from the pay-in's posted_at, not from when the poll saw it). Then buyers arrive at a fixed rate (--rate per second) for the CreatePayment latency aim.
 * Prints payments per second, p50/p95/p99 of CreatePayment and of create-to-ledger-posted, and CheckInvariants.
 * Per phase, what a checkout cost PostgreSQL: transactions and round trips (statements, BEGIN and COMMIT included)
 * per service and per kind of work, as the services count them (db_*_total on their metrics endpoints), without this
 * driver's own ledger lookups; and pg_stat_database's count of transactions beside it.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@connectrpc/connect";
import type pg from "pg";
import type { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import {
  benchPlatformEnv,
  checkout,
  type DbTraffic,
  LedgerWatch,
  ms,
  percentile,
  platformClients,
  scrapeDbTraffic,
  startPlatform,
} from "./platform-driver.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const AIM_PAYMENTS_PER_SECOND = 300;
const AIM_CREATE_P99_MS = 50;

const { values: args } = parseArgs({
  options: { levels: { type: "string" }, seconds: { type: "string" }, rate: { type: "string" } },
});
const LEVELS = (args.levels ?? "10,50,100").split(",").map(Number);
const SECONDS = Number(args.seconds ?? 15);
const RATE = Number(args.rate ?? 100);
let platformPid: number | undefined;

interface DatabaseWork {
  transactions: number;
  rowsWritten: number;
}

/** CPU time spent so far, in ms: by the whole machine, by the platform's process, and by this driver (Linux only). */
interface CpuSample {
  machine: number;
  platform: number;
  driver: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuSample(platformPid: number | undefined): CpuSample | undefined {
  if (!existsSync("/proc/stat") || platformPid === undefined) return undefined;
  const [, ...machine] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  const busy = machine.reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0); // all but idle and iowait
  const driver = process.cpuUsage();
  return {
    machine: busy * TICK_MS,
    platform: processTreeTicks(platformPid) * TICK_MS,
    driver: (driver.user + driver.system) / 1000,
  };
}

/** CPU ticks of a process and its children (npm start runs each service as a child). */
function processTreeTicks(pid: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    // The fields after the command name, which is in parentheses: ppid is the 2nd, utime and stime the 12th and 13th.
    const fields = (readFileSafe(`/proc/${entry}/stat`)?.split(") ")[1] ?? "").split(" ").map(Number);
    if (Number(entry) === pid || fields[1] === pid) ticks += (fields[11] ?? 0) + (fields[12] ?? 0);
  }
  return ticks;
}

const readFileSafe = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process ended meanwhile
  }
};

const cpuSince = (before: CpuSample | undefined, pid: number | undefined): CpuSample | undefined => {
  const now = cpuSample(pid);
  return (
    before &&
    now && {
      machine: now.machine - before.machine,
      platform: now.platform - before.platform,
      driver: now.driver - before.driver,
    }
  );
};

interface Phase {
  name: string;
  seconds: number;
  cpu?: CpuSample;
  createMs: number[];
  posted: number;
  createToPosted: number[];
  errors: number;
}

function report(phase: Phase): string {
  const create = [...phase.createMs].sort((a, b) => a - b);
  const e2e = [...phase.createToPosted].sort((a, b) => a - b);
  const perSecond = phase.posted / phase.seconds;
  const perPayment = (ms: number) => (ms / phase.posted).toFixed(1);
  const share = (ms: number) => `${((ms / 1000 / phase.seconds) * 100).toFixed(0)}%`;
  const { cpu } = phase;
  const cpuLine =
    cpu === undefined || phase.posted === 0
      ? []
      : [
          `  CPU a payment         ${perPayment(cpu.machine)} ms in all (${share(cpu.machine)} of a CPU, of ${cpus().length}): platform's processes ${perPayment(cpu.platform)} ms (${share(cpu.platform)} of a CPU), ` +
            `this driver ${perPayment(cpu.driver)} ms, PostgreSQL, NATS and the rest ${perPayment(cpu.machine - cpu.platform - cpu.driver)} ms`,
        ];
  return [
    `${phase.name.padEnd(16)} ${perSecond.toFixed(0).padStart(5)} payments/s (aim ${AIM_PAYMENTS_PER_SECOND}: ${(perSecond / AIM_PAYMENTS_PER_SECOND).toFixed(2)} x)`,
    `  CreatePayment         p50 ${ms(percentile(create, 0.5))}  p95 ${ms(percentile(create, 0.95))}  p99 ${ms(percentile(create, 0.99))}  (${create.length} calls, ${phase.errors} errors)`,
    `  create -> ledger      p50 ${ms(percentile(e2e, 0.5))}  p95 ${ms(percentile(e2e, 0.95))}  p99 ${ms(percentile(e2e, 0.99))}`,
    ...cpuLine,
  ].join("\n");
}

/** `concurrency` buyers in closed loops for SECONDS; then waits for the ledger to catch up. */
async function closedLoop(
  payments: Client<typeof PaymentService>,
  watch: LedgerWatch,
  concurrency: number,
  counter: { n: number },
): Promise<Phase> {
  watch.reset();
  const createMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const cpuBefore = cpuSample(platformPid);
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await checkout(payments, watch, counter.n++).then(
          (c) => createMs.push(c.createMs),
          () => errors++,
        );
      }
    }),
  );
  await watch.drain(30_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(cpuBefore, platformPid);
  return {
    name: `${concurrency} buyers`,
    seconds,
    cpu,
    createMs,
    posted: watch.posted,
    createToPosted: [...watch.createToPosted],
    errors,
  };
}

/** Buyers arriving at `rate` per second for SECONDS, whatever the platform's pace (open loop). */
async function fixedRate(
  payments: Client<typeof PaymentService>,
  watch: LedgerWatch,
  rate: number,
  counter: { n: number },
): Promise<Phase> {
  watch.reset();
  const createMs: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const cpuBefore = cpuSample(platformPid);
  for (let i = 0; i < rate * SECONDS; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      checkout(payments, watch, counter.n++).then(
        (c) => void createMs.push(c.createMs),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  await watch.drain(30_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(cpuBefore, platformPid);
  return {
    name: `${rate}/s arriving`,
    seconds,
    cpu,
    createMs,
    posted: watch.posted,
    createToPosted: [...watch.createToPosted],
    errors,
  };
}

/** PostgreSQL's count of the bench database's transactions and rows written so far. */
async function databaseWork(admin: pg.Client, databaseUrl: string): Promise<DatabaseWork> {
  const { rows } = await admin.query(
    "select xact_commit + xact_rollback as xacts, tup_inserted + tup_updated + tup_deleted as writes from pg_stat_database where datname = $1",
    [new URL(databaseUrl).pathname.slice(1)],
  );
  return { transactions: Number(rows[0].xacts), rowsWritten: Number(rows[0].writes) };
}

/** The platform on the bench's own database, driven through every phase; the database goes whatever happens. */
async function main(): Promise<void> {
  const tag = randomBytes(5).toString("hex");
  const env = benchPlatformEnv(tag, "checkout-bench");
  try {
    await withTemporaryDatabase("checkout_bench", async (url, admin) => {
      env.DATABASE_URL = url;
      await runPhases(env, () => databaseWork(admin, url));
    });
  } finally {
    rmSync(env.PKI_DIR!, { recursive: true, force: true });
  }
}

/** This driver's own calls (its ledger polling, CheckInvariants): not a checkout's cost. */
const DRIVER_WORK = new Set(["ledger/LookupTransactions", "ledger/CheckInvariants"]);

type TrafficByService = Map<string, Map<string, DbTraffic>>;

/** A checkout's database traffic between two scrapes: per service (its works, biggest first), and in all. */
function trafficReport(
  before: TrafficByService,
  after: TrafficByService,
  checkouts: number,
  pgTransactions: number,
): string {
  const per = (n: number) => (n / checkouts).toFixed(1);
  const total = { statements: 0, transactions: 0 };
  const lines: string[] = [];
  let driverTransactions = 0;
  for (const [service, works] of after) {
    const rows: [string, DbTraffic][] = [];
    for (const [work, now] of works) {
      const was = before.get(service)?.get(work) ?? { statements: 0, transactions: 0 };
      const delta = { statements: now.statements - was.statements, transactions: now.transactions - was.transactions };
      if (delta.statements === 0) continue;
      if (DRIVER_WORK.has(`${service}/${work}`)) {
        driverTransactions += delta.transactions;
        continue;
      }
      rows.push([work, delta]);
    }
    if (rows.length === 0) continue;
    rows.sort(([, a], [, b]) => b.statements - a.statements);
    const sum = rows.reduce(
      (s, [, d]) => ({ statements: s.statements + d.statements, transactions: s.transactions + d.transactions }),
      {
        statements: 0,
        transactions: 0,
      },
    );
    total.statements += sum.statements;
    total.transactions += sum.transactions;
    const breakdown = rows.map(([work, d]) => `${work} ${per(d.transactions)}/${per(d.statements)}`).join(", ");
    lines.push(
      `    ${service.padEnd(15)} ${per(sum.transactions).padStart(5)} tx ${per(sum.statements).padStart(5)} round trips  (${breakdown})`,
    );
  }
  return [
    `  PostgreSQL a checkout ${per(total.transactions)} transactions, ${per(total.statements)} round trips (counted by the services; per work: tx/round trips)`,
    ...lines,
    `    pg_stat_database ${per(pgTransactions)} transactions, ${per(pgTransactions - driverTransactions)} without this driver's lookups`,
  ].join("\n");
}

async function runPhases(env: NodeJS.ProcessEnv, work: () => Promise<DatabaseWork>): Promise<void> {
  const platform = await startPlatform(env);
  platformPid = platform.child.pid;
  const { payments, ledger } = platformClients(platform, env);
  const watch = new LedgerWatch(ledger);
  const counter = { n: 0 };
  try {
    console.log(`platform up (payment ${platform.paymentUrl}); ${SECONDS} s per phase\n`);
    const workBefore = await work();
    const checkoutsBefore = counter.n;
    await closedLoop(payments, watch, Math.min(10, LEVELS[0] ?? 10), counter); // warm-up, not reported
    // A phase's report, with what its checkouts cost PostgreSQL.
    const measured = async (run: () => Promise<Phase>): Promise<Phase> => {
      const [trafficBefore, pgBefore, checkoutsBefore] = [
        await scrapeDbTraffic(platform.metricsUrls),
        await work(),
        counter.n,
      ];
      const phase = await run();
      const [trafficAfter, pgAfter] = [await scrapeDbTraffic(platform.metricsUrls), await work()];
      console.log(report(phase));
      console.log(
        trafficReport(
          trafficBefore,
          trafficAfter,
          counter.n - checkoutsBefore,
          pgAfter.transactions - pgBefore.transactions,
        ),
      );
      return phase;
    };
    for (const level of LEVELS) await measured(() => closedLoop(payments, watch, level, counter));
    const arriving = await measured(() => fixedRate(payments, watch, RATE, counter));
    const createP99 = percentile(
      [...arriving.createMs].sort((a, b) => a - b),
      0.99,
    );
    console.log(
      `\nCreatePayment p99 at ${RATE}/s: ${ms(createP99)} (aim < ${AIM_CREATE_P99_MS} ms: ${(createP99 / AIM_CREATE_P99_MS).toFixed(2)} of it)`,
    );
    const workAfter = await work();
    const checkouts = counter.n - checkoutsBefore;
    const per = (a: number, b: number) => ((a - b) / checkouts).toFixed(1);
    console.log(
      `PostgreSQL per checkout: ${per(workAfter.transactions, workBefore.transactions)} transactions, ${per(workAfter.rowsWritten, workBefore.rowsWritten)} rows written`,
    );
    // The wallet and the ledger each take the events at their own pace: check once both have caught up.
    let { violations } = await ledger.checkInvariants({});
    for (let tries = 0; violations.length > 0 && tries < 30; tries++) {
      await sleep(1_000);
      ({ violations } = await ledger.checkInvariants({}));
    }
    console.log(
      `CheckInvariants: ${violations.length === 0 ? "clean" : `${violations.length} violation(s)`}; ${counter.n} checkouts, ${watch.outstanding} pay-in(s) not posted`,
    );
    for (const v of violations)
      console.log(`  ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`);
    if (violations.length > 0 || watch.outstanding > 0) process.exitCode = 1;
  } finally {
    await watch.stop();
    platform.child.kill("SIGTERM");
    await new Promise((resolve) => platform.child.once("exit", resolve));
  }
}

await main();
