import { testTls } from "../support/tls.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleService, type RunningConsoleService } from "../../services/console/service.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { ConsoleBrowser, loggedIn, rowsContaining } from "./console-browser.js";

const ADMIN_PASSWORD = "admin-test-password";
// Logins need no other service: the console alone, on a clock the tests move on.
const NOWHERE = "https://127.0.0.1:9";
let database: TestDatabase;
let consoleService: RunningConsoleService;
let clockAheadMs = 0;
const minutesLater = (minutes: number) => (clockAheadMs += minutes * 60_000);

beforeAll(async () => {
  database = await createTestDatabase();
  consoleService = await startConsoleService({
    tls: testTls("console"),
    databaseUrl: database.url,
    paymentUrl: NOWHERE,
    ledgerUrl: NOWHERE,
    reconciliationUrl: NOWHERE,
    walletUrl: NOWHERE,
    riskUrl: NOWHERE,
    adminPassword: ADMIN_PASSWORD,
    now: () => new Date(Date.now() + clockAheadMs),
  });
});

afterAll(async () => {
  await consoleService?.close();
  await database?.drop();
});

/** A browser on its own loopback address: another client to the console. */
const from = (address: string) => new ConsoleBrowser(consoleService.url, address);
const attacker = "127.0.0.66";

async function auditRows(action: string): Promise<string[]> {
  const admin = await loggedIn(consoleService.url, "admin", ADMIN_PASSWORD);
  return rowsContaining((await admin.get("/audit")).html, `data-action="${action}"`);
}

describe("login throttling", () => {
  it("slows a guesser at admin from one address, while admin logs in from another; the wait ends and grows only to a cap", async () => {
    for (let i = 0; i < 5; i++) expect((await from(attacker).login("admin", `guess-${i}`)).status).toBe(401);
    const refused = await from(attacker).login("admin", ADMIN_PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.html).toMatch(
      /Too many failed logins for &#34;admin&#34; from your address: try again at \d\d:\d\d UTC\./,
    );
    expect(refused.setCookies.some((c) => c.startsWith("console_session="))).toBe(false);
    // Hammering while refused changes nothing.
    for (let i = 0; i < 20; i++) expect((await from(attacker).login("admin", `hammer-${i}`)).status).toBe(429);

    // The real admin, elsewhere, is not kept out.
    expect((await from("127.0.0.2").login("admin", ADMIN_PASSWORD)).status).toBe(303);

    // After a minute the guesser gets one more try, then waits 2, 4, 8, then 15 minutes, and never longer.
    for (const wait of [1, 2, 4, 8, 15, 15, 15]) {
      minutesLater(wait - 0.5);
      expect((await from(attacker).login("admin", "still-guessing")).status, `${wait} minutes: too early`).toBe(429);
      minutesLater(0.5);
      expect((await from(attacker).login("admin", "still-guessing")).status, `after ${wait} minutes`).toBe(401);
    }
    // Each wait ends: the right password works from the guesser's address too, once the 15 minutes are over.
    expect((await from(attacker).login("admin", ADMIN_PASSWORD)).status).toBe(429);
    minutesLater(15);
    expect((await from(attacker).login("admin", ADMIN_PASSWORD)).status).toBe(303);

    const throttled = await auditRows("login_throttled");
    expect(
      throttled.some(
        (row) =>
          row.includes("admin login_throttled admin") && row.includes("login_from_client") && row.includes(attacker),
      ),
    ).toBe(true);
  });

  it("caps a login's failures from many addresses, loosely, for a while", async () => {
    for (let i = 0; i < 20; i++) expect((await from(`127.0.1.${i + 1}`).login("admin", `spray-${i}`)).status).toBe(401);
    const refused = await from("127.0.0.3").login("admin", ADMIN_PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.html).toMatch(/Too many failed logins for &#34;admin&#34;: try again at/);
    minutesLater(1);
    expect((await from("127.0.0.3").login("admin", ADMIN_PASSWORD)).status).toBe(303);
  });

  it("caps one address's failures across logins", async () => {
    const sprayer = "127.0.2.1";
    for (let i = 0; i < 30; i++) expect((await from(sprayer).login(`someone-${i % 6}`, `guess-${i}`)).status).toBe(401);
    const refused = await from(sprayer).login("someone-else", "guess");
    expect(refused.status).toBe(429);
    expect(refused.html).toMatch(/Too many failed logins from your address: try again at/);
    expect((await from("127.0.2.2").login("someone-else", "guess")).status).toBe(401);
  });
});
