import knexFactory, { type Knex } from "knex";
import pg from "pg";
import { countTraffic } from "./db-traffic.js";
import { createLogger, type Logger } from "./log.js";

// int8 columns hold money: read them as bigint, never as a lossy number or a string.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => BigInt(value));

export type Db = Knex;

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** A pool whose every connection works inside the service's own schema. */
export function createDb(databaseUrl: string, schema: string, poolMax = 10): Db {
  return knexFactory({
    client: "pg",
    // Through a failover: a server that does not answer fails the connect within seconds instead of hanging it, and
    // a connection whose server vanished silently is found dead by keepalives. A pooled connection that failed is
    // discarded by knex (it marks it disposed on the client's 'error' and 'end').
    connection: {
      connectionString: databaseUrl,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    },
    searchPath: [schema],
    acquireConnectionTimeout: 10_000,
    pool: {
      min: 0,
      max: poolMax,
      afterCreate: (connection: pg.Client, done: (err: Error | null, connection: pg.Client) => void) => {
        countTraffic(connection, schema);
        done(null, connection);
      },
    },
    log: knexLog(createLogger(schema)),
  });
}

/** knex's own warnings ("Acquire connection error", one per failed connect in an outage) as one log line each, no stack. */
function knexLog(log: Logger): Knex.Logger {
  const firstLine = (message: unknown) => String(message).split("\n", 1)[0] ?? "";
  return {
    warn: (message) => log.warn(firstLine(message), { from: "knex" }),
    error: (message) => log.error(firstLine(message), { from: "knex" }),
    deprecate: (method, alternative) => log.warn(`knex: ${method} is deprecated, use ${alternative}`),
    debug: () => {},
  };
}

// Migrations are plain TypeScript modules listed in code, so that tsx, vitest and node all load them alike.
class ListedMigrations implements Knex.MigrationSource<Migration> {
  constructor(private readonly migrations: readonly Migration[]) {}
  getMigrations() {
    return Promise.resolve([...this.migrations]);
  }
  getMigrationName(migration: Migration) {
    return migration.name;
  }
  getMigration(migration: Migration) {
    return Promise.resolve(migration);
  }
}

function migratorConfig(schema: string, migrations: readonly Migration[]): Knex.MigratorConfig {
  return { migrationSource: new ListedMigrations(migrations), schemaName: schema, tableName: "knex_migrations" };
}

/** Creates the schema if needed and applies pending migrations; safe when several instances start at once. */
export async function migrateUp(db: Db, schema: string, migrations: readonly Migration[]): Promise<void> {
  try {
    await db.raw("create schema if not exists ??", [schema]);
  } catch (err) {
    // Two instances creating the schema at the same moment: the loser sees a unique violation.
    if ((err as { code?: string }).code !== "23505") throw err;
  }
  await db.migrate.latest(migratorConfig(schema, migrations));
}

/** Reverts every migration (for tests and local resets). */
export async function migrateDownAll(db: Db, schema: string, migrations: readonly Migration[]): Promise<void> {
  await db.migrate.rollback(migratorConfig(schema, migrations), true);
}

/** True when a query failed on a unique constraint. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === "23505";
}

/** Health probe: the service is serving when its database answers, within `timeoutMs` (a hung connection is no answer). */
export function databaseAnswers(db: Db, timeoutMs = HEALTH_PROBE_TIMEOUT_MS): () => Promise<boolean> {
  return async () => (await db.raw("select 1").timeout(timeoutMs)).rowCount === 1;
}

export const HEALTH_PROBE_TIMEOUT_MS = 1_500;

export interface StaleClaim {
  table: string;
  key: string;
  /** SQL over `table`'s columns naming the rows that may be claimed, e.g. "status = 'PENDING'" (a constant, never input). */
  where: string;
  returning: string;
  staleAfterMs: number;
  limit: number;
}

/**
 * Claims up to `limit` rows untouched (updated_at, polled_at) for `staleAfterMs`, oldest first, marking them polled
 * now: a claimed row waits `staleAfterMs` before anyone claims it again, and SKIP LOCKED lets several instances
 * claim disjoint batches at once.
 */
export async function claimStaleRows<Row>(db: Db, claim: StaleClaim): Promise<Row[]> {
  const { rows } = await db.raw(
    `update ?? set polled_at = now()
     where ?? in (
       select ?? from ??
       where (${claim.where}) and greatest(updated_at, polled_at) < now() - make_interval(secs => ?)
       order by greatest(updated_at, polled_at)
       limit ?
       for update skip locked)
     returning ${claim.returning}`,
    [claim.table, claim.key, claim.key, claim.table, claim.staleAfterMs / 1000, claim.limit],
  );
  return rows;
}

/**
 * SQL making `table` insert-only (an audit trail): a trigger function `fn` refuses every update, delete and
 * truncate with `why` in its error (SQLSTATE restrict_violation). For migrations: every argument is a constant
 * pasted into the SQL (`why` without quotes or %).
 */
export function insertOnlySql(table: string, fn: string, why: string): string {
  return `
      create function ${fn}() returns trigger language plpgsql as $$
      begin
        raise exception '% on %.% is not allowed: ${why}', tg_op, tg_table_schema, tg_table_name
          using errcode = 'restrict_violation';
      end $$;
      create trigger ${table}_immutable before update or delete on ${table}
        for each row execute function ${fn}();
      create trigger ${table}_no_truncate before truncate on ${table}
        for each statement execute function ${fn}();`;
}
