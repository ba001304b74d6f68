/**
 * A payment service's history, loaded by bulk SQL: `payments` settled checkouts created evenly over the last
 * HISTORY_DAYS days, with what a checkout leaves in every table CreatePayment and a checkout write through indexes
 * (ids as random as real ones, so that each index grows as it does in production):
 * - payments, two orders each: 80% SUCCEEDED, 12% FAILED, 3% REFUNDED, 2% PARTIALLY_REFUNDED, 3% VOIDED;
 * - status_history: EXECUTING, then the outcome (and the refund);
 * - outbox: an event per status change, published, for the last 7 days (the sweeper's default retention);
 * - idempotency_keys: the answers of the last 24 hours (their time to live);
 * - webhook_deliveries: one per payment (30 days kept); rpc_audit: its CreatePayment call (kept for good).
 * No payment is in flight: those are the ones the live load creates (the poller would ask the PSP about the others).
 */
import type { Knex } from "knex";
import { recountPaymentStatuses } from "../../services/payment/store/migrations/016_payment_status_counts.js";

export const HISTORY_DAYS = 30;

const ID = (kind: string, chars: number) => `substr(md5('${kind}' || i), 1, ${chars})`;
const PAYMENT_ID = `'pay_' || ${ID("p", 20)}`;
const CREATED_AT = `now() - make_interval(secs => ((:payments - i)::float8 / :payments) * ${HISTORY_DAYS} * 86400 + 60)`;
const STATUS = `case when i % 100 < 80 then 'SUCCEEDED' when i % 100 < 92 then 'FAILED' when i % 100 < 95 then 'REFUNDED'
                when i % 100 < 97 then 'PARTIALLY_REFUNDED' else 'VOIDED' end`;
/** The payments created in the last `days` days (all by default), with their id, status and creation time. */
const paymentsOfLast = (days = HISTORY_DAYS) => `(
  select i, ${PAYMENT_ID} as id, ${STATUS} as status, ${CREATED_AT} as created_at
  from generate_series(greatest(1, :payments - floor(:payments * ${days / HISTORY_DAYS})::int), :payments) i) s`;
const PAYMENTS = paymentsOfLast();
/** Each payment's status changes (`change`), in creation order: the n-th, seconds `after` its creation (a refund a day after, or by now). */
const changesOfLast = (days?: number) => `${paymentsOfLast(days)}
  cross join lateral (values (1, 'EXECUTING', 1),
                             (2, case when s.status like '%REFUNDED' then 'SUCCEEDED' else s.status end, 30),
                             (3, s.status, least(86400, extract(epoch from now() - s.created_at) - 1))) as c (n, change, after)
  where (c.n < 3 or s.status like '%REFUNDED')`;

const STATEMENTS: [table: string, sql: string][] = [
  [
    "payments",
    `insert into payments (id, checkout_id, request_fingerprint, buyer_id, buyer_country, return_url, currency, total_minor,
       requested_total_minor, platform_fee_bps, risk_decision, risk_reasons, psp_payment_id, hosted_page_url,
       status_page_url, capture_method, checkout_status, failure_reason, decline_code, created_at, updated_at)
     select id, 'cart_' || ${ID("c", 16)}, md5('f' || i), 'buyer_' || (i % 200000), 'US', 'https://shop.example/orders',
       'USD', 6599, 6599, 250, 'APPROVE', '[]', 'pi_' || ${ID("pi", 24)}, 'https://psp.example/pay/' || ${ID("pi", 24)},
       'https://pay.example/status/' || id, case when status = 'VOIDED' then 'MANUAL' else 'AUTOMATIC' end, status,
       case when status = 'FAILED' then 'card declined' end, case when status = 'FAILED' then 'card_declined' end,
       created_at, created_at + interval '30 seconds'
     from ${PAYMENTS}`,
  ],
  [
    "payment_orders",
    `insert into payment_orders (payment_id, order_id, position, seller_id, amount_minor, requested_minor,
       platform_fee_minor, status)
     select id, 'order-' || o, o - 1, 'seller_' || ((i * 7 + o) % 1000), case o when 1 then 2599 else 4000 end,
       case o when 1 then 2599 else 4000 end, case o when 1 then 65 else 100 end,
       case when status = 'PARTIALLY_REFUNDED' then case o when 1 then 'REFUNDED' else 'SUCCEEDED' end else status end
     from ${PAYMENTS}, generate_series(1, 2) o`,
  ],
  [
    "status_history",
    `insert into status_history (payment_id, status, occurred_at)
     select id, change, created_at + make_interval(secs => after) from ${changesOfLast()}`,
  ],
  [
    "outbox",
    `insert into outbox (event_id, payment_id, subject, payload, created_at, published_at)
     select 'evt_' || md5(id || n), id, 'payment.' || lower(change), decode(repeat(md5(id), 12), 'hex'),
       created_at + make_interval(secs => after), created_at + make_interval(secs => after + 0.05)
     from ${changesOfLast(7)}`,
  ],
  [
    "idempotency_keys",
    `insert into idempotency_keys (key, request_fingerprint, payment_id, response, created_at, expires_at)
     select 'cart_' || ${ID("c", 16)}, md5('f' || i), id, decode(repeat(md5(id), 20), 'hex'), created_at,
       created_at + interval '24 hours'
     from ${paymentsOfLast(1)}`,
  ],
  [
    "webhook_deliveries",
    `insert into webhook_deliveries (event_id, type, psp_payment_id, outcome, received_at)
     select 'evt_' || ${ID("w", 24)}, 'payment.' || lower(status), 'pi_' || ${ID("pi", 24)}, 'applied',
       created_at + interval '30 seconds'
     from ${PAYMENTS}`,
  ],
  [
    "rpc_audit",
    `insert into rpc_audit (caller, method, ids, outcome, at)
     select 'spiffe://payments.local/marketplace', 'payment.v1.PaymentService/CreatePayment',
       jsonb_build_object('checkout_id', 'cart_' || ${ID("c", 16)}, 'buyer_id', 'buyer_' || (i % 200000)), 'OK', created_at
     from ${PAYMENTS}`,
  ],
];

export interface SeedTimes {
  /** Seconds per table, in the order loaded. */
  tables: [table: string, seconds: number][];
  vacuumSeconds: number;
}

/**
 * Loads the history into the payment schema of `db` (a superuser's connection: the triggers are off for the load,
 * then the status counts are recounted), then vacuums and analyzes it as autovacuum would have by then.
 */
export async function seedHistory(db: Knex, payments: number): Promise<SeedTimes> {
  const tables: [string, number][] = [];
  await db.transaction(async (trx) => {
    await trx.raw("set local session_replication_role = replica");
    for (const [table, sql] of STATEMENTS) {
      const started = performance.now();
      await trx.raw(sql, { payments });
      tables.push([table, (performance.now() - started) / 1000]);
    }
    await recountPaymentStatuses(trx);
  });
  const started = performance.now();
  for (const table of [...STATEMENTS.map(([t]) => t), "payment_status_counts"])
    await db.raw("vacuum (analyze) ??", [table]);
  return { tables, vacuumSeconds: (performance.now() - started) / 1000 };
}
