/**
 * Reconciliation throughput: a synthetic settlement file (psp-simulator/synthetic-settlement.ts) against a ledger
 * holding the matching pay-ins, on a temporary database (DATABASE_URL's server, or an embedded PostgreSQL) dropped
 * at the end. Not a test: `npm run bench:reconcile [-- --lines 1000000 --ledgers 2]`.
 *
 * The pay-ins are seeded with bulk SQL into the ledger's own tables (its triggers check every row), posted one
 * second after their line's time. The ledger service runs as child processes (`--ledgers`, default 1 instance; as
 * LEDGER_URL can list them); this process runs the reconciliation service's engine (the same code RunReconciliation
 * runs) and reports lines per second over the whole run (checksum, matching, the "missing in the file" pass over the
 * ledger, settlement postings), its own peak RSS, and the CPU per line of the reconciler, the ledger children and
 * the PostgreSQL backends serving the run (CPU shares hold on a loaded machine, where wall-clock figures do not).
 * Run under `node --cpu-prof --import tsx scripts/bench/reconcile-bench.ts`, the ledger children are profiled too.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { writeSyntheticSettlement } from "../../psp-simulator/synthetic-settlement.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { pspReceivable, sellerPayable } from "../../services/contracts/accounting/accounts.js";
import { startLedgerService } from "../../services/ledger/service.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { LedgerGrpcClient } from "../../services/reconciliation/adapters/ledger-grpc-client.js";
import { settlementDirectory } from "../../services/reconciliation/adapters/settlement-directory.js";
import { defaultReconciliationConfig, Reconciliation } from "../../services/reconciliation/app/reconciliation.js";
import { formatReportTable } from "../../services/reconciliation/domain/report.js";
import { settlementWindow } from "../../services/reconciliation/domain/settlement-day.js";
import {
  RECONCILIATION_SCHEMA,
  reconciliationMigrations,
} from "../../services/reconciliation/store/migrations/index.js";
import { ReconciliationStore } from "../../services/reconciliation/store/reconciliation-store.js";
import { issueDevPki, type DevPki } from "../../services/lib/tls/dev-ca.js";
import { tlsMaterialFromEnv } from "../../services/lib/tls/tls-material.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const SERVE_LEDGER = "--serve-ledger";
const DATE = "2024-01-01";
const CURRENCIES = ["EUR", "USD", "JPY"];
const SEED_CHUNK = 50_000;
const AIM_LINES_PER_SECOND = 100_000;
const AIM_RSS_MB = 300;
const PAGE_TOKEN_SECRET = randomPageTokenSecret();

/** The child: a ledger service on DATABASE_URL without events; prints its URL, serves until killed. */
async function serveLedger(): Promise<void> {
  const ledger = await startLedgerService({
    databaseUrl: process.env.DATABASE_URL!,
    port: 0,
    tls: tlsMaterialFromEnv(),
    pageTokenSecret: process.env.PAGE_TOKEN_SECRET!,
  });
  console.log(ledger.url);
  process.once("SIGTERM", () => void ledger.close().then(() => process.exit(0)));
}

/** The pay-ins the file's lines settle, as syntheticMovements makes them (ids, amounts, currencies, times), in bulk. */
async function seedLedger(db: Db, lines: number): Promise<void> {
  await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
  await new LedgerStore(db).openAccounts(CURRENCIES.flatMap((c) => [pspReceivable(c), sellerPayable("bench", c)]));
  const { start, end } = settlementWindow(DATE, "00:00");
  for (let from = 1; from <= lines; from += SEED_CHUNK) {
    const to = Math.min(lines, from + SEED_CHUNK - 1);
    const movement = `select i,
        'payin:pay_bench_' || case when i < 1000000 then lpad(i::text, 6, '0') else i::text end as id,
        100 + ((i::bigint * 2654435761) % 4294967296) % 100000 as gross,
        (?::text[])[((i - 1) % ?) + 1] as currency
      from generate_series(?::bigint, ?::bigint) i`;
    const bindings = [CURRENCIES, CURRENCIES.length, from, to];
    await db.transaction(async (trx) => {
      await trx.raw(
        `insert into transactions (id, description, fingerprint, posted_at)
         select m.id, 'bench pay-in', 'bench', to_timestamp((? + floor((m.i - 1) * ?::numeric / ?) + 1000) / 1000.0)
         from (${movement}) m`,
        [start, end - start, lines, ...bindings],
      );
      await trx.raw(
        `insert into entries (transaction_id, position, account_code, currency, direction, amount_minor)
         select m.id, p.position, p.prefix || m.currency, m.currency, p.direction, m.gross
         from (${movement}) m cross join (values (0, 'psp_receivable:', 'DEBIT'), (1, 'seller_payable:bench:', 'CREDIT')) p (position, prefix, direction)`,
        bindings,
      );
    });
  }
}

/** CPU seconds (user + system) each of these processes has used so far, from /proc (Linux; 100 clock ticks a second). */
function cpuSecondsOf(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // Gone (or no /proc): not counted.
    }
  }
  return seconds;
}

/** What the processes of `after` used since `before` (a process not in `before` is new: all of its time). */
function cpuSecondsSince(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, used] of after) seconds += used - (before.get(pid) ?? 0);
  return seconds;
}

/** The PostgreSQL backends serving this database now. */
async function backendPids(db: Db): Promise<number[]> {
  const { rows } = await db.raw("select pid from pg_stat_activity where datname = current_database()");
  return rows.map((r: { pid: number }) => r.pid);
}

/** Starts this script as a ledger service child and resolves with its URL and a stop function. */
async function ledgerChild(databaseUrl: string, pki: DevPki): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => a.startsWith("--cpu-prof")),
      "--import",
      "tsx",
      new URL(import.meta.url).pathname,
      SERVE_LEDGER,
    ],
    {
      // Every instance signs the page tokens the reconciler hands from one to the next.
      env: { ...process.env, ...pki.env("ledger"), DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", PAGE_TOKEN_SECRET },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [url] = await createInterface({ input: child.stdout! })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value as string]);
  return { url: url!, pid: child.pid!, stop: () => child.kill("SIGTERM") };
}

const unused = () =>
  Promise.reject(new Error("the benchmark's file has no line that needs the PSP or the payment service"));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lines: { type: "string" }, ledgers: { type: "string" } } });
  const lines = Number(values.lines ?? process.env.BENCH_LINES ?? 1_000_000);
  const instances = Number(values.ledgers ?? 1);
  await withTemporaryDatabase("reconcile_bench", async (url) => {
    const dir = mkdtempSync(join(tmpdir(), "reconcile-bench-"));
    const ledgerDb = createDb(url, LEDGER_SCHEMA);
    const reconciliationDb = createDb(url, RECONCILIATION_SCHEMA);
    const ledgers: { url: string; pid: number; stop(): void }[] = [];
    try {
      let t = performance.now();
      await seedLedger(ledgerDb, lines);
      await ledgerDb.raw("analyze");
      console.log(`seeded ${lines} pay-ins into the ledger in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      t = performance.now();
      const fileName = `settlement-${DATE}.csv`;
      const file = join(dir, fileName);
      await writeSyntheticSettlement(file, { lines, currencies: CURRENCIES, date: DATE });
      console.log(`wrote ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const pki = await issueDevPki(join(dir, "pki"));
      for (let i = 0; i < instances; i++) ledgers.push(await ledgerChild(url, pki));

      await migrateUp(reconciliationDb, RECONCILIATION_SCHEMA, reconciliationMigrations);
      const reconciliation = new Reconciliation({
        store: new ReconciliationStore(reconciliationDb),
        ledger: new LedgerGrpcClient(
          ledgers.map((l) => l.url),
          pki.material("reconciliation"),
        ),
        files: await settlementDirectory(dir),
        psp: { settlementFile: unused, payment: unused },
        payments: { refreshPayment: unused },
        config: defaultReconciliationConfig,
        log: createLogger("reconcile-bench"),
      });
      const before = process.memoryUsage().rss;
      const ledgerPids = ledgers.map((l) => l.pid);
      const cpuBefore = {
        reconciler: process.cpuUsage(),
        ledgers: cpuSecondsOf(ledgerPids),
        postgres: cpuSecondsOf(await backendPids(ledgerDb)),
      };
      t = performance.now();
      const { run, changes } = await reconciliation.run(DATE, fileName);
      const seconds = (performance.now() - t) / 1000;
      const { user, system } = process.cpuUsage(cpuBefore.reconciler);
      const cpu = {
        reconciler: (user + system) / 1e6,
        ledgers: cpuSecondsSince(cpuBefore.ledgers, cpuSecondsOf(ledgerPids)),
        // The backends still there at the end (one that served the run and closed before is not counted).
        postgres: cpuSecondsSince(cpuBefore.postgres, cpuSecondsOf(await backendPids(ledgerDb))),
      };
      const perSecond = lines / seconds;
      const peakMb = process.resourceUsage().maxRSS / 1024;
      console.log(`\n${formatReportTable(run.report)}\n`);
      console.log(changes.join("\n"));
      console.log(
        `\nreconciled ${run.lines} lines (ledger: ${instances} instance(s)) in ${seconds.toFixed(1)} s: ${perSecond.toFixed(0)} lines/s (aim ${AIM_LINES_PER_SECOND}: ${(perSecond / AIM_LINES_PER_SECOND).toFixed(2)} x)`,
      );
      const perLine = (cpuSeconds: number) => `${((cpuSeconds * 1e6) / lines).toFixed(1)} µs`;
      console.log(
        `CPU per line: reconciler ${perLine(cpu.reconciler)}, ledger ${perLine(cpu.ledgers)}, PostgreSQL ${perLine(cpu.postgres)}, together ${perLine(cpu.reconciler + cpu.ledgers + cpu.postgres)}`,
      );
      console.log(
        `peak RSS ${peakMb.toFixed(0)} MB (aim < ${AIM_RSS_MB}: ${(peakMb / AIM_RSS_MB).toFixed(2)} of it; ${(before / 1024 / 1024).toFixed(0)} MB before the run)`,
      );
    } finally {
      for (const ledger of ledgers) ledger.stop();
      await ledgerDb.destroy();
      await reconciliationDb.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (process.argv.includes(SERVE_LEDGER)) await serveLedger();
else await main();
