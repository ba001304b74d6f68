/**
 * Ledger posting throughput against a raw Postgres baseline, on a temporary database (DATABASE_URL's server, or
 * an embedded PostgreSQL when it is unset) that is dropped at the end.
 *
 *   npx tsx scripts/bench/ledger-bench.ts [--seconds 5] [--workers 16] [--batch 100] [--batch-workers 4]
 *   (or BENCH_SECONDS, BENCH_WORKERS, BENCH_BATCH, BENCH_BATCH_WORKERS)
 *
 * (a) baseline: one single-row INSERT per transaction; (b) hot: every posting touches psp_receivable:USD and
 * platform_fee_revenue:USD; (c) spread: every worker posts on accounts of its own; (d) and (e): the same postings
 * as (b) and (c), `--batch` at a time through LedgerStore.postMany (one statement, one commit per batch), by fewer
 * workers; (f) the hot batches through the ledger service's PostTransactions over gRPC with mutual TLS (the service in
 * this process). Same driver (knex/pg) and pool; the checkpointer runs every second during (b) to (f), as in the service.
 * Each line also says the client's CPU per posting (this process: knex, pg, building the statement).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type Client } from "@connectrpc/connect";
import { Direction, LedgerService } from "../../gen/ledger/v1/ledger_pb.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { issueDevPki } from "../../services/lib/tls/dev-ca.js";
import { startLedgerService } from "../../services/ledger/service.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { startCheckpointer } from "../../services/ledger/app/checkpointer.js";
import type { Account } from "../../services/contracts/accounting/accounts.js";
import { platformFeeRevenue, pspReceivable, sellerPayable } from "../../services/contracts/accounting/accounts.js";
import type { Posting } from "../../services/contracts/accounting/postings.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string" },
    workers: { type: "string" },
    batch: { type: "string" },
    "batch-workers": { type: "string" },
  },
});
const SECONDS = Number(args.seconds ?? process.env.BENCH_SECONDS ?? 5);
const WORKERS = Number(args.workers ?? process.env.BENCH_WORKERS ?? 16);
const BATCH = Number(args.batch ?? process.env.BENCH_BATCH ?? 100);
const BATCH_WORKERS = Number(args["batch-workers"] ?? process.env.BENCH_BATCH_WORKERS ?? 4);
const SELLERS = 1000;
const WARM_UP_MS = 1000;

interface Result {
  name: string;
  /** Postings (or baseline rows) per second. */
  perSecond: number;
  /** Of one call (a batch for (d) and (e)). */
  p50Ms: number;
  p99Ms: number;
  clientCpuUsPerPosting: number;
}

/**
 * Runs `op` in `workers` concurrent loops for SECONDS (after a warm-up) and measures completed operations, each of
 * `postingsPerOp` postings.
 */
async function measure(
  name: string,
  op: (worker: number, n: number) => Promise<unknown>,
  { workers: workerCount = WORKERS, postingsPerOp = 1 } = {},
): Promise<Result> {
  let counter = 0;
  const loop = async (worker: number, until: number, latencies?: number[]) => {
    while (Date.now() < until) {
      const started = performance.now();
      await op(worker, counter++);
      latencies?.push(performance.now() - started);
    }
  };
  const workers = Array.from({ length: workerCount }, (_, w) => w);
  await Promise.all(workers.map((w) => loop(w, Date.now() + WARM_UP_MS)));
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(workers.map((w) => loop(w, Date.now() + SECONDS * 1000, latencies)));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const postings = latencies.length * postingsPerOp;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    name,
    perSecond: postings / elapsedSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    clientCpuUsPerPosting: (user + system) / postings,
  };
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

/** Posts BATCH postings in one postMany call; any refusal is a bug of the benchmark. */
async function postBatch(store: LedgerStore, posting: (i: number) => Posting): Promise<void> {
  const answers = await store.postMany(Array.from({ length: BATCH }, (_, i) => posting(i)));
  const refused = answers.find((a) => "error" in a);
  if (refused) throw new Error(`a benchmark posting was refused: ${JSON.stringify(refused)}`);
}

/** Posts BATCH hot pay-ins through PostTransactions, as operator-tools, over mutual TLS. */
async function postBatchOverGrpc(client: Client<typeof LedgerService>, posting: (i: number) => Posting): Promise<void> {
  const transactions = Array.from({ length: BATCH }, (_, i) => {
    const { entries, ...rest } = posting(i);
    return {
      ...rest,
      entries: entries.map((e) => ({ ...e, direction: e.direction === "DEBIT" ? Direction.DEBIT : Direction.CREDIT })),
    };
  });
  const { results } = await client.postTransactions({ transactions });
  const refused = results.find((r) => r.result.case !== "transaction");
  if (refused) throw new Error(`a benchmark posting was refused: ${JSON.stringify(refused.result.value)}`);
}

/** A ledger service on the benchmark's database (in this process) and a client of it. */
async function withLedgerService<T>(
  url: string,
  run: (client: Client<typeof LedgerService>) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "ledger-bench-"));
  try {
    const pki = await issueDevPki(dir);
    const service = await startLedgerService({
      databaseUrl: url,
      tls: pki.material("ledger"),
      port: 0,
      pageTokenSecret: randomPageTokenSecret(),
    });
    try {
      const transport = grpcTransport(service.url, pki.material("operator-tools"), {
        server: "ledger",
        timeoutMs: 60_000,
      });
      return await run(createClient(LedgerService, transport));
    } finally {
      await service.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  const db = createDb(url, LEDGER_SCHEMA, Math.max(WORKERS, BATCH_WORKERS) + 1);
  try {
    await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
    await db.raw(
      "create table scratch (id bigint generated always as identity primary key, worker integer not null, n integer not null)",
    );
    const baseline = await measure("(a) baseline: single-row INSERT", (worker, n) =>
      db("scratch").insert({ worker, n }),
    );

    const sellers = Array.from({ length: SELLERS }, (_, i) => sellerPayable(`seller-${i}`, "USD"));
    const hotPayIn = (id: string, n: number) =>
      payIn(id, pspReceivable("USD"), sellers[n % SELLERS]!, platformFeeRevenue("USD"));
    const [hot, batchedHot] = await withLedger(db, async (store) => {
      await store.openAccounts([pspReceivable("USD"), platformFeeRevenue("USD"), ...sellers]);
      const single = await measure("(b) ledger, hot accounts", (_, n) => store.post(hotPayIn(`hot-${n}`, n)));
      const batched = await measure(
        `(d) batches of ${BATCH}, hot`,
        (_, n) => postBatch(store, (i) => hotPayIn(`hot-batch-${n}-${i}`, n * BATCH + i)),
        { workers: BATCH_WORKERS, postingsPerOp: BATCH },
      );
      return [single, batched];
    });

    const own = (kind: string, type: Account["type"], worker: number): Account => ({
      code: `bench_${kind}:w${worker}:USD`,
      type,
      currency: "USD",
    });
    const [spread, batchedSpread] = await withLedger(db, async (store) => {
      const accounts = Array.from(
        { length: Math.max(WORKERS, BATCH_WORKERS) },
        (_, w) =>
          [own("receivable", "ASSET", w), own("payable", "LIABILITY", w), own("revenue", "REVENUE", w)] as const,
      );
      await store.openAccounts(accounts.flat());
      const single = await measure("(c) ledger, spread accounts", (worker, n) =>
        store.post(payIn(`spread-${n}`, ...accounts[worker]!)),
      );
      const batched = await measure(
        `(e) batches of ${BATCH}, spread`,
        (worker, n) => postBatch(store, (i) => payIn(`spread-batch-${n}-${i}`, ...accounts[worker]!)),
        { workers: BATCH_WORKERS, postingsPerOp: BATCH },
      );
      return [single, batched];
    });

    const overGrpc = await withLedgerService(url, (client) =>
      measure(
        `(f) PostTransactions of ${BATCH}, hot`,
        (_, n) => postBatchOverGrpc(client, (i) => hotPayIn(`hot-grpc-${n}-${i}`, n * BATCH + i)),
        { workers: BATCH_WORKERS, postingsPerOp: BATCH },
      ),
    );

    const report = await new LedgerStore(db).checkInvariants();
    if (report.violations.length > 0)
      throw new Error(`the books are wrong after the benchmark: ${JSON.stringify(report.violations)}`);
    return [baseline, hot, spread, batchedHot, batchedSpread, overGrpc];
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  await withTemporaryDatabase("ledger_bench", async (url, admin, origin) => {
    const [version] = (await admin.query<{ server_version: string }>("show server_version")).rows;
    console.log(
      `PostgreSQL ${version!.server_version} (${origin}); ${WORKERS} workers (${BATCH_WORKERS} for batches of ${BATCH}), pool of ${Math.max(WORKERS, BATCH_WORKERS)} (+1 for the checkpointer), ${SECONDS} s each`,
    );
    const results = await benchmark(url);
    const [baseline, hot, spread, batchedHot, batchedSpread, overGrpc] = results as [
      Result,
      Result,
      Result,
      Result,
      Result,
      Result,
    ];
    for (const r of results) {
      console.log(
        `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} /s   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms   client CPU ${r.clientCpuUsPerPosting.toFixed(0)} us/posting`,
      );
    }
    const ratio = (a: Result, b: Result) => (a.perSecond / b.perSecond).toFixed(2);
    console.log(`hot postings / baseline     ${ratio(hot, baseline)}`);
    console.log(`spread postings / baseline  ${ratio(spread, baseline)}`);
    console.log(`hot / spread                ${ratio(hot, spread)}  (aim >= 0.8)`);
    console.log(`batched hot / baseline      ${ratio(batchedHot, baseline)}  (aim >= 2)`);
    console.log(`batched spread / baseline   ${ratio(batchedSpread, baseline)}`);
    console.log(`batched hot / spread        ${ratio(batchedHot, batchedSpread)}  (aim >= 0.9)`);
    console.log(`PostTransactions / baseline ${ratio(overGrpc, baseline)}  (client CPU above includes the service's)`);
  });
}

await main();
