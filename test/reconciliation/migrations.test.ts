import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateDownAll, migrateUp, type Db } from "../../services/lib/db.js";
import {
  RECONCILIATION_SCHEMA,
  reconciliationMigrations,
} from "../../services/reconciliation/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, RECONCILIATION_SCHEMA);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const notes = async () =>
  (await db("runs").orderBy("id").select("status", "balance_check_note")).map(
    (r: { status: string; balance_check_note: string | null }) => [r.status, r.balance_check_note],
  );

describe("migrations of the reconciliation schema", () => {
  it("keep the balance check's note on runs: unknown for the runs that finished before, none for the others", async () => {
    const upTo004 = reconciliationMigrations.slice(
      0,
      reconciliationMigrations.findIndex((m) => m.name === "005_balance_check_note"),
    );
    await migrateUp(db, RECONCILIATION_SCHEMA, upTo004);
    await db("runs").insert([
      { settlement_date: "2024-01-01", checksum: "a", source: "a.csv", status: "finished" },
      { settlement_date: "2024-01-02", checksum: "b", source: "b.csv", status: "running" },
    ]);
    await migrateUp(db, RECONCILIATION_SCHEMA, reconciliationMigrations);
    expect(await notes()).toEqual([
      [
        "finished",
        "not recorded: the run finished before the balance check was kept on runs; run the file again to check it",
      ],
      ["running", null],
    ]);

    await migrateDownAll(db, RECONCILIATION_SCHEMA, reconciliationMigrations);
    await migrateUp(db, RECONCILIATION_SCHEMA, reconciliationMigrations);
    expect(await notes()).toEqual([]);
  });
});
