import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startConsoleService, type RunningConsoleService } from "../../services/console/service.js";
import { HEALTH_PATH } from "../../services/lib/health.js";
import { STORE_OUTAGE_RETRY_AFTER_SECONDS } from "../../services/lib/store-outage-retry.js";
import { sampleCheckout } from "../support/checkouts.js";
import { serviceClient } from "../support/clients.js";
import { databaseUrlViaPort, startDatabaseProxy } from "../support/database-proxy.js";
import { CONSOLE_ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from "../support/platform.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { testTls } from "../support/tls.js";
import { waitFor } from "../support/wait.js";
import { csrfOf, loggedIn } from "../console/console-browser.js";

// The HTTP sides of the services (the console, the payment service's status page, the metrics ports' health) while
// PostgreSQL is away: a cut longer than a short retry budget is a 503 with Retry-After, never a 500.
const SHORT_BUDGET_MS = 300;
const NOWHERE = "https://127.0.0.1:9";

let proxy: TcpProxy;
let platform: TestPlatform;
/** Gives up after SHORT_BUDGET_MS; `patientConsole` waits out a cut of a few seconds. */
let impatientConsole: RunningConsoleService;
let patientConsole: RunningConsoleService;

/** A console reading only its own database (the pages the tests open call no service). */
const startConsole = (budgetMs: number) =>
  startConsoleService({
    tls: testTls("console"),
    databaseUrl: databaseUrlViaPort(platform.database.url, proxy.port),
    paymentUrl: NOWHERE,
    ledgerUrl: NOWHERE,
    reconciliationUrl: NOWHERE,
    walletUrl: NOWHERE,
    riskUrl: NOWHERE,
    adminPassword: CONSOLE_ADMIN_PASSWORD,
    storeOutageRetry: { budgetMs },
  });

beforeAll(async () => {
  proxy = await startDatabaseProxy(inject("adminDatabaseUrl"));
  vi.stubEnv("STORE_OUTAGE_RETRY_MS", String(SHORT_BUDGET_MS));
  try {
    platform = await startTestPlatform({ databasePort: proxy.port, services: ["payment"] });
  } finally {
    vi.unstubAllEnvs();
  }
  impatientConsole = await startConsole(SHORT_BUDGET_MS);
  patientConsole = await startConsole(15_000);
});

afterAll(async () => {
  await Promise.all([impatientConsole?.close(), patientConsole?.close()]);
  await platform?.close();
  await proxy?.close();
});

/** Cuts the database for the time `during` takes, then restores it, whatever `during` did. */
async function whileCut(during: () => Promise<void>): Promise<void> {
  proxy.cut();
  try {
    await during();
  } finally {
    proxy.restore();
  }
}

const healthOf = async (url: string) => {
  const res = await fetch(new URL(HEALTH_PATH, url));
  return { status: res.status, text: await res.text() };
};
const serving = { status: 200, text: "SERVING\n" };
const notServing = { status: 503, text: "NOT_SERVING\n" };

describe("the console while its database is away", () => {
  it("answers 503 with Retry-After, never 500, to a page and to a form, and its /healthz 503; both are back after", async () => {
    const admin = await loggedIn(impatientConsole.url, "admin", CONSOLE_ADMIN_PASSWORD);
    const before = await admin.get("/audit");
    expect(before.status).toBe(200);
    expect(await healthOf(impatientConsole.url)).toEqual(serving);
    await whileCut(async () => {
      const page = await admin.get("/audit");
      expect(page.status).toBe(503);
      expect(page.headers.get("retry-after")).toBe(String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
      expect(page.html).toContain("The console&#39;s database is unavailable (failing over?): try again in a few");
      // A form's action is not run again: its session lookup gave up first, so nothing was done.
      const logout = await admin.post("/logout", { csrf: csrfOf(before.html) });
      expect(logout.status).toBe(503);
      expect(logout.headers.get("retry-after")).toBe(String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
      expect(await healthOf(impatientConsole.url)).toEqual(notServing);
    });
    await waitFor(
      () => healthOf(impatientConsole.url),
      (h) => h.status === 200,
      15_000,
      "the console serving again",
    );
    // Still logged in: the logout that met the outage did not happen.
    expect((await admin.get("/audit")).status).toBe(200);
  });

  it("holds a page that meets a short cut until the database is back, and answers it", async () => {
    const admin = await loggedIn(patientConsole.url, "admin", CONSOLE_ADMIN_PASSWORD);
    let answered = false;
    await whileCut(async () => {
      const page = admin.get("/audit").finally(() => (answered = true));
      await sleep(1_500);
      expect(answered).toBe(false);
      proxy.restore();
      expect((await page).status).toBe(200);
    });
  });
});

describe("the payment service's HTTP side while its database is away", () => {
  it("answers the buyer's status page 503 with Retry-After, never 500, and the page again after", async () => {
    const payments = serviceClient("payment", platform.payment.url, "marketplace");
    const { paymentId } = (await payments.createPayment(sampleCheckout())).payment!;
    const statusPage = platform.payment.statusPageUrl(paymentId);
    expect((await fetch(statusPage)).status).toBe(200);
    await whileCut(async () => {
      const res = await fetch(statusPage);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe(String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
      expect(await res.json()).toEqual({ error: "the database is unavailable (failing over?); try again shortly" });
    });
    await waitFor(
      async () => (await fetch(statusPage)).status,
      (status) => status === 200,
      15_000,
      "the status page again",
    );
  });

  it("answers GET /healthz on each service's metrics port 503 NOT_SERVING while the database is away, 200 after", async () => {
    const metricsUrls = [platform.payment.metricsUrl, platform.risk.metricsUrl];
    const all = () => Promise.all(metricsUrls.map(healthOf));
    expect(await all()).toEqual([serving, serving]);
    await whileCut(async () => {
      expect(await all()).toEqual([notServing, notServing]);
    });
    await waitFor(all, (now) => now.every((h) => h.status === 200), 15_000, "every service serving again");
  });
});
