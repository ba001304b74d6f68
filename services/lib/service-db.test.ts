import { afterEach, describe, expect, it, vi } from "vitest";
import { serviceDatabaseFromEnv } from "./service-db.js";

describe("serviceDatabaseFromEnv", () => {
  afterEach(() => vi.unstubAllEnvs());
  const env = (vars: Record<string, string>) => {
    vi.stubEnv("PLATFORM_ENV", "development");
    for (const name of [
      "DATABASE_URL",
      "MIGRATION_DATABASE_URL",
      "LEDGER_DATABASE_URL",
      "LEDGER_MIGRATION_DATABASE_URL",
    ])
      vi.stubEnv(name, vars[name] ?? "");
  };

  it("gives every service DATABASE_URL and MIGRATION_DATABASE_URL unless it has its own", () => {
    env({ DATABASE_URL: "postgres://main/db", MIGRATION_DATABASE_URL: "postgres://owner@main/db" });
    expect(serviceDatabaseFromEnv("payment")).toMatchObject({
      databaseUrl: "postgres://main/db",
      migrationDatabaseUrl: "postgres://owner@main/db",
    });
  });

  it("gives a service <SCHEMA>_DATABASE_URL, migrated through it or <SCHEMA>_MIGRATION_DATABASE_URL, never the other cluster's owner", () => {
    env({
      DATABASE_URL: "postgres://main/db",
      MIGRATION_DATABASE_URL: "postgres://owner@main/db",
      LEDGER_DATABASE_URL: "postgres://books/db",
    });
    expect(serviceDatabaseFromEnv("ledger")).toMatchObject({
      databaseUrl: "postgres://books/db",
      migrationDatabaseUrl: undefined,
    });
    expect(serviceDatabaseFromEnv("wallet")).toMatchObject({ databaseUrl: "postgres://main/db" });
    vi.stubEnv("LEDGER_MIGRATION_DATABASE_URL", "postgres://owner@books/db");
    expect(serviceDatabaseFromEnv("ledger")).toMatchObject({
      databaseUrl: "postgres://books/db",
      migrationDatabaseUrl: "postgres://owner@books/db",
    });
  });
});
