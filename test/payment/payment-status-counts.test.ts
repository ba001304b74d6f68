import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePaymentEvent, paymentEventSubject } from "../../services/contracts/events/payment-event.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { startMetricsServer } from "../../services/lib/metrics/metrics-server.js";
import { createMetricsRegistry } from "../../services/lib/metrics/registry.js";
import { registerPaymentsGauge } from "../../services/payment/api/payments-gauge.js";
import { checkout } from "../../services/payment/app/testing/checkout-input.js";
import { priceCheckout, validateCheckout } from "../../services/payment/domain/checkout.js";
import { failedBecause } from "../../services/payment/domain/payment.js";
import { PAYMENT_STATUSES } from "../../services/payment/domain/status.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../../services/payment/store/migrations/index.js";
import { PaymentStore } from "../../services/payment/store/payment-store.js";
import { scrape } from "../support/metrics.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * payments{status} reads counts kept by a trigger as payments change (migration 016), spread over shards: they must
 * equal counting the payments, whatever wrote them, concurrently or in a transaction that rolled back.
 */
let database: TestDatabase;
let db: Db;
let store: PaymentStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, PAYMENT_SCHEMA);
  store = new PaymentStore(db, encodePaymentEvent, paymentEventSubject);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** Counted the slow way, from the payments themselves. */
async function countedFromPayments(): Promise<Map<string, number>> {
  const rows: { status: string; payments: number }[] = (
    await db.raw("select checkout_status as status, count(*)::int as payments from payments group by 1")
  ).rows;
  return new Map(rows.map((r) => [r.status, r.payments]));
}

/** Every status's count, none left out (a status whose payments all moved on has a count of 0). */
const everyStatus = (counts: ReadonlyMap<string, number>) =>
  Object.fromEntries(PAYMENT_STATUSES.map((status) => [status, counts.get(status) ?? 0]));

async function expectCountsRight(): Promise<void> {
  expect(everyStatus(await store.countByStatus())).toEqual(everyStatus(await countedFromPayments()));
}

const create = (checkoutId: string) =>
  store.createOrGet(priceCheckout(validateCheckout(checkout({ checkoutId })), 250), "fingerprint", {
    id: `pay_${checkoutId}`,
    statusPageUrl: "https://pay.example/status",
  });

describe("payment status counts", () => {
  it("are filled from the payments already there when the migration runs", async () => {
    const before = paymentMigrations.findIndex((m) => m.name === "016_payment_status_counts");
    await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations.slice(0, before));
    for (const id of ["old_1", "old_2", "old_3"]) await create(id);
    await store.transition("pay_old_1", { to: "EXECUTING" });
    await store.transition("pay_old_2", failedBecause("declined"));

    await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
    expect(everyStatus(await store.countByStatus())).toEqual(
      everyStatus(
        new Map([
          ["NOT_STARTED", 1],
          ["EXECUTING", 1],
          ["FAILED", 1],
        ]),
      ),
    );
  });

  it("follow creates and status changes, one after another", async () => {
    for (const id of ["seq_1", "seq_2", "seq_3", "seq_4"]) await create(id);
    await store.transition("pay_seq_1", { to: "EXECUTING" });
    await store.transition("pay_seq_1", { to: "SUCCEEDED" });
    await store.transition("pay_seq_2", { to: "EXECUTING" });
    await store.transition("pay_seq_2", { to: "PENDING", pendingReason: "THREE_D_SECURE" });
    await store.transition("pay_seq_3", failedBecause("declined"));
    // A refund of one order of two: the checkout is PARTIALLY_REFUNDED.
    await store.withLockedPayment("pay_seq_1", async (trx, payment) =>
      store.moveOrder(trx, payment!, "ord_a", "REFUNDED"),
    );
    await expectCountsRight();
    expect((await store.countByStatus()).get("PARTIALLY_REFUNDED")).toBe(1);
  });

  it("stay right under concurrent changes of payments that share a shard", async () => {
    // Ids counted on one shard (hashtext(id) & 31, as services/lib/status-counts.ts shards): their changes write the
    // same count rows.
    const { rows } = await db.raw(
      "select 'one_shard_' || i as id from generate_series(1, 10000) i where hashtext('pay_one_shard_' || i) & 31 = 7 limit 30",
    );
    const ids: string[] = rows.map((r: { id: string }) => r.id);
    await Promise.all(ids.map(create));
    await Promise.all(ids.map((id) => store.transition(`pay_${id}`, { to: "EXECUTING" })));
    // Moves from and to different statuses at once: each locks its two count rows in status order, none deadlocks.
    await Promise.all(
      ids.map((id, i) =>
        i % 3 === 0
          ? store.transition(`pay_${id}`, failedBecause("declined"))
          : store.transition(`pay_${id}`, { to: i % 3 === 1 ? "SUCCEEDED" : "PENDING" }),
      ),
    );
    // Creates at once, each counted on NOT_STARTED's shard of its id.
    await Promise.all(ids.map((_, i) => create(`late_${i}`)));
    await expectCountsRight();
  });

  it("are taken back with a change or a create that rolls back", async () => {
    await create("rolled_back");
    const before = await store.countByStatus();
    const countIn = async (trx: Db, status: string) =>
      Number(
        (await trx.raw("select sum(counted) as n from payment_status_counts where status = ?", [status])).rows[0].n,
      );
    await expect(
      db.transaction(async (trx) => {
        // A status change as every one writes it: the orders, then the payment row.
        await trx("payment_orders").where({ payment_id: "pay_rolled_back" }).update({ status: "EXECUTING" });
        await trx("payments").where({ id: "pay_rolled_back" }).update({ updated_at: trx.fn.now() });
        const row = await trx("payments").where({ id: "pay_rolled_back" }).first();
        await trx("payments").insert({ ...row, id: "pay_never", checkout_id: "chk_never", seq: undefined });
        expect(await countIn(trx, "EXECUTING")).toBe(before.get("EXECUTING")! + 2);
        throw new Error("abandoned");
      }),
    ).rejects.toThrow("abandoned");
    expect(everyStatus(await store.countByStatus())).toEqual(everyStatus(before));
    await expectCountsRight();
  });

  it("follow deleted payments", async () => {
    await create("deleted");
    await store.transition("pay_deleted", { to: "EXECUTING" });
    for (const table of ["status_history", "idempotency_keys", "payment_orders"])
      await db(table).where({ payment_id: "pay_deleted" }).delete();
    await db("payments").where({ id: "pay_deleted" }).delete();
    await expectCountsRight();
  });
});

describe("payments{status} on the metrics endpoint", () => {
  it("answers the counts of every status, as counting the payments does", async () => {
    const registry = createMetricsRegistry("payment");
    registerPaymentsGauge(registry, store);
    const server = await startMetricsServer(
      registry,
      { host: "127.0.0.1", health: async () => true },
      createLogger("payment"),
    );
    try {
      const metrics = await scrape(server.url);
      const counted = await countedFromPayments();
      expect(counted.size).toBeGreaterThan(3);
      for (const status of PAYMENT_STATUSES)
        expect(metrics.value("payments", { status }), status).toBe(counted.get(status) ?? 0);
    } finally {
      await server.close();
    }
  });

  it("counts nothing after the payments are truncated", async () => {
    await db.raw("truncate payments cascade");
    expect(everyStatus(await store.countByStatus())).toEqual(everyStatus(new Map()));
  });
});
