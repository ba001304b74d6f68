import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { issueDevPki } from "../services/lib/tls/dev-ca.js";
import { ensureNats } from "../scripts/infra/nats.js";
import { ensurePostgres } from "../scripts/infra/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A database on a server where tests may create their own databases. */
    adminDatabaseUrl: string;
    natsUrl: string;
    /** The run's development CA and a certificate per identity (see test/support/tls.ts). */
    tlsDir: string;
  }
}

/**
 * One PostgreSQL and one NATS for the run (DATABASE_URL / NATS_URL, or started here), and a development CA with a
 * certificate per identity; each test file isolates itself.
 */
export default async function setup(project: TestProject) {
  const postgres = await ensurePostgres();
  const nats = await ensureNats();
  project.provide("adminDatabaseUrl", postgres.url);
  project.provide("natsUrl", nats.url);
  const tlsDir = mkdtempSync(join(tmpdir(), "payment-platform-test-tls-"));
  await issueDevPki(tlsDir);
  project.provide("tlsDir", tlsDir);
  return async () => {
    rmSync(tlsDir, { recursive: true, force: true });
    await nats.stop();
    await postgres.stop();
  };
}
