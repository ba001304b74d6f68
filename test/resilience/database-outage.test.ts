import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { createDb } from "../../services/lib/db.js";
import { PAYMENT_SCHEMA } from "../../services/payment/store/migrations/index.js";
import { expectBooksClean } from "../ledger/platform-books.js";
import { sampleCheckout, waitForStatus } from "../support/checkouts.js";
import { healthClient, serviceClient, type ServiceClient } from "../support/clients.js";
import { startTestPlatform, type TestPlatform } from "../support/platform.js";
import { databaseUrlViaPort, startDatabaseProxy } from "../support/database-proxy.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { waitFor } from "../support/wait.js";

// Long enough that calls, webhooks and events surely meet the outage; the services' retry budget (20 s) is longer.
const CUT_MS = 3_000;

let proxy: TcpProxy;
let platform: TestPlatform;
let payments: ServiceClient<"payment">;
let health: Map<string, ReturnType<typeof healthClient>>;

beforeAll(async () => {
  proxy = await startDatabaseProxy(inject("adminDatabaseUrl"));
  platform = await startTestPlatform({ databasePort: proxy.port });
  payments = serviceClient("payment", platform.payment.url, "marketplace");
  const servers = [
    ["payment.v1.PaymentService", platform.payment.url, "payment"],
    ["risk.v1.RiskService", platform.risk.url, "risk"],
    ["ledger.v1.LedgerService", platform.ledger.url, "ledger"],
    ["wallet.v1.WalletService", platform.wallet.url, "wallet"],
    ["reconciliation.v1.ReconciliationService", platform.reconciliation.url, "reconciliation"],
  ] as const;
  health = new Map(servers.map(([service, url, server]) => [service, healthClient(url, server)]));
});

afterAll(async () => {
  await platform?.close();
  await proxy?.close();
});

/** Each service's health status by service name. */
async function statuses(): Promise<Record<string, ServingStatus>> {
  const entries = await Promise.all(
    [...health].map(async ([service, client]) => [service, (await client.check({ service })).status] as const),
  );
  return Object.fromEntries(entries);
}

const allAre = (status: ServingStatus) => (now: Record<string, ServingStatus>) =>
  Object.values(now).every((s) => s === status);

interface Attempt {
  checkoutId: string;
  paymentId?: string;
  code: string;
}

/** Checks out and pays, one after another, until `stop` is set: what each CreatePayment answered. */
async function checkoutsUntil(stop: { now: boolean }, attempts: Attempt[]): Promise<void> {
  while (!stop.now) {
    const request = sampleCheckout();
    try {
      const payment = (await payments.createPayment(request)).payment!;
      attempts.push({ checkoutId: request.checkoutId, paymentId: payment.paymentId, code: "OK" });
      // The PSP's webhooks for it may meet the outage: the PSP delivers them again after a 503.
      await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
    } catch (err) {
      attempts.push({
        checkoutId: request.checkoutId,
        code: err instanceof ConnectError ? `${err.code}: ${err.rawMessage}` : String(err),
      });
    }
  }
}

const byCheckout = (a: { checkoutId: string }, b: { checkoutId: string }) => (a.checkoutId < b.checkoutId ? -1 : 1);

/** The payment service's audit records of CreatePayment. */
async function auditedCheckouts(): Promise<{ checkoutId: string; outcome: string }[]> {
  const db = createDb(platform.database.url, PAYMENT_SCHEMA);
  try {
    const rows: { ids: { checkout_id: string }; outcome: string }[] = await db("rpc_audit")
      .where({ method: "/payment.v1.PaymentService/CreatePayment" })
      .select("ids", "outcome");
    return rows.map((r) => ({ checkoutId: r.ids.checkout_id, outcome: r.outcome })).sort(byCheckout);
  } finally {
    await db.destroy();
  }
}

describe("PostgreSQL going away under load (a failover)", () => {
  it("answers every checkout OK, goes NOT_SERVING and back, loses nothing, dead-letters nothing", async () => {
    expect(await statuses()).toSatisfy(allAre(ServingStatus.SERVING));
    const stop = { now: false };
    const attempts: Attempt[] = [];
    const workers = Array.from({ length: 4 }, () => checkoutsUntil(stop, attempts));
    await waitFor(
      async () => attempts.length,
      (n) => n >= 4,
      15_000,
      "checkouts before the cut",
    );

    proxy.cut();
    await waitFor(
      statuses,
      allAre(ServingStatus.NOT_SERVING),
      15_000,
      "every service NOT_SERVING while the database is away",
    );
    const inFlightAtCut = attempts.length;
    await sleep(CUT_MS);
    proxy.restore();
    await waitFor(statuses, allAre(ServingStatus.SERVING), 15_000, "every service SERVING again");
    await waitFor(
      async () => attempts.length,
      (n) => n >= inFlightAtCut + 8,
      30_000,
      "checkouts after the cut",
    );
    stop.now = true;
    await Promise.all(workers);

    expect(attempts.filter((a) => a.code !== "OK")).toEqual([]);
    // A call run again is audited once, with its final outcome.
    expect(await auditedCheckouts()).toEqual(
      attempts.map((a) => ({ checkoutId: a.checkoutId, outcome: "OK" })).sort(byCheckout),
    );
    for (const { paymentId } of attempts) await waitForStatus(payments, paymentId!, PaymentStatus.SUCCEEDED);
    await expectBooksClean(platform);
  });

  it("a pool whose connections all died serves the next query on new ones, and no idle client's error crashes the process", async () => {
    const db = createDb(databaseUrlViaPort(platform.database.url, proxy.port), "public", 4);
    try {
      // Four idle pooled connections.
      await Promise.all(Array.from({ length: 4 }, () => db.raw("select pg_sleep(0.05)")));
      proxy.cut();
      await expect(db.raw("select 1")).rejects.toThrow();
      proxy.restore();
      expect((await db.raw("select 1 as one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });
});
