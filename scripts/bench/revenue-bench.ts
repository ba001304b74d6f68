/**
 * GetRevenue on a long history: N entries (default 10,000,000) over three years, on a temporary database
 * (DATABASE_URL's server, or an embedded PostgreSQL) dropped at the end. Not a test:
 *
 *   npm run bench:revenue [-- --entries 10000000 --repeats 20]      (or BENCH_ENTRIES, BENCH_REPEATS)
 *
 * The journal is seeded with bulk SQL (generate_series) in chunks, one database transaction each, in USD and EUR:
 * 80% pay-ins (3 entries), 10% refunds (3), 5% lost disputes (2), 5% PSP settlements with a fee (3). Seeding skips
 * the entries triggers (replica mode) for speed, so it stamps each entry's xid as the trigger would; the rows
 * balance by construction. The daily rollups are then built the live way, by advance_checkpoints(), and a
 * further batch is left unfolded, as the checkpointer would leave the last moments. Timed: GetRevenue over gRPC
 * (the ledger service in this process, mutual TLS) for the last year by day, week and month, and the same figures
 * from a scan of the entries, side by side.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { LedgerService, RevenueGranularity } from "../../gen/ledger/v1/ledger_pb.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { issueDevPki } from "../../services/lib/tls/dev-ca.js";
import {
  bankPlatform,
  disputedFunds,
  platformFeeRevenue,
  pspFeeExpense,
  pspReceivable,
  sellerPayable,
} from "../../services/contracts/accounting/accounts.js";
import {
  GRANULARITIES,
  revenueReport,
  type Granularity,
  type RevenueQuery,
} from "../../services/ledger/domain/revenue.js";
import { startLedgerService } from "../../services/ledger/service.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA } from "../../services/ledger/store/migrations/index.js";
import { revenueRowsFromEntries } from "../../services/ledger/store/revenue-query.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values } = parseArgs({ options: { entries: { type: "string" }, repeats: { type: "string" } } });
const ENTRIES = Number(values.entries ?? process.env.BENCH_ENTRIES ?? 10_000_000);
const REPEATS = Number(values.repeats ?? process.env.BENCH_REPEATS ?? 20);
/** Entries per transaction, on average, of the mix below. */
const TRANSACTIONS = Math.round(ENTRIES / 2.95);
const CHUNK = 250_000;
const TAIL = 10_000;
const SELLERS = 1_000;
const HISTORY_FROM = "2023-01-01";
const HISTORY_TO = "2026-01-01";
const YEAR = { fromDay: "2025-01-01", toDay: "2025-12-31" };

/** Transaction i's kind, currency, amount and fee (generate_series column i). */
const MOVEMENT = `select i,
    case when i % 20 < 16 then 'payin' when i % 20 < 18 then 'refund' when i % 20 = 18 then 'lost' else 'settle' end as kind,
    case when i % 4 = 0 then 'EUR' else 'USD' end as currency,
    'seller_' || (i % ${SELLERS}) as seller,
    1000 + (i * 7919) % 99000 as amount
  from generate_series(?::bigint, ?::bigint) i`;

/** The entries of each kind: position, account (the seller's or a platform account), direction, amount. */
const ENTRY_TEMPLATES = `(values
    ('payin', 0, 'psp_receivable:', 'DEBIT', 'amount'), ('payin', 1, 'seller', 'CREDIT', 'net'), ('payin', 2, 'platform_fee_revenue:', 'CREDIT', 'fee'),
    ('refund', 0, 'seller', 'DEBIT', 'net'), ('refund', 1, 'platform_fee_revenue:', 'DEBIT', 'fee'), ('refund', 2, 'psp_receivable:', 'CREDIT', 'amount'),
    ('lost', 0, 'disputed_funds:', 'DEBIT', 'amount'), ('lost', 1, 'psp_receivable:', 'CREDIT', 'amount'),
    ('settle', 0, 'bank:platform:', 'DEBIT', 'net'), ('settle', 1, 'psp_fee_expense:', 'DEBIT', 'fee'), ('settle', 2, 'psp_receivable:', 'CREDIT', 'amount')
  ) as p (kind, position, account, direction, part)`;

const ID = `case m.kind when 'payin' then 'payin:b' || m.i when 'refund' then 'refund:b' || m.i when 'lost' then 'dispute:b' || m.i || ':lost' else 'settlement:b' || m.i end`;

/** Transactions from..to of a batch starting at `first`, its `total` spread evenly over spanDays from postedFrom. */
async function seedChunk(
  db: Db,
  first: number,
  from: number,
  to: number,
  postedFrom: string,
  spanDays: number,
  total: number,
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw("set local session_replication_role = replica");
    await trx.raw(
      `insert into transactions (id, description, fingerprint, posted_at)
       select ${ID}, 'bench', 'bench', ?::timestamptz + make_interval(secs => (m.i - ?)::float8 / ? * ? * 86400) from (${MOVEMENT}) m`,
      [postedFrom, first, total, spanDays, from, to],
    );
    await trx.raw(
      `insert into entries (transaction_id, position, account_code, currency, direction, amount_minor, xid)
       select ${ID}, p.position, case p.account when 'seller' then 'seller_payable:' || m.seller || ':' else p.account end || m.currency,
              m.currency, p.direction, case p.part when 'amount' then m.amount when 'fee' then m.amount / 40 else m.amount - m.amount / 40 end,
              pg_current_xact_id()
       from (${MOVEMENT}) m join ${ENTRY_TEMPLATES} on p.kind = m.kind`,
      [from, to],
    );
  });
}

const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/** p50 and p99 of `repeats` runs of `run`, in ms. */
async function timings(repeats: number, run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99) };
}

const GRANULARITY: Record<Granularity, RevenueGranularity> = {
  day: RevenueGranularity.DAY,
  week: RevenueGranularity.WEEK,
  month: RevenueGranularity.MONTH,
};
const ms = (x: { p50: number; p99: number }) => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} ms`;
/** Folds every transaction, the live way; the horizon passes them once no older database transaction runs on the server. */
async function foldAll(db: Db): Promise<void> {
  const store = new LedgerStore(db);
  while (
    (
      await db.raw(
        "select exists (select from transactions where xid >= (select horizon from checkpoint_horizon)) as behind",
      )
    ).rows[0].behind
  ) {
    await store.advanceCheckpoints();
    await sleep(50);
  }
}
const json = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  await withTemporaryDatabase("revenue_bench", async (url, _admin, origin) => {
    const dir = mkdtempSync(join(tmpdir(), "revenue-bench-"));
    const pki = await issueDevPki(dir);
    // The service migrates the schema at start.
    const ledger = await startLedgerService({
      databaseUrl: url,
      tls: pki.material("ledger"),
      port: 0,
      checkpointIntervalMs: 3_600_000,
      pageTokenSecret: randomPageTokenSecret(),
    });
    const db = createDb(url, LEDGER_SCHEMA);
    try {
      const store = new LedgerStore(db);
      const sellers = Array.from({ length: SELLERS }, (_, i) => `seller_${i}`);
      await store.openAccounts(
        ["USD", "EUR"].flatMap((c) => [
          pspReceivable(c),
          platformFeeRevenue(c),
          pspFeeExpense(c),
          bankPlatform(c),
          disputedFunds(c),
          ...sellers.map((s) => sellerPayable(s, c)),
        ]),
      );
      let t = performance.now();
      const span = days(HISTORY_FROM, HISTORY_TO);
      for (let from = 1; from <= TRANSACTIONS; from += CHUNK)
        await seedChunk(db, 1, from, Math.min(TRANSACTIONS, from + CHUNK - 1), HISTORY_FROM, span, TRANSACTIONS);
      const { rows } = await db.raw("select count(*)::bigint as n from entries");
      console.log(
        `PostgreSQL (${origin}): seeded ${TRANSACTIONS} transactions, ${rows[0].n} entries over ${HISTORY_FROM}..${HISTORY_TO} in ${seconds(t)}`,
      );

      t = performance.now();
      await foldAll(db);
      const { rows: folded } = await db.raw("select count(*)::bigint as n from revenue_days");
      console.log(
        `advance_checkpoints() folded them into the checkpoints and ${folded[0].n} daily revenue rows in ${seconds(t)}`,
      );
      // The last moments before the call, above the horizon, posted in the year asked.
      await seedChunk(db, TRANSACTIONS + 1, TRANSACTIONS + 1, TRANSACTIONS + TAIL, "2025-12-31", 1, TAIL);
      await db.raw("analyze");

      const client = createClient(
        LedgerService,
        grpcTransport(ledger.url, pki.material("operator-tools"), { server: "ledger", timeoutMs: 600_000 }),
      );
      const scanRepeats = Math.max(3, Math.floor(REPEATS / 4));
      const results = new Map<Granularity, string[]>();
      const rpc = async (granularity: Granularity) => {
        let periods = 0;
        const time = await timings(REPEATS, async () => {
          periods = (await client.getRevenue({ ...YEAR, granularity: GRANULARITY[granularity] })).periods.length;
        });
        return [String(periods), ms(time)];
      };
      for (const granularity of GRANULARITIES) {
        const query: RevenueQuery = { ...YEAR, granularity };
        const same =
          json(revenueReport(query, await revenueRowsFromEntries(db, query))) === json(await store.revenue(query));
        results.set(granularity, [
          ...(await rpc(granularity)),
          ms(await timings(scanRepeats, () => revenueRowsFromEntries(db, query))),
          same ? "yes" : "NO",
        ]);
      }
      await foldAll(db);
      for (const granularity of GRANULARITIES) results.get(granularity)!.splice(2, 0, (await rpc(granularity))[1]!);

      console.log(
        `\na year (${YEAR.fromDay}..${YEAR.toDay}), both currencies; GetRevenue: ${REPEATS} runs, scan: ${scanRepeats} runs; p50 / p99`,
      );
      console.log(
        `| granularity | periods | GetRevenue, ${TAIL} transactions not yet folded | GetRevenue, all folded | scan of the entries (no rollups) | same figures |`,
      );
      console.log("| --- | --- | --- | --- | --- | --- |");
      for (const [granularity, cells] of results) console.log(`| ${granularity} | ${cells.join(" | ")} |`);
    } finally {
      await db.destroy();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

await main();
