import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateDownAll, migrateUp, type Db } from "../../services/lib/db.js";
import { CONSOLE_SCHEMA, consoleMigrations } from "../../services/console/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, CONSOLE_SCHEMA);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const tables = async (): Promise<string[]> =>
  (await db("information_schema.tables").where({ table_schema: CONSOLE_SCHEMA }).select("table_name"))
    .map((r: { table_name: string }) => r.table_name)
    .filter((t: string) => !t.startsWith("knex_migrations"))
    .sort();

describe("migrations of the console schema", () => {
  it("run up, down and up again, in the console's own schema", async () => {
    await migrateUp(db, CONSOLE_SCHEMA, consoleMigrations);
    expect(await tables()).toEqual(["audit_log", "operators", "sessions"]);
    await migrateDownAll(db, CONSOLE_SCHEMA, consoleMigrations);
    expect(await tables()).toEqual([]);
    await migrateUp(db, CONSOLE_SCHEMA, consoleMigrations);
    expect(await tables()).toEqual(["audit_log", "operators", "sessions"]);
  });

  it("adds disabled_at to operators, empty for the existing ones", async () => {
    await migrateUp(db, CONSOLE_SCHEMA, consoleMigrations);
    await db("operators").insert({
      id: "old",
      display_name: "Old",
      role: "viewer",
      password_salt: Buffer.alloc(16),
      password_hash: Buffer.alloc(64),
    });
    expect((await db("operators").where({ id: "old" }).first()).disabled_at).toBeNull();
  });

  it("refuses an unknown role", async () => {
    await migrateUp(db, CONSOLE_SCHEMA, consoleMigrations);
    await expect(
      db("operators").insert({
        id: "x",
        display_name: "X",
        role: "root",
        password_salt: Buffer.alloc(16),
        password_hash: Buffer.alloc(64),
      }),
    ).rejects.toThrow(/role_known/);
  });
});
