import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { acceptsConnections } from "../../scripts/infra/accepts.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run cluster", () => {
  it("brings up three PostgreSQL nodes, etcd, three NATS nodes and two instances of each service, prints them, runs the demo, and stops all of it", async () => {
    const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/cluster.ts", "--exit-after-demo"], {
      cwd: ROOT,
      timeout: 150_000,
      env: { ...process.env, LOG_LEVEL: "silent" },
    });
    for (const node of ["pg1", "pg2", "pg3", "nats1", "nats2", "nats3"])
      expect(stdout).toMatch(new RegExp(`^  ${node}: \\w+://127\\.0\\.0\\.1:\\d+`, "m"));
    expect(stdout).toMatch(/^ {2}etcd: http:\/\/127\.0\.0\.1:\d+/m);
    for (const port of [
      "RISK_PORT",
      "PAYMENT_PORT",
      "PAYMENT_HTTP_PORT",
      "WALLET_PORT",
      "LEDGER_PORT",
      "RECONCILIATION_PORT",
      "CONSOLE_PORT",
    ]) {
      expect(stdout).toMatch(
        new RegExp(`^  ${port} instances: \\w+://127\\.0\\.0\\.1:\\d+, \\w+://127\\.0\\.0\\.1:\\d+$`, "m"),
      );
    }
    expect(stdout).toContain("(14 service processes;");
    expect(stdout).toContain("Demo checkout SUCCEEDED.");
    // Every address it printed is closed again: nodes, instances, balancers.
    const ports = [...new Set([...stdout.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];
    expect(ports.length).toBeGreaterThan(30);
    const open = (
      await Promise.all(ports.map(async (port) => ((await acceptsConnections(port)) ? port : undefined)))
    ).filter((p) => p !== undefined);
    expect(open).toEqual([]);
  }, 180_000);
});
