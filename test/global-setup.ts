import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { issueDevPki } from "../services/lib/tls/dev-ca.js";
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
    /** The run's development CA and a certificate per identity (see test/support/tls.ts). */
    tlsDir: string;
  }
}

/**
 * One PostgreSQL (DATABASE_URL, or started here) and one NATS for the run, and a development CA with a certificate
 * per identity; each test file isolates itself. The NATS is always started here, with a user per service, so that
 * every test runs with NATS authorization on.
 */
export default async function setup(project: TestProject) {
  const postgres = await ensurePostgres();
  const harness = harnessUser();
  const nats = await startNatsServer(ANY_STREAMS, [harness]);
  const passwords = Object.fromEntries([
    ...NATS_USERS.map((user) => [user, nats.endpoint(user).password!]),
    [harness.user, harness.password],
  ]);
  project.provide("adminDatabaseUrl", postgres.url);
  project.provide("nats", { url: nats.url, passwords });
  const tlsDir = mkdtempSync(join(tmpdir(), "payment-platform-test-tls-"));
  await issueDevPki(tlsDir);
  project.provide("tlsDir", tlsDir);
  return async () => {
    rmSync(tlsDir, { recursive: true, force: true });
    await nats.stop();
    await postgres.stop();
  };
}
