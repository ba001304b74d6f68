/**
 * How long the console's overview waits for GetPaymentStats, and a metrics scrape for the payments{status} gauge:
 * the store's queries over N payments created evenly over the last 30 days (two orders each; 80% charged, 15%
 * failed, the rest in flight), on a temporary database.
 *
 *   npm run bench:payment-stats [-- --payments 1000000]      (or BENCH_PAYMENTS)
 */
import { parseArgs } from "node:util";
import { createDb, migrateUp } from "../../services/lib/db.js";
import { statsBuckets, statsRange, type StatsPeriod } from "../../services/payment/domain/payment-stats.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { recountPaymentStatuses } from "../../services/payment/store/migrations/016_payment_status_counts.js";
import { withTemporaryDatabase } from "./temporary-database.js";

const { values } = parseArgs({ options: { payments: { type: "string" } } });
const PAYMENTS = Number(values.payments ?? process.env.BENCH_PAYMENTS ?? 1_000_000);
const REPEATS = 5;
const DAYS = 30;

const STATUS_OF_I = "case when i % 20 < 16 then 'SUCCEEDED' when i % 20 < 19 then 'FAILED' else 'EXECUTING' end";

/** Payments spread evenly over the last DAYS days, up to now, and their orders. */
const SEED = [
  `
  insert into payments (id, checkout_id, request_fingerprint, buyer_id, buyer_country, return_url, currency, total_minor,
                        requested_total_minor, platform_fee_bps, status_page_url, checkout_status, created_at, updated_at)
  select 'pay_' || i, 'cart_' || i, 'f', 'buyer_' || (i % 5000), 'US', '', 'USD', 3500, 3500, 250, '', ${STATUS_OF_I},
         now() - make_interval(secs => (i::float8 / :payments) * :days * 86400), now()
  from generate_series(1, :payments) i`,
  `insert into payment_orders (payment_id, order_id, position, seller_id, amount_minor, requested_minor, platform_fee_minor, status)
  select 'pay_' || i, 'order-' || o, o, 'seller_' || ((i + o) % 1000), case o when 1 then 2500 else 1000 end,
         case o when 1 then 2500 else 1000 end, case o when 1 then 63 else 25 end,
         ${STATUS_OF_I}
  from generate_series(1, :payments) i, generate_series(1, 2) o`,
];

/** The median time of REPEATS runs of `query`, in ms. */
async function median(query: () => Promise<unknown>): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await query();
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b)[REPEATS >> 1]!;
}

async function main(): Promise<void> {
  await withTemporaryDatabase("payment_stats_bench", async (url, _admin, origin) => {
    const db = createDb(url, PAYMENT_SCHEMA);
    try {
      await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
      const t = performance.now();
      // As a bulk load is done: the triggers off (the status counts' among them), then the counts recounted.
      await db.transaction(async (trx) => {
        await trx.raw("set local session_replication_role = replica");
        for (const statement of SEED) await trx.raw(statement, { payments: PAYMENTS, days: DAYS });
        await recountPaymentStatuses(trx);
      });
      await db.raw("analyze");
      console.log(
        `PostgreSQL (${origin}): seeded ${PAYMENTS} payments over ${DAYS} days in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      const store = new PaymentStore(
        db,
        () => new Uint8Array(),
        () => "",
      );
      for (const [period, periods] of [
        ["hour", 24],
        ["day", DAYS],
      ] as [StatsPeriod, number][]) {
        const range = statsRange(period, periods, new Date());
        let counted = 0;
        const ms = await median(async () => {
          counted = statsBuckets(range, await store.statsByPeriod(period, range.from, range.to)).reduce(
            (sum, b) => sum + b.created,
            0,
          );
        });
        console.log(
          `stats, ${periods} ${period}s: ${counted} payments, median ${ms.toFixed(0)} ms of ${REPEATS} (${((ms / counted) * 1e6).toFixed(0)} ms per million payments)`,
        );
      }
      const gauge = await median(() => store.countByStatus());
      console.log(`payments{status} gauge, all ${PAYMENTS} payments: median ${gauge.toFixed(1)} ms of ${REPEATS}`);
    } finally {
      await db.destroy();
    }
  });
}

await main();
