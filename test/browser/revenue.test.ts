import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, formatMoney } from "../../services/lib/money.js";
import { createDb } from "../../services/lib/db.js";
import { LEDGER_SCHEMA } from "../../services/ledger/store/migrations/index.js";
import { bookDailyPayIns, daysAgo, type BookedHistory } from "../ledger/booked-history.js";
import { usePlatform } from "../support/use-platform.js";
import { expectFitsPhoneWidth, openLoggedIn, rowsOf, tableUnder, useBrowser } from "./browser.js";

const under = usePlatform();
const browser = useBrowser();
const booked: Record<"EUR" | "USD", BookedHistory> = {} as never;

beforeAll(async () => {
  const db = createDb(under.platform.database.url, LEDGER_SCHEMA);
  try {
    // Enough days for a forecast in USD; in EUR, too few.
    booked.USD = await bookDailyPayIns(db, { currency: "USD", days: 70 });
    booked.EUR = await bookDailyPayIns(db, { currency: "EUR", days: 3 });
  } finally {
    await db.destroy();
  }
});

/** The periods of the last `days` days, as the table shows them and as the CSV writes them (net revenue = the fee: no PSP fees booked). */
function expectedDays(days: number, show: (amountMinor: bigint, currency: string) => string): string[][] {
  return (["EUR", "USD"] as const).flatMap((currency) =>
    booked[currency].grossCharged.slice(-days).map(({ day, valueMinor }, i) => {
      const fee = booked[currency].netRevenue.slice(-days)[i]!.valueMinor;
      const amount = (minor: bigint) => show(minor, currency);
      return [
        currency,
        day,
        day,
        day,
        amount(valueMinor),
        amount(fee),
        ...Array.from({ length: 5 }, () => amount(0n)),
        amount(fee),
      ];
    }),
  );
}

describe("finance reads revenue and its forecast in the console in a real browser", () => {
  it("opens the revenue page from the overview, reads the periods and their figures, downloads them, and sees the forecasts", async () => {
    const { page, shot } = browser;
    await openLoggedIn(page, under.platform.console.url, "/overview");
    await page.getByRole("link", { name: "Revenue and forecast" }).click();
    await page.waitForURL("**/revenue");

    await page.getByLabel("From").fill(daysAgo(3));
    await page.getByLabel("To").fill(daysAgo(1));
    await page.getByLabel("Granularity").selectOption("day");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/granularity=day/);
    expect(await rowsOf(tableUnder(page, "Figures"))).toEqual(
      expectedDays(3, (amountMinor, currency) => formatMoney({ amountMinor, currency })),
    );
    for (const currency of ["EUR", "USD"]) {
      for (const measure of ["Gross charged", "Net revenue"]) {
        expect(
          await page
            .getByRole("img", { name: `${measure} in ${currency}, per day` })
            .locator("rect")
            .count(),
        ).toBe(3);
      }
    }
    await shot("periods and figures");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download these periods (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`revenue-${daysAgo(3)}-${daysAgo(1)}-day.csv`);
    const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "currency,period,first_day,last_day,gross_charged,platform_fee_revenue,fees_reversed,refunds,disputes_lost,psp_fees,reconciliation_differences,net_revenue",
    );
    expect(lines.slice(1)).toEqual(
      expectedDays(3, (amountMinor, currency) => formatDecimal({ amountMinor, currency })).map((row) => row.join(",")),
    );

    const usd = page.locator('section.forecast[data-currency="USD"]');
    for (const horizon of [30, 90]) {
      for (const measure of ["Net revenue", "Gross charged"]) {
        const chart = usd.getByRole("img", { name: `${measure} forecast in USD, next ${horizon} days` });
        expect(await chart.locator("polygon.band").count()).toBe(2);
        expect(await chart.locator("circle").count()).toBe(horizon);
      }
    }
    const backtests = await usd.locator(".backtest").allInnerTexts();
    expect(backtests).toHaveLength(4);
    for (const text of backtests)
      expect(text).toMatch(
        /^Backtest on the last 28 days held out: MAPE \d+\.\d%, WAPE \d+\.\d%; \d+\.\d% of the days within the 80% interval, \d+\.\d% within the 95% interval\.$/,
      );
    expect(await usd.locator(".forecast-total").first().innerText()).toMatch(
      /^Next 30 days: -?\d+\.\d\d USD \(80% interval -?\d+\.\d\d USD to -?\d+\.\d\d USD; 95% interval .+\)\.$/,
    );
    await usd.getByRole("img", { name: "Net revenue forecast in USD, next 30 days" }).scrollIntoViewIfNeeded();
    await shot("forecast with its bands and backtest");

    const eur = page.locator('section.forecast[data-currency="EUR"]');
    expect(await eur.getByRole("status").allInnerTexts()).toEqual([
      "No forecast for EUR: needs at least 56 days of history, has 3.",
      "No forecast for EUR: needs at least 56 days of history, has 3.",
    ]);
    expect(await eur.getByRole("img").count()).toBe(0);

    const phone = await browser.phonePage();
    await openLoggedIn(phone, under.platform.console.url, "/revenue");
    await expectFitsPhoneWidth(phone);
  });
});
