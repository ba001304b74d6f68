import knexFactory, { type Knex } from "knex";
import pg from "pg";

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
    connection: databaseUrl,
    searchPath: [schema],
    pool: { min: 0, max: poolMax },
  });
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

/** Health probe: the service is serving when its database answers. */
export function databaseAnswers(db: Db): () => Promise<boolean> {
  return async () => (await db.raw("select 1")).rowCount === 1;
}
