import type { TestProject } from "vitest/node";
import { ensureNats } from "../scripts/infra/nats.js";
import { ensurePostgres } from "../scripts/infra/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A database on a server where tests may create their own databases. */
    adminDatabaseUrl: string;
    natsUrl: string;
  }
}

/** One PostgreSQL and one NATS for the run (DATABASE_URL / NATS_URL, or started here); each test file isolates itself. */
export default async function setup(project: TestProject) {
  const postgres = await ensurePostgres();
  const nats = await ensureNats();
  project.provide("adminDatabaseUrl", postgres.url);
  project.provide("natsUrl", nats.url);
  return async () => {
    await nats.stop();
    await postgres.stop();
  };
}
