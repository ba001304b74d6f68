import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateDownAll, migrateUp, type Db } from "../../services/lib/db.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, LEDGER_SCHEMA);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** Tables and functions of a schema, without knex's own bookkeeping. */
async function objectsIn(schema: string): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { name: string }[] }>(
    `select 'table ' || table_name as name from information_schema.tables where table_schema = ? and table_name not like 'knex_migrations%'
     union all
     select 'function ' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ?
     order by 1`,
    [schema, schema],
  );
  return rows.map((r) => r.name);
}

describe("ledger migrations", () => {
  it("run up, down and up again, in the ledger schema only", async () => {
    await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
    const objects = await objectsIn(LEDGER_SCHEMA);
    expect(objects).toEqual([
      "function admit_entries",
      "function admit_entry",
      "function advance_checkpoints",
      "function check_transaction",
      "function fold_revenue_days",
      "function keep_entries_balanced",
      "function post_transaction",
      "function post_transactions",
      "function refuse_change",
      "function revenue_entries_from",
      "function rpc_audit_refuse_change",
      "table account_checkpoints",
      "table accounts",
      "table checkpoint_horizon",
      "table entries",
      "table inbox",
      "table revenue_days",
      "table revenue_entries",
      "table rpc_audit",
      "table transactions",
    ]);

    await migrateDownAll(db, LEDGER_SCHEMA, ledgerMigrations);
    expect(await objectsIn(LEDGER_SCHEMA)).toEqual([]);

    await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
    expect(await objectsIn(LEDGER_SCHEMA)).toEqual(objects);
    expect(await objectsIn("public")).toEqual([]);
  });
});
