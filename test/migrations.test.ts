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
  const rows: { table_name: string }[] = await db("information_schema.tables").where({ table_schema: schema }).select("table_name");
  return rows.map((r) => r.table_name).filter((t) => !t.startsWith("knex_migrations")).sort();
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
