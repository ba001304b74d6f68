import { describe, expect, it } from "vitest";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { loggedIn } from "./console-browser.js";

const under = usePlatform();

/** The error notice of a page, as text. */
const alertOf = (html: string) =>
  /<p class="notice error" role="alert">([^<]*)<\/p>/
    .exec(html)?.[1]
    ?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

describe("console revenue page", () => {
  it("is for finance: a viewer gets 403 on the page and the CSV, and no link to it on the overview", async () => {
    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    expect((await admin.get("/overview")).html).toContain('<a href="/revenue">Revenue and forecast</a>');
    expect((await admin.get("/revenue")).status).toBe(200);
    await admin.submit("/operators", "/operators", {
      id: "rita",
      display_name: "Rita Viewer",
      role: "viewer",
      password: "viewer-password",
    });

    const rita = await loggedIn(under.platform.console.url, "rita", "viewer-password");
    for (const path of ["/revenue", "/revenue.csv"]) {
      const refused = await rita.get(path);
      expect(refused.status).toBe(403);
      expect(alertOf(refused.html)).toBe("This needs the finance role; you are viewer.");
    }
    expect((await rita.get("/overview")).html).not.toContain('href="/revenue"');
  });

  it("answers a bad query with a 400 page that says what is wrong, never a 500", async () => {
    const admin = await loggedIn(under.platform.console.url, "admin", CONSOLE_ADMIN_PASSWORD);
    const refusals: [string, string][] = [
      ["granularity=year", 'Refused: granularity: one of day, week, month, got "year".'],
      ["from=2026-13-01&to=2026-12-31", 'Refused: from_day: must be a date written YYYY-MM-DD, got "2026-13-01"'],
      ["to=someday", 'Refused: to_day: must be a date written YYYY-MM-DD, got "someday"'],
      ["from=2026-03-02&to=2026-03-01", "Refused: to_day: must not be before from_day 2026-03-02, got 2026-03-01"],
      [
        "from=2000-01-01&to=2026-01-01",
        "Refused: to_day: the range holds 9498 days, more than the limit of 3660 (about 10 years); ask for a shorter range",
      ],
      ["currency=XYZ", 'Refused: currency: "XYZ" is not an ISO 4217 currency code (use upper case, e.g. USD)'],
      [`from=${"9".repeat(5000)}`, "Refused: from: at most 32 characters."],
    ];
    for (const [search, message] of refusals) {
      for (const path of ["/revenue", "/revenue.csv"]) {
        const page = await admin.get(`${path}?${search}`);
        expect({ search, path, status: page.status, alert: alertOf(page.html) }).toEqual({
          search,
          path,
          status: 400,
          alert: message,
        });
      }
    }
  });
});
