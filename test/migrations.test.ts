import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateDownAll, migrateUp, type Db, type Migration } from "../services/lib/db.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "../services/payment/store/migrations/index.js";
import { RISK_SCHEMA, riskMigrations } from "../services/risk/store/migrations/index.js";
import { WALLET_SCHEMA, walletMigrations } from "../services/wallet/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "./support/test-database.js";

const SERVICES: [string, readonly Migration[]][] = [
  [PAYMENT_SCHEMA, paymentMigrations],
  [RISK_SCHEMA, riskMigrations],
  [WALLET_SCHEMA, walletMigrations],
];

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, "public");
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

async function tablesIn(schema: string): Promise<string[]> {
  const rows: { table_name: string }[] = await db("information_schema.tables")
    .where({ table_schema: schema })
    .select("table_name");
  return rows
    .map((r) => r.table_name)
    .filter((t) => !t.startsWith("knex_migrations"))
    .sort();
}

describe.each(SERVICES)("migrations of the %s schema", (schema, migrations) => {
  it("run up, down and up again, each service in its own schema", async () => {
    const serviceDb = createDb(database.url, schema);
    try {
      await migrateUp(serviceDb, schema, migrations);
      const tables = await tablesIn(schema);
      expect(tables.length).toBeGreaterThan(0);

      await migrateDownAll(serviceDb, schema, migrations);
      expect(await tablesIn(schema)).toEqual([]);

      await migrateUp(serviceDb, schema, migrations);
      expect(await tablesIn(schema)).toEqual(tables);
      expect(await tablesIn("public")).toEqual([]);
    } finally {
      await serviceDb.destroy();
    }
  });
});

describe("011_checkout_status", () => {
  it("fills in the checkout status of the payments already there, from their orders, and keeps it as orders change", async () => {
    const schema = "payment_backfill";
    const serviceDb = createDb(database.url, schema);
    const before = paymentMigrations.findIndex((m) => m.name === "011_checkout_status");
    try {
      await migrateUp(serviceDb, schema, paymentMigrations.slice(0, before));
      const payment = (id: string) => ({
        id,
        checkout_id: `cart-${id}`,
        request_fingerprint: "f",
        buyer_id: "b",
        buyer_country: "US",
        return_url: "",
        currency: "USD",
        total_minor: 300,
        requested_total_minor: 300,
        platform_fee_bps: 0,
        status_page_url: "",
      });
      const order = (paymentId: string, orderId: string, status: string) => ({
        payment_id: paymentId,
        order_id: orderId,
        position: orderId === "o1" ? 0 : 1,
        seller_id: "s",
        amount_minor: 150,
        requested_minor: 150,
        platform_fee_minor: 0,
        status,
      });
      await serviceDb("payments").insert([payment("p1"), payment("p2"), payment("p3")]);
      await serviceDb("payment_orders").insert([
        order("p1", "o1", "SUCCEEDED"),
        order("p1", "o2", "SUCCEEDED"),
        order("p2", "o1", "REFUNDED"),
        order("p2", "o2", "SUCCEEDED"),
        order("p3", "o1", "FAILED"),
      ]);

      await migrateUp(serviceDb, schema, paymentMigrations);
      const rows = await serviceDb("payments").orderBy("id").select("id", "checkout_status");
      expect(rows).toEqual([
        { id: "p1", checkout_status: "SUCCEEDED" },
        { id: "p2", checkout_status: "PARTIALLY_REFUNDED" },
        { id: "p3", checkout_status: "FAILED" },
      ]);

      // Kept from then on: each status change moves the orders, then writes the payment (its updated_at).
      const moveOrders = async (paymentId: string, status: string, orderId?: string) => {
        await serviceDb("payment_orders")
          .where({ payment_id: paymentId, ...(orderId && { order_id: orderId }) })
          .update({ status });
        await serviceDb("payments").where({ id: paymentId }).update({ updated_at: serviceDb.fn.now() });
      };
      await moveOrders("p2", "REFUNDED", "o2");
      await moveOrders("p1", "PARTIALLY_REFUNDED");
      await serviceDb("payments").insert(payment("p4"));
      await serviceDb("payment_orders").insert([order("p4", "o1", "NOT_STARTED"), order("p4", "o2", "NOT_STARTED")]);
      expect(await serviceDb("payments").where({ id: "p4" }).first("checkout_status")).toEqual({
        checkout_status: "NOT_STARTED",
      });
      await moveOrders("p4", "EXECUTING");
      expect(await serviceDb("payments").orderBy("id").select("id", "checkout_status")).toEqual([
        { id: "p1", checkout_status: "PARTIALLY_REFUNDED" },
        { id: "p2", checkout_status: "REFUNDED" },
        { id: "p3", checkout_status: "FAILED" },
        { id: "p4", checkout_status: "EXECUTING" },
      ]);
    } finally {
      await migrateDownAll(serviceDb, schema, paymentMigrations);
      await serviceDb.raw("drop schema if exists ?? cascade", [schema]);
      await serviceDb.destroy();
    }
  });
});

describe("004_outbox_dead_letters (wallet)", () => {
  it("fills in the seller of the payout events already in the outbox, the key their order is kept by", async () => {
    const schema = "wallet_outbox_backfill";
    const serviceDb = createDb(database.url, schema);
    const before = walletMigrations.findIndex((m) => m.name === "004_outbox_dead_letters");
    try {
      await migrateUp(serviceDb, schema, walletMigrations.slice(0, before));
      const payout = (payoutId: string, sellerId: string) => ({
        payout_id: payoutId,
        seller_id: sellerId,
        currency: "USD",
        amount_minor: 100,
        destination: "acct",
        status: "PENDING",
      });
      await serviceDb("payouts").insert([payout("po_1", "s1"), payout("po_2", "s2")]);
      await serviceDb("outbox").insert(
        ["po_1", "po_2", "po_1"].map((payoutId, i) => ({
          event_id: `evt_${i}`,
          payout_id: payoutId,
          subject: "payout.pending",
          payload: Buffer.from("x"),
        })),
      );

      await migrateUp(serviceDb, schema, walletMigrations);
      expect(await serviceDb("outbox").orderBy("id").pluck("seller_id")).toEqual(["s1", "s2", "s1"]);
      await expect(
        serviceDb("outbox").insert({
          event_id: "evt_3",
          payout_id: "po_1",
          subject: "payout.paid",
          payload: Buffer.from("x"),
        }),
      ).rejects.toThrow(/seller_id/);
    } finally {
      await serviceDb.raw("drop schema if exists ?? cascade", [schema]);
      await serviceDb.destroy();
    }
  });
});
