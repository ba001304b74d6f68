/**
 * End-to-end checkout throughput and latency, through the whole platform as `npm start` runs it (started here as a
 * child process, on a temporary database of DATABASE_URL's server or an embedded PostgreSQL, with streams of its
 * own): gRPC CreatePayment -> risk -> PSP simulator -> hosted page submitted -> signed webhook -> outbox -> JetStream
 * -> ledger and wallet. Not a test:
 *
 *   npm run bench:checkout [-- --levels 10,50,100 --seconds 15 --rate 100]
 *
 * For each concurrency level, that many buyers check out in closed loops (each one: CreatePayment, then the hosted
 * page, then the next). A payment counts when the ledger has posted its pay-in (polled every 10 ms with
 * LookupTransactions). Then buyers arrive at a fixed rate (--rate per second) for the CreatePayment latency aim.
 * Prints payments per second, p50/p95/p99 of CreatePayment and of create-to-ledger-posted, and CheckInvariants.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type Client } from "@connectrpc/connect";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { devPkiFiles } from "../../services/lib/tls/dev-ca.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import { tlsMaterialFromEnv } from "../../services/lib/tls/tls-material.js";
import pg from "pg";
import { LedgerService } from "../../gen/ledger/v1/ledger_pb.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { dropServiceRolesSql } from "../../services/lib/service-db.js";
import { payOnHostedPage, TEST_CARDS } from "../buyer.js";

const AIM_PAYMENTS_PER_SECOND = 300;
const AIM_CREATE_P99_MS = 50;
const SELLERS = 50;
const CALL_TIMEOUT_MS = 30_000;

const { values: args } = parseArgs({ options: { levels: { type: "string" }, seconds: { type: "string" }, rate: { type: "string" } } });
const LEVELS = (args.levels ?? "10,50,100").split(",").map(Number);
const SECONDS = Number(args.seconds ?? 15);
const RATE = Number(args.rate ?? 100);
let platformPid: number | undefined;

interface Platform {
  paymentUrl: string;
  ledgerUrl: string;
  child: ChildProcess;
}

/** `npm start`'s own script, on free ports, until it says it is up. */
async function startPlatform(env: NodeJS.ProcessEnv): Promise<Platform> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("../platform.ts", import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const service = /^(Payment|Ledger) service\s+(\S+)/.exec(line);
    if (service) urls[service[1]!] = service[2]!;
    if (line.startsWith("The platform is up")) return { paymentUrl: urls.Payment!, ledgerUrl: urls.Ledger!, child };
    if (line.startsWith("Demo checkout did not succeed")) break;
  }
  child.kill("SIGTERM");
  throw new Error("the platform did not come up (see its output above)");
}

const percentile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
const ms = (v: number) => (Number.isNaN(v) ? "-" : `${v.toFixed(1)} ms`);

/** Watches the ledger for the pay-ins of created payments, and notes when each was first seen posted. */
class LedgerWatch {
  private readonly waiting = new Map<string, number>();
  readonly createToPosted: number[] = [];
  posted = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly ledger: Client<typeof LedgerService>) {
    this.loop = this.poll();
  }

  expect(paymentId: string, createdAt: number): void {
    this.waiting.set(`payin:${paymentId}`, createdAt);
  }

  get outstanding(): number {
    return this.waiting.size;
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const ids = [...this.waiting.keys()].slice(0, 1000);
      if (ids.length > 0) {
        const { transactions } = await this.ledger.lookupTransactions({ transactionIds: ids, readMask: { paths: ["posted_at"] } });
        const now = performance.now();
        for (const { transactionId } of transactions) {
          this.createToPosted.push(now - this.waiting.get(transactionId)!);
          this.waiting.delete(transactionId);
          this.posted++;
        }
      }
      await sleep(10);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.waiting.size > 0 && Date.now() < deadline) await sleep(50);
  }

  reset(): void {
    this.createToPosted.length = 0;
    this.posted = 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

interface DatabaseWork {
  transactions: number;
  rowsWritten: number;
}

interface Checkout {
  createMs: number;
}

/** One buyer's checkout: CreatePayment over gRPC, then the hosted page with the success card. */
async function checkout(payments: Client<typeof PaymentService>, watch: LedgerWatch, n: number): Promise<Checkout> {
  const tag = `${randomBytes(4).toString("hex")}-${n}`;
  const started = performance.now();
  const { payment } = await payments.createPayment({
    checkoutId: `bench-${tag}`,
    buyerId: `bench-buyer-${tag}`,
    buyerCountry: "US",
    returnUrl: "https://shop.example/orders/bench",
    orders: [
      { orderId: "order-1", sellerId: `bench-seller-${n % SELLERS}`, amount: { amountMinor: 2_599n, currency: "USD" } },
      { orderId: "order-2", sellerId: `bench-seller-${(n + 1) % SELLERS}`, amount: { amountMinor: 4_000n, currency: "USD" } },
    ],
  });
  const createMs = performance.now() - started;
  watch.expect(payment!.paymentId, started);
  const page = await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  if (page.status !== "succeeded") throw new Error(`the hosted page said ${page.status} for ${payment!.paymentId}`);
  return { createMs };
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
  return { machine: busy * TICK_MS, platform: processTreeTicks(platformPid) * TICK_MS, driver: (driver.user + driver.system) / 1000 };
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
  return before && now && { machine: now.machine - before.machine, platform: now.platform - before.platform, driver: now.driver - before.driver };
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
async function closedLoop(payments: Client<typeof PaymentService>, watch: LedgerWatch, concurrency: number, counter: { n: number }): Promise<Phase> {
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
  return { name: `${concurrency} buyers`, seconds, cpu, createMs, posted: watch.posted, createToPosted: [...watch.createToPosted], errors };
}

/** Buyers arriving at `rate` per second for SECONDS, whatever the platform's pace (open loop). */
async function fixedRate(payments: Client<typeof PaymentService>, watch: LedgerWatch, rate: number, counter: { n: number }): Promise<Phase> {
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
  return { name: `${rate}/s arriving`, seconds, cpu, createMs, posted: watch.posted, createToPosted: [...watch.createToPosted], errors };
}

async function main(): Promise<void> {
  const tag = randomBytes(5).toString("hex");
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: "warn",
    EVENTS_STREAM: `BENCH_${tag.toUpperCase()}_EVENTS`,
    EVENTS_SUBJECT_PREFIX: `bench${tag}`,
    PAYMENT_PORT: "0",
    PAYMENT_HTTP_PORT: "0",
    RISK_PORT: "0",
    LEDGER_PORT: "0",
    WALLET_PORT: "0",
    RECONCILIATION_PORT: "0",
    PSP_PORT: "0",
    PAYMENT_METRICS_PORT: "0",
    RISK_METRICS_PORT: "0",
    LEDGER_METRICS_PORT: "0",
    WALLET_METRICS_PORT: "0",
    RECONCILIATION_METRICS_PORT: "0",
    RECONCILIATION_SCHEDULE_INTERVAL_MS: "0",
    PKI_DIR: mkdtempSync(join(tmpdir(), "checkout-bench-pki-")),
  };
  let dropDatabase = async () => {};
  let databaseWork = async (): Promise<DatabaseWork | undefined> => undefined;
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client(process.env.DATABASE_URL);
    await admin.connect();
    const name = `checkout_bench_${tag}`;
    await admin.query(`create database ${name}`);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    databaseWork = async () => {
      const { rows } = await admin.query("select xact_commit + xact_rollback as xacts, tup_inserted + tup_updated + tup_deleted as writes from pg_stat_database where datname = $1", [name]);
      return { transactions: Number(rows[0].xacts), rowsWritten: Number(rows[0].writes) };
    };
    dropDatabase = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(dropServiceRolesSql(name));
      await admin.end();
    };
  }
  const platform = await startPlatform(env);
  platformPid = platform.child.pid;
  const as = (identity: Identity) => tlsMaterialFromEnv(devPkiFiles(env.PKI_DIR!, identity));
  const payments = createClient(PaymentService, grpcTransport(platform.paymentUrl, as("marketplace"), { server: "payment", timeoutMs: CALL_TIMEOUT_MS }));
  const ledger = createClient(LedgerService, grpcTransport(platform.ledgerUrl, as("operator-tools"), { server: "ledger", timeoutMs: CALL_TIMEOUT_MS }));
  const watch = new LedgerWatch(ledger);
  const counter = { n: 0 };
  try {
    console.log(`platform up (payment ${platform.paymentUrl}); ${SECONDS} s per phase\n`);
    const workBefore = await databaseWork();
    const checkoutsBefore = counter.n;
    await closedLoop(payments, watch, Math.min(10, LEVELS[0] ?? 10), counter); // warm-up, not reported
    for (const level of LEVELS) console.log(report(await closedLoop(payments, watch, level, counter)));
    const arriving = await fixedRate(payments, watch, RATE, counter);
    console.log(report(arriving));
    const createP99 = percentile([...arriving.createMs].sort((a, b) => a - b), 0.99);
    console.log(`\nCreatePayment p99 at ${RATE}/s: ${ms(createP99)} (aim < ${AIM_CREATE_P99_MS} ms: ${(createP99 / AIM_CREATE_P99_MS).toFixed(2)} of it)`);
    const workAfter = await databaseWork();
    if (workBefore && workAfter) {
      const checkouts = counter.n - checkoutsBefore;
      const per = (a: number, b: number) => ((a - b) / checkouts).toFixed(1);
      console.log(`PostgreSQL per checkout: ${per(workAfter.transactions, workBefore.transactions)} transactions, ${per(workAfter.rowsWritten, workBefore.rowsWritten)} rows written`);
    }
    // The wallet and the ledger each take the events at their own pace: check once both have caught up.
    let { violations } = await ledger.checkInvariants({});
    for (let tries = 0; violations.length > 0 && tries < 30; tries++) {
      await sleep(1_000);
      ({ violations } = await ledger.checkInvariants({}));
    }
    console.log(`CheckInvariants: ${violations.length === 0 ? "clean" : `${violations.length} violation(s)`}; ${counter.n} checkouts, ${watch.outstanding} pay-in(s) not posted`);
    for (const v of violations) console.log(`  ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`);
    if (violations.length > 0 || watch.outstanding > 0) process.exitCode = 1;
  } finally {
    await watch.stop();
    platform.child.kill("SIGTERM");
    await new Promise((resolve) => platform.child.once("exit", resolve));
    await dropDatabase();
    rmSync(env.PKI_DIR!, { recursive: true, force: true });
  }
}

await main();
