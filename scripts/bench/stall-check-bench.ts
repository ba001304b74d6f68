/**
 * How long the ledger's stall check (CheckInvariants, and the invariant_violations gauge) takes over N payments
 * created evenly over the last 30 days (80% charged, each booked 2 s after its creation, so that some cross an hour
 * boundary; one charged payment of the last day never booked), on a temporary database. The payment service's side
 * runs in process, without gRPC: these are the check's queries, on both schemas.
 *
 *   npx tsx scripts/bench/stall-check-bench.ts [--payments 1000000] [--lookback-hours 24]      (or BENCH_PAYMENTS)
 */
import { parseArgs } from "node:util";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { outboxBacklog, settledItems, settledPerHour } from "../../services/lib/pipeline/settled-store.js";
import type { PipelineSource } from "../../services/ledger/app/ports.js";
import { checkStalls } from "../../services/ledger/app/stall-check.js";
import { bookedCounts } from "../../services/ledger/store/booked-counts.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { paymentSettledFlows } from "../../services/payment/store/settled-flows.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values } = parseArgs({ options: { payments: { type: "string" }, "lookback-hours": { type: "string" } } });
const PAYMENTS = Number(values.payments ?? process.env.BENCH_PAYMENTS ?? 1_000_000);
const LOOKBACK_HOURS = Number(values["lookback-hours"] ?? 24);
const REPEATS = 5;
const DAYS = 30;
const CHARGED = "i % 5 <> 0";
const CREATED_AT = "now() - make_interval(secs => (1 - i::float8 / :payments) * :days * 86400 + 120)";
/** The payment that the ledger never booked: the last charged one (of the last minutes). */
const UNBOOKED = "i = :payments - 1";

const PAYMENT_SEED = `
  insert into payments (id, checkout_id, request_fingerprint, buyer_id, buyer_country, return_url, currency, total_minor,
                        requested_total_minor, platform_fee_bps, status_page_url, checkout_status, created_at, updated_at)
  select 'pay_' || i, 'cart_' || i, 'f', 'buyer_' || (i % 5000), 'US', '', 'USD', 3500, 3500, 250, '',
         case when ${CHARGED} then 'SUCCEEDED' else 'FAILED' end, ${CREATED_AT}, ${CREATED_AT} + interval '1 second'
  from generate_series(1, :payments) i`;
// The transactions and, of their entries, only the psp_receivable debit the check reads. The journal's triggers
// (which want balanced entries) are off for this session, which a superuser may do.
const LEDGER_SEED = `
  insert into transactions (id, description, fingerprint, posted_at)
  select 'payin:pay_' || i, 'pay-in', 'f', ${CREATED_AT} + interval '2 seconds'
  from generate_series(1, :payments) i where ${CHARGED} and not (${UNBOOKED})`;
const LEDGER_ENTRIES_SEED = `
  insert into entries (transaction_id, position, account_code, currency, direction, amount_minor, xid)
  select id, 0, 'psp_receivable:USD', 'USD', 'DEBIT', 3500, pg_current_xact_id() from transactions`;

async function median(run: () => Promise<unknown>): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await run();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[REPEATS >> 1]!;
}

/** The payment service's GetPipelineHealth and ListSettled, called in process. */
function inProcessSource(payments: Db): PipelineSource {
  const [payin] = paymentSettledFlows;
  return {
    service: "payment",
    flows: ["payin"],
    async health(since, settledBefore) {
      const [hours, backlog] = await Promise.all([
        settledPerHour(payments, [payin!], since, settledBefore),
        outboxBacklog(payments, settledBefore),
      ]);
      return {
        hours: hours.map((h) => ({ ...h, hour: h.hour.getTime() })),
        unpublished: backlog.unpublished,
        oldestUnpublished: backlog.oldest,
      };
    },
    async *settledItems(_flow, from, until, settledBefore) {
      let after: { createdAt: string; id: string } | undefined;
      for (;;) {
        const page = await settledItems(payments, payin!, { from, until, settledBefore, after, limit: 1000 });
        yield page.map(({ id, currency, amountMinor }) => ({ id, currency, amountMinor }));
        if (page.length < 1000) return;
        after = page[page.length - 1];
      }
    },
  };
}

async function main(): Promise<void> {
  await withTemporaryDatabase("stall_check_bench", async (url, _admin, origin) => {
    const payments = createDb(url, PAYMENT_SCHEMA);
    const ledger = createDb(url, LEDGER_SCHEMA);
    try {
      await migrateUp(payments, PAYMENT_SCHEMA, paymentMigrations);
      await migrateUp(ledger, LEDGER_SCHEMA, ledgerMigrations);
      const t = performance.now();
      await payments.raw(PAYMENT_SEED, { payments: PAYMENTS, days: DAYS });
      await ledger.transaction(async (trx) => {
        await trx.raw("set local session_replication_role = replica");
        await trx.raw(LEDGER_SEED, { payments: PAYMENTS, days: DAYS });
        await trx.raw(LEDGER_ENTRIES_SEED);
      });
      await payments.raw("analyze");
      console.log(
        `PostgreSQL (${origin}): seeded ${PAYMENTS} payments over ${DAYS} days and their pay-ins in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      const source = inProcessSource(payments);
      const config = { stallAfterMs: 60_000, lookbackMs: LOOKBACK_HOURS * 3600_000 };
      let found = "";
      const ms = await median(async () => {
        const report = await checkStalls(bookedCounts(ledger), [source], undefined, config);
        found = report.violations.map((v) => v.transactionId).join(", ");
      });
      console.log(
        `stall check, ${LOOKBACK_HOURS} h looked back: median ${ms.toFixed(0)} ms of ${REPEATS}; not booked: ${found || "none"}`,
      );
    } finally {
      await payments.destroy();
      await ledger.destroy();
    }
  });
}

await main();
