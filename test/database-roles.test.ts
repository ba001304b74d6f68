import { randomPageTokenSecret } from "../services/lib/page-token.js";
import { testTls } from "./support/tls.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerService } from "../services/ledger/service.js";
import { startRiskService } from "../services/risk/service.js";
import { sampleCheckout, payCheckout } from "./support/checkouts.js";
import { createTestDatabase } from "./support/test-database.js";
import { usePlatform } from "./support/use-platform.js";
import { waitFor } from "./support/wait.js";

const under = usePlatform();
const SCHEMAS = ["payment", "risk", "ledger", "wallet", "reconciliation", "console"];
/** A table of each schema, to try reading from the others. */
const SOME_TABLE: Record<string, string> = {
  payment: "payments",
  risk: "risk_assessments",
  ledger: "entries",
  wallet: "balances",
  reconciliation: "runs",
  console: "operators",
};
/** The insert-only tables, with a column of each. */
const INSERT_ONLY: Record<string, string> = {
  "ledger.accounts": "code",
  "ledger.transactions": "id",
  "ledger.entries": "position",
  "reconciliation.adjustments": "reason",
  "console.audit_log": "action",
  // Every gRPC service's record of the calls it received.
  ...Object.fromEntries(
    ["payment", "risk", "ledger", "wallet", "reconciliation"].map((schema) => [`${schema}.rpc_audit`, "outcome"]),
  ),
};

// The schema owner, acting as one role or another with SET ROLE inside a rolled-back transaction.
let owner: pg.Client;
let roleOf: (schema: string) => string;
beforeAll(async () => {
  owner = new pg.Client(under.platform.database.url);
  await owner.connect();
  const database = new URL(under.platform.database.url).pathname.slice(1);
  roleOf = (schema) => `${database}_${schema}`;
});
afterAll(async () => {
  await owner?.end();
});

/** The SQLSTATE of `sql` run as `role`, or "ok". */
async function asRole(role: string, sql: string): Promise<string> {
  await owner.query("begin");
  try {
    await owner.query(`set local role ${pg.escapeIdentifier(role)}`);
    await owner.query(sql);
    return "ok";
  } catch (err) {
    return (err as { code: string }).code;
  } finally {
    await owner.query("rollback");
  }
}

const INSUFFICIENT_PRIVILEGE = "42501";

describe("each service connects as a role of its own", () => {
  it("the roles can log in and are neither superuser nor allowed to create databases or roles", async () => {
    const { rows } = await owner.query(
      "select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = any($1) order by rolname",
      [SCHEMAS.map((schema) => roleOf(schema))],
    );
    expect(rows).toHaveLength(SCHEMAS.length);
    for (const row of rows)
      expect(row).toEqual({
        rolname: row.rolname,
        rolcanlogin: true,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
      });
  });

  it("a service's role cannot read (or even look into) another service's schema", async () => {
    for (const schema of SCHEMAS) {
      expect(await asRole(roleOf(schema), `select 1 from ${schema}.${SOME_TABLE[schema]} limit 1`), schema).toBe("ok");
      for (const other of SCHEMAS.filter((s) => s !== schema)) {
        expect(
          await asRole(roleOf(schema), `select 1 from ${other}.${SOME_TABLE[other]} limit 1`),
          `${schema} reading ${other}`,
        ).toBe(INSUFFICIENT_PRIVILEGE);
      }
    }
    const { rows } = await owner.query(
      `select r.rolname, n.nspname from pg_roles r cross join pg_namespace n
       where r.rolname = any($1) and n.nspname = any($2) and n.nspname <> substr(r.rolname, length(current_database()) + 2)
         and has_schema_privilege(r.rolname, n.nspname, 'usage')`,
      [SCHEMAS.map((schema) => roleOf(schema)), SCHEMAS],
    );
    expect(rows).toEqual([]);
  });

  it("the ledger journal and the audit tables are insert-only for their role: UPDATE and DELETE are refused before any trigger", async () => {
    for (const [table, column] of Object.entries(INSERT_ONLY)) {
      const role = roleOf(table.split(".")[0]!);
      expect(await asRole(role, `select * from ${table} limit 1`), table).toBe("ok");
      expect(await asRole(role, `update ${table} set ${column} = ${column}`), table).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await asRole(role, `delete from ${table}`), table).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await asRole(role, `truncate ${table}`), table).toBe(INSUFFICIENT_PRIVILEGE);
    }
    // Every table whose triggers refuse truncation (the mark of an insert-only table) is in the list above.
    const { rows } = await owner.query(
      `select distinct n.nspname || '.' || c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and t.tgname like '%no_truncate' order by 1`,
      [SCHEMAS],
    );
    expect(rows.map((r) => r.table)).toEqual(Object.keys(INSERT_ONLY).sort());
  });

  it("a service's role cannot create anything, in public or in its own schema, nor touch the migration records", async () => {
    for (const schema of SCHEMAS) {
      expect(await asRole(roleOf(schema), "create table public.intruder (id int)"), schema).toBe(
        INSUFFICIENT_PRIVILEGE,
      );
      expect(await asRole(roleOf(schema), `create table ${schema}.intruder (id int)`), schema).toBe(
        INSUFFICIENT_PRIVILEGE,
      );
      expect(await asRole(roleOf(schema), `select 1 from ${schema}.knex_migrations`), schema).toBe(
        INSUFFICIENT_PRIVILEGE,
      );
    }
  });

  it("the platform works end to end with them: a paid checkout reaches the ledger and the wallets, and no service connects as the owner", async () => {
    const paymentId = await payCheckout(under.client("payment", "marketplace"), sampleCheckout());
    await waitFor(
      async () =>
        (await owner.query("select 1 from ledger.transactions where id = $1", [`payin:${paymentId}`])).rowCount,
      (found) => found === 1,
      15_000,
      "the ledger to book the pay-in",
    );
    await waitFor(
      async () => (await owner.query("select 1 from wallet.balances where seller_id = 'seller-a'")).rowCount,
      (found) => found! > 0,
      15_000,
      "the wallet credit",
    );
    const { rows } = await owner.query(
      "select distinct usename from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    const users = rows.map((r) => r.usename as string);
    expect(users).toEqual(
      expect.arrayContaining(["payment", "risk", "ledger", "wallet"].map((schema) => roleOf(schema))),
    );
    expect(
      users.every((user) => SCHEMAS.some((schema) => roleOf(schema) === user)),
      users.join(", "),
    ).toBe(true);
  });

  it("several instances starting at once on a new database all migrate, grant and serve", async () => {
    const database = await createTestDatabase();
    const pageTokenSecret = randomPageTokenSecret();
    try {
      const started = await Promise.all([
        ...[1, 2, 3].map(() => startRiskService({ databaseUrl: database.url, tls: testTls("risk"), pageTokenSecret })),
        ...[1, 2].map(() => startLedgerService({ databaseUrl: database.url, tls: testTls("ledger"), pageTokenSecret })),
      ]);
      await Promise.all(started.map((service) => service.close()));
    } finally {
      await database.drop();
    }
  });
});
