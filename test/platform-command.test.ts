import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { NATS_USERS } from "../scripts/infra/nats-auth.js";
import { natsPasswordVariable } from "../scripts/infra/nats.js";
import { deleteStreams, uniqueStreamNames } from "./support/event-streams.js";
import { natsAs } from "./support/nats-users.js";
import { createTestDatabase, type TestDatabase } from "./support/test-database.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let database: TestDatabase;
const streams = uniqueStreamNames();

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await deleteStreams(streams);
  await database?.drop();
});

describe("npm start", () => {
  it("brings the platform up, prints every URL, and the demo checkout succeeds", async () => {
    const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/platform.ts", "--exit-after-demo"], {
      cwd: ROOT,
      timeout: 60_000,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        // The test run's server, with every service's password, as an operator would pass them.
        NATS_URL: inject("nats").url,
        ...Object.fromEntries(NATS_USERS.map((user) => [natsPasswordVariable(user), natsAs(user).password])),
        EVENTS_STREAM: streams.stream,
        EVENTS_SUBJECT_PREFIX: streams.subjectPrefix,
        PSP_PORT: "0",
        RISK_PORT: "0",
        PAYMENT_PORT: "0",
        PAYMENT_HTTP_PORT: "0",
        LEDGER_PORT: "0",
        WALLET_PORT: "0",
        RECONCILIATION_PORT: "0",
        PAYMENT_METRICS_PORT: "0",
        RISK_METRICS_PORT: "0",
        LEDGER_METRICS_PORT: "0",
        WALLET_METRICS_PORT: "0",
        RECONCILIATION_METRICS_PORT: "0",
        CONSOLE_PORT: "0",
        MERCHANT_PORT: "0",
      },
    });
    for (const line of [
      "PostgreSQL",
      "NATS JetStream",
      "Development PKI /",
      "PSP simulator   http://",
      "Risk service    https://",
      "Payment service https://",
      "PSP webhooks -> http://",
      "Demo merchant   http://",
    ]) {
      expect(stdout).toContain(line);
    }
    expect(stdout).toMatch(/hosted page.*\n\s+http:\/\/127\.0\.0\.1:\d+\/pay\/pi_/);
    for (const service of ["Risk service", "Payment service", "Wallet service", "Ledger service", "Reconciliation"]) {
      expect(stdout).toMatch(new RegExp(`${service} .*  metrics http://127\\.0\\.0\\.1:\\d+/metrics\n`));
    }
    // A password of this run, not a fixed one.
    expect(stdout).toMatch(/Console {9}http:\/\/127\.0\.0\.1:\d+ {2}\(login admin \/ [0-9a-f]{16}\)\n/);
    expect(stdout).toContain("Demo checkout SUCCEEDED.");
  }, 90_000);
});
