import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { dropServiceRolesSql } from "../../services/lib/service-db.js";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(inject("adminDatabaseUrl"));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file, so that runs and files never see each other's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pp_test_${randomBytes(6).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(inject("adminDatabaseUrl"));
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin(`drop database if exists ${name} with (force)`);
      await admin(dropServiceRolesSql(name));
    },
  };
}
