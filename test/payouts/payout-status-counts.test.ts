import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { PAYOUT_STATUSES } from "../../services/wallet/domain/payout.js";
import { WALLET_SCHEMA, walletMigrations } from "../../services/wallet/store/migrations/index.js";
import { PayoutStore } from "../../services/wallet/store/payout-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/** payouts{status} reads counts kept by a trigger as payouts change (migration 007): equal to counting the payouts. */
let database: TestDatabase;
let db: Db;
let store: PayoutStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, WALLET_SCHEMA);
  store = new PayoutStore(db);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const everyStatus = (counts: ReadonlyMap<string, number>) =>
  Object.fromEntries(PAYOUT_STATUSES.map((status) => [status, counts.get(status) ?? 0]));

async function expectCountsRight(): Promise<void> {
  const { rows } = await db.raw("select status, count(*)::int as payouts from payouts group by status");
  const counted = new Map<string, number>(rows.map((r: { status: string; payouts: number }) => [r.status, r.payouts]));
  expect(everyStatus(await store.countByStatus())).toEqual(everyStatus(counted));
}

const payout = (payoutId: string, status = "PENDING") => ({
  payout_id: payoutId,
  seller_id: "seller_1",
  currency: "EUR",
  amount_minor: 1_000,
  destination: "FR76 3000 6000 0112 3456 7890 189",
  status,
});

describe("payout status counts", () => {
  it("are filled from the payouts already there, then follow new payouts, changes and rollbacks", async () => {
    const before = walletMigrations.findIndex((m) => m.name === "007_payout_status_counts");
    await migrateUp(db, WALLET_SCHEMA, walletMigrations.slice(0, before));
    await db("payouts").insert([payout("po_1", "PAID"), payout("po_2"), payout("po_3", "FAILED")]);
    await migrateUp(db, WALLET_SCHEMA, walletMigrations);
    expect(everyStatus(await store.countByStatus())).toEqual({ PENDING: 1, PAID: 1, FAILED: 1 });

    const ids = Array.from({ length: 20 }, (_, i) => `po_new_${i}`);
    await db("payouts").insert(ids.map((id) => payout(id)));
    await Promise.all(
      ids.map((id, i) =>
        db("payouts")
          .where({ payout_id: id })
          .update({ status: i % 4 === 0 ? "FAILED" : "PAID" }),
      ),
    );
    await expect(
      db.transaction(async (trx) => {
        await trx("payouts").where({ payout_id: "po_2" }).update({ status: "PAID" });
        throw new Error("abandoned");
      }),
    ).rejects.toThrow("abandoned");
    await db("payouts").where({ payout_id: "po_3" }).delete();
    await expectCountsRight();
    expect(everyStatus(await store.countByStatus())).toEqual({ PENDING: 1, PAID: 16, FAILED: 5 });
  });
});
