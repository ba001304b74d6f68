import type { TestProject } from "vitest/node";
import { ANY_STREAMS, NATS_USERS } from "../scripts/infra/nats-auth.js";
import { startNatsServer } from "../scripts/infra/nats.js";
import { ensurePostgres } from "../scripts/infra/postgres.js";
import { harnessUser } from "./support/nats-users.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A database on a server where tests may create their own databases. */
    adminDatabaseUrl: string;
    /** The run's nats-server and each user's password (see support/nats-users.ts). */
    nats: { url: string; passwords: Record<string, string> };
  }
}

/**
 * One PostgreSQL (DATABASE_URL, or started here) and one NATS for the run; each test file isolates itself. The
 * NATS is always started here, with a user per service, so that every test runs with NATS authorization on.
 */
export default async function setup(project: TestProject) {
  const postgres = await ensurePostgres();
  const harness = harnessUser();
  const nats = await startNatsServer(ANY_STREAMS, [harness]);
  const passwords = Object.fromEntries([...NATS_USERS.map((user) => [user, nats.endpoint(user).password!]), [harness.user, harness.password]]);
  project.provide("adminDatabaseUrl", postgres.url);
  project.provide("nats", { url: nats.url, passwords });
  return async () => {
    await nats.stop();
    await postgres.stop();
  };
}
