import { execFile } from "node:child_process";
import { testTlsEnv } from "../support/tls.js";
import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { usePlatform } from "../support/use-platform.js";
import { paidPayment, pspPost } from "./reconciliation-calls.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const under = usePlatform();

const replay = async (...args: string[]) =>
  (
    await promisify(execFile)("npx", ["tsx", "scripts/replay-settlement.ts", ...args], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, ...testTlsEnv("operator-tools"), RECONCILIATION_URL: under.platform.reconciliation.url },
    })
  ).stdout;

describe("scripts/replay-settlement", () => {
  it("re-runs a day idempotently: the second time it says nothing changed; a copy of the file is the same run", async () => {
    await paidPayment(under);
    const { date } = await pspPost(under, "/v1/test_helpers/settlements/run");

    const first = await replay(date);
    expect(first).toMatch(new RegExp(`^run \\d+ of ${date}: 1 lines from http://\\S+/v1/settlements/${date}/file`));
    expect(first).toContain(`changed: posted settlement:${date}:USD:1`);
    expect(first).toMatch(/class\s+currency\s+lines\s+amount\n-+.*\nmatched\s+USD\s+1\s+35\.00 USD/);
    expect(first).toMatch(/closing balance at the PSP: 33\.68 USD/);

    const second = await replay(date);
    expect(second.split("\n")[1]).toBe("nothing changed");

    const file = join(under.platform.settlementDir, `settlement-${date}.csv`);
    writeFileSync(file, await (await under.platform.pspApi(`/v1/settlements/${date}/file`)).text());
    const json = JSON.parse(await replay(`settlement-${date}.csv`, "--json"));
    expect(json).toMatchObject({
      date,
      lines: 1,
      executions: 3,
      changed: false,
      changes: [],
      report: [{ class: "matched", currency: "USD", count: 1, amount_minor: "3500" }],
    });
    expect(json.source).toBe(realpathSync(file));
  }, 90_000);
});
