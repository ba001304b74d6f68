import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { waitForPosting } from "../ledger/platform-books.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { scrape } from "../support/metrics.js";
import { usePlatform } from "../support/use-platform.js";

const RULES = fileURLToPath(new URL("../../ops/prometheus/alerts.yml", import.meta.url));

// PromQL's own words: functions are told apart by the "(" after them; these are not.
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
]);

/** The metric names an expression reads: its identifiers, less label matchers, groupings, ranges and functions. */
export function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, " ")
    .replace(/"[^"]*"/g, " ");
  const names = [...bare.matchAll(/\b([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !KEYWORDS.has(name) && !/^\d/.test(name));
  return [...new Set(names)];
}

const expressions = readFileSync(RULES, "utf8")
  .split("\n")
  .map((line) => /^\s+expr:\s*(.+)$/.exec(line)?.[1])
  .filter((expr): expr is string => expr !== undefined);

describe("ops/prometheus/alerts.yml", () => {
  it("is valid for Prometheus (promtool check rules)", async () => {
    const { stdout } = await promisify(execFile)("promtool", ["check", "rules", RULES]).catch(
      (err: NodeJS.ErrnoException & { stdout?: string; stderr?: string }) => {
        if (err.code === "ENOENT")
          throw new Error("promtool is missing: scripts/setup/ensure-promtool.sh installs Debian's prometheus package");
        throw new Error(`promtool refused the rules: ${err.stdout ?? ""}${err.stderr ?? ""}`);
      },
    );
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("reads its metric names out of an expression", () => {
    expect(
      metricsOf('max by (service) (rate(events_handled_total{outcome="x"}[5m])) > 0 and max(dead_letters) == 0'),
    ).toEqual(["events_handled_total", "dead_letters"]);
  });

  describe("names only metrics the services really export", () => {
    const under = usePlatform();

    it("each on a scrape of a running platform, once a checkout went through", async () => {
      const paymentId = await payCheckout(under.client("payment", "marketplace"), sampleCheckout());
      await waitForPosting(under.platform, `payin:${paymentId}`);
      const { payment, risk, wallet, ledger, reconciliation } = under.platform;
      const scrapes = await Promise.all(
        [payment, risk, wallet, ledger, reconciliation].map((service) => scrape(service.metricsUrl)),
      );
      const exported = new Set(
        scrapes.flatMap((s) => s.samples.map((sample) => sample.name.replace(/_(bucket|sum|count)$/, ""))),
      );
      const named = [...new Set(expressions.flatMap(metricsOf))];
      expect(named.length).toBeGreaterThan(5);
      expect(named.filter((name) => !exported.has(name))).toEqual([]);
    });
  });
});
