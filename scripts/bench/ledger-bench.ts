/**
 * Ledger posting throughput against a raw Postgres baseline, on a temporary database (DATABASE_URL's server, or
 * an embedded PostgreSQL when it is unset) that is dropped at the end.
 *
 *   npx tsx scripts/bench/ledger-bench.ts [--seconds 5] [--workers 16]      (or BENCH_SECONDS, BENCH_WORKERS)
 *
 * (a) baseline: one single-row INSERT per transaction; (b) hot: every posting touches psp_receivable:USD and
 * platform_fee_revenue:USD; (c) spread: every worker posts on accounts of its own. Same driver (knex/pg), same
 * number of workers and pool size; the checkpointer runs every second during (b) and (c), as in the service.
 */
import { parseArgs } from "node:util";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { startCheckpointer } from "../../services/ledger/app/checkpointer.js";
import type { Account } from "../../services/contracts/accounting/accounts.js";
import { platformFeeRevenue, pspReceivable, sellerPayable } from "../../services/contracts/accounting/accounts.js";
import type { Posting } from "../../services/contracts/accounting/postings.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values: args } = parseArgs({ options: { seconds: { type: "string" }, workers: { type: "string" } } });
const SECONDS = Number(args.seconds ?? process.env.BENCH_SECONDS ?? 5);
const WORKERS = Number(args.workers ?? process.env.BENCH_WORKERS ?? 16);
const SELLERS = 1000;
const WARM_UP_MS = 1000;

interface Result {
  name: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `op` in WORKERS concurrent loops for SECONDS (after a warm-up) and measures completed operations. */
async function measure(name: string, op: (worker: number, n: number) => Promise<unknown>): Promise<Result> {
  let counter = 0;
  const loop = async (worker: number, until: number, latencies?: number[]) => {
    while (Date.now() < until) {
      const started = performance.now();
      await op(worker, counter++);
      latencies?.push(performance.now() - started);
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, w) => w);
  await Promise.all(workers.map((w) => loop(w, Date.now() + WARM_UP_MS)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(workers.map((w) => loop(w, Date.now() + SECONDS * 1000, latencies)));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, perSecond: latencies.length / elapsedSeconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });

/** A pay-in shaped posting: Dr receivable 10.00, Cr payable 9.00, Cr revenue 1.00. */
function payIn(transactionId: string, receivable: Account, payable: Account, revenue: Account): Posting {
  return {
    transactionId,
    description: "bench",
    entries: [
      { accountCode: receivable.code, direction: "DEBIT", amount: usd(1000n) },
      { accountCode: payable.code, direction: "CREDIT", amount: usd(900n) },
      { accountCode: revenue.code, direction: "CREDIT", amount: usd(100n) },
    ],
  };
}

async function withLedger<T>(db: Db, run: (store: LedgerStore) => Promise<T>): Promise<T> {
  const store = new LedgerStore(db);
  const stopCheckpointer = startCheckpointer(store, 1_000, createLogger("ledger-bench"));
  try {
    return await run(store);
  } finally {
    await stopCheckpointer();
  }
}

async function benchmark(url: string): Promise<Result[]> {
  // One connection per worker, plus one for the checkpointer.
  const db = createDb(url, LEDGER_SCHEMA, WORKERS + 1);
  try {
    await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
    await db.raw(
      "create table scratch (id bigint generated always as identity primary key, worker integer not null, n integer not null)",
    );
    const baseline = await measure("(a) baseline: single-row INSERT", (worker, n) =>
      db("scratch").insert({ worker, n }),
    );

    const sellers = Array.from({ length: SELLERS }, (_, i) => sellerPayable(`seller-${i}`, "USD"));
    const hot = await withLedger(db, async (store) => {
      await store.openAccounts([pspReceivable("USD"), platformFeeRevenue("USD"), ...sellers]);
      return measure("(b) ledger, hot accounts", (_, n) =>
        store.post(payIn(`hot-${n}`, pspReceivable("USD"), sellers[n % SELLERS]!, platformFeeRevenue("USD"))),
      );
    });

    const own = (kind: string, type: Account["type"], worker: number): Account => ({
      code: `bench_${kind}:w${worker}:USD`,
      type,
      currency: "USD",
    });
    const spread = await withLedger(db, async (store) => {
      const accounts = Array.from(
        { length: WORKERS },
        (_, w) =>
          [own("receivable", "ASSET", w), own("payable", "LIABILITY", w), own("revenue", "REVENUE", w)] as const,
      );
      await store.openAccounts(accounts.flat());
      return measure("(c) ledger, spread accounts", (worker, n) =>
        store.post(payIn(`spread-${n}`, ...accounts[worker]!)),
      );
    });

    const report = await new LedgerStore(db).checkInvariants();
    if (report.violations.length > 0)
      throw new Error(`the books are wrong after the benchmark: ${JSON.stringify(report.violations)}`);
    return [baseline, hot, spread];
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  await withTemporaryDatabase("ledger_bench", async (url, admin, origin) => {
    const [version] = (await admin.query<{ server_version: string }>("show server_version")).rows;
    console.log(
      `PostgreSQL ${version!.server_version} (${origin}); ${WORKERS} workers, pool of ${WORKERS} (+1 for the checkpointer), ${SECONDS} s each`,
    );
    const [baseline, hot, spread] = await benchmark(url);
    for (const r of [baseline!, hot!, spread!]) {
      console.log(
        `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} /s   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms`,
      );
    }
    console.log(`hot postings / baseline     ${(hot!.perSecond / baseline!.perSecond).toFixed(2)}  (aim >= 0.5)`);
    console.log(`spread postings / baseline  ${(spread!.perSecond / baseline!.perSecond).toFixed(2)}`);
    console.log(`hot / spread                ${(hot!.perSecond / spread!.perSecond).toFixed(2)}  (aim >= 0.8)`);
  });
}

await main();
