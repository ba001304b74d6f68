import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_CARDS } from "../../scripts/buyer.js";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import { payCheckout, sampleCheckout } from "../support/checkouts.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { reconciliation } from "../reconciliation/reconciliation-calls.js";
import { ConsoleBrowser, rowsContaining } from "./console-browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

/** The tooltips of a chart's bars and points, e.g. "14:00: charged 1". */
const tooltips = (html: string, chartTitle: string): string[] => {
  const svg = html.split(`aria-label="${chartTitle}"`)[1]!.split("</svg>")[0]!;
  return [...svg.matchAll(/<(?:rect|circle)[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]!.replace(/^.*?: /, ""));
};

/** A count chart's tooltips ("charged 2") added up per series, whichever periods they fell in. */
const totals = (tips: string[]): Record<string, number> =>
  tips.reduce<Record<string, number>>((sum, tip) => {
    const [, name, count] = /^(.*) (\d+)$/.exec(tip) ?? [];
    if (name !== undefined) sum[name] = (sum[name] ?? 0) + Number(count);
    return sum;
  }, {});

describe("console overview charts", () => {
  it("draws the payments per hour with their success rate, the volume charged, and reconciliation results per day by class", async () => {
    await payCheckout(payments(), sampleCheckout(), TEST_CARDS.success); // 35.00 USD
    await payCheckout(payments(), sampleCheckout(), TEST_CARDS.success);
    await payCheckout(payments(), sampleCheckout(), TEST_CARDS.declined);
    // A day whose file has a charge we never heard of and an unreadable line.
    const file = "settlement-2024-03-01.csv";
    writeFileSync(
      join(under.platform.settlementDir, file),
      `${SETTLEMENT_HEADER}\npi_ghost,pay_ghost,charge,500,15,485,USD,2024-03-01T10:00:00.000Z\nnot,a,line\n`,
    );
    await reconciliation(under).runReconciliation({ date: "2024-03-01", filePath: file });

    const admin = new ConsoleBrowser(under.platform.console.url);
    expect((await admin.login("admin", CONSOLE_ADMIN_PASSWORD)).location).toBe("/overview");
    const page = await admin.get("/overview");
    expect(page.status).toBe(200);
    expect(page.html).toContain("3 payments created: 2 charged, 1 failed.");

    const counts = tooltips(page.html, "Payments created, last 24 hours, per hour, and their success rate");
    expect(totals(counts)).toEqual({ charged: 2, failed: 1 });
    // One point per hour that had a payment finish (two when the hour turned during the test).
    expect(counts.filter((t) => t.startsWith("success rate (charged of finished) ")).length).toBeGreaterThan(0);
    const charged = tooltips(page.html, "Charged in USD, last 24 hours, per hour").map(
      (t) => /^charged USD (\d+)\.(\d\d) USD$/.exec(t)!,
    );
    expect(charged.reduce((cents, [, units, hundredths]) => cents + Number(units) * 100 + Number(hundredths), 0)).toBe(
      7_000,
    );

    expect(tooltips(page.html, "Reconciliation exceptions per settlement day, by class")).toEqual([
      "missing_in_ledger 1",
      "malformed_line 1",
    ]);
    const [day] = rowsContaining(page.html, ">2024-03-01<");
    // day, matched, missing_in_ledger, missing_in_file, amount_mismatch, currency_mismatch, duplicate_line, already_settled, malformed_line, balance_break
    expect(day).toBe("2024-03-01 0 1 0 0 0 0 0 1 0");
    expect((await admin.get("/reconciliation")).html).toContain(
      'aria-label="Reconciliation exceptions per settlement day, by class"',
    );

    const month = await admin.get("/overview?range=30d");
    expect(month.html).toContain('aria-label="Charged in USD, last 30 days, per day"');
    expect(totals(tooltips(month.html, "Payments created, last 30 days, per day, and their success rate"))).toEqual({
      charged: 2,
      failed: 1,
    });
    expect((await admin.get("/overview?range=1y")).status).toBe(400);
  });
});
