import { createHash } from "node:crypto";
import pg from "pg";
import { envString } from "./config.js";
import { createDb, migrateUp, type Db, type Migration } from "./db.js";
import { envSecret, isDevelopment, optionalEnvSecret, PASSWORD_MIN_LENGTH, requireSecret } from "./secrets.js";

/** How a service reaches PostgreSQL. */
export interface ServiceDatabaseConfig {
  /** The database the service works in; it connects as its own role (the user in the URL is replaced). */
  databaseUrl: string;
  /** The schema owner's connection, for migrations and the role's rights; databaseUrl by default. */
  migrationDatabaseUrl?: string;
  /** The password of the service's role; derived from the owner's connection when absent (development, tests). */
  databasePassword?: string;
}

/** What a service owns in the database. */
export interface ServiceSchema {
  name: string;
  migrations: readonly Migration[];
  /** Tables the service may read and insert into only (their triggers refuse updates and deletes too). */
  insertOnlyTables: readonly string[];
}

/**
 * <SCHEMA>_DATABASE_URL (else DATABASE_URL), <SCHEMA>_MIGRATION_DATABASE_URL and <SCHEMA>_DB_PASSWORD (required
 * outside development): each schema may live on its own cluster. MIGRATION_DATABASE_URL is the owner's connection
 * only of a service on DATABASE_URL: one given a database of its own migrates through that, unless told otherwise.
 */
export function serviceDatabaseFromEnv(schema: string): ServiceDatabaseConfig {
  const prefix = schema.toUpperCase();
  const password = `${prefix}_DB_PASSWORD`;
  const ownDatabaseUrl = process.env[`${prefix}_DATABASE_URL`] || undefined;
  const databaseUrl = ownDatabaseUrl ?? envString("DATABASE_URL");
  const migrationDatabaseUrl =
    process.env[`${prefix}_MIGRATION_DATABASE_URL`] ||
    (ownDatabaseUrl ? undefined : process.env.MIGRATION_DATABASE_URL || undefined);
  // The owner's password, when the URL carries one (trust or peer authentication need none), is a secret too.
  const ownerPassword = decodeURIComponent(new URL(migrationDatabaseUrl ?? databaseUrl).password);
  if (ownerPassword !== "")
    requireSecret("the password in MIGRATION_DATABASE_URL (or DATABASE_URL)", ownerPassword, {
      minLength: PASSWORD_MIN_LENGTH,
    });
  return {
    databaseUrl,
    migrationDatabaseUrl,
    databasePassword: isDevelopment() ? optionalEnvSecret(password) : envSecret(password),
  };
}

// Services migrate and grant one at a time per database: knex creates its own tables unguarded on a new schema, and
// concurrent GRANTs on one object can fail with "tuple concurrently updated". Any constant unique among the
// platform's advisory locks.
const SETUP_LOCK_KEY = 0x6772616e74;

/**
 * Migrates the service's schema as its owner, gives the service's role (`<database>_<schema>`: roles are
 * server-wide, so two databases on one server never share one) its rights, and returns a pool connected as that
 * role: no superuser, nothing outside its own schema.
 */
export async function openServiceDb(
  config: ServiceDatabaseConfig,
  schema: ServiceSchema,
  poolMax?: number,
): Promise<Db> {
  const ownerUrl = config.migrationDatabaseUrl ?? config.databaseUrl;
  // Derived rather than random, so that every instance (and test replica) of a service agrees without being told.
  const password = config.databasePassword ?? createHash("sha256").update(`${ownerUrl}\n${schema.name}`).digest("hex");
  const owner = createDb(ownerUrl, schema.name, 1);
  const role = await oneAtATime(ownerUrl, () => migrateAndGrant(owner, schema, password)).finally(() =>
    owner.destroy(),
  );
  const url = new URL(config.databaseUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return createDb(url.toString(), schema.name, poolMax);
}

/** Runs `work` under an advisory lock held by a connection of its own (ending it releases the lock). */
async function oneAtATime<T>(url: string, work: () => Promise<T>): Promise<T> {
  const lock = new pg.Client(url);
  // A server going away mid-setup fails the queries below; the client's 'error' event must not crash the process.
  lock.on("error", () => {});
  await lock.connect();
  try {
    await lock.query("select pg_advisory_lock($1)", [SETUP_LOCK_KEY]);
    return await work();
  } finally {
    await lock.end();
  }
}

/** Applies pending migrations, then creates or updates the role and grants it the schema's rights as they now are. */
async function migrateAndGrant(owner: Db, schema: ServiceSchema, password: string): Promise<string> {
  await migrateUp(owner, schema.name, schema.migrations);
  return owner.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { role: string }[] }>("select current_database() || '_' || ? as role", [
      schema.name,
    ]);
    const role = rows[0]!.role;
    const exists = await trx.raw<{ rowCount: number }>("select 1 from pg_roles where rolname = ?", [role]);
    if (exists.rowCount === 0) await trx.raw("create role ??", [role]);
    // A utility statement takes no bind parameters: the password goes in as a quoted literal.
    await trx.raw(
      `alter role ?? with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password ${pg.escapeLiteral(password)}`,
      [role],
    );
    // PostgreSQL before 15 lets every role create tables in public.
    await trx.raw("revoke create on schema public from public");
    await trx.raw("grant usage on schema ?? to ??", [schema.name, role]);
    await trx.raw("grant select, insert, update, delete on all tables in schema ?? to ??", [schema.name, role]);
    await trx.raw("grant usage, select on all sequences in schema ?? to ??", [schema.name, role]);
    const qualified = (table: string) => trx.raw("??.??", [schema.name, table]);
    await trx.raw("revoke all on ?, ? from ??", [
      qualified("knex_migrations"),
      qualified("knex_migrations_lock"),
      role,
    ]);
    for (const table of schema.insertOnlyTables)
      await trx.raw("revoke update, delete on ? from ??", [qualified(table), role]);
    return role;
  });
}

/** SQL dropping the roles openServiceDb made for database `database` (after the database itself is dropped). */
export function dropServiceRolesSql(database: string): string {
  return `
    do $$ declare role text; begin
      for role in select rolname from pg_roles where starts_with(rolname, ${pg.escapeLiteral(`${database}_`)}) loop
        execute format('drop role %I', role);
      end loop;
    end $$`;
}
