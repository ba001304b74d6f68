import { randomBytes } from "node:crypto";
import pg from "pg";
import { dropServiceRolesSql } from "../../services/lib/service-db.js";
import { ensurePostgres } from "../infra/postgres.js";

/**
 * Runs `use` with a new database on DATABASE_URL's server (or an embedded PostgreSQL when it is unset), dropped
 * afterwards whatever happens; `admin` is a connection to the server's own database.
 */
export async function withTemporaryDatabase<T>(
  prefix: string,
  use: (url: string, admin: pg.Client, origin: string) => Promise<T>,
): Promise<T> {
  const postgres = await ensurePostgres();
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  try {
    await admin.query(`create database ${name}`);
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    return await use(url.toString(), admin, postgres.origin);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(dropServiceRolesSql(name));
    await admin.end();
    await postgres.stop();
  }
}
