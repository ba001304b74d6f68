import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { acceptsConnections } from "../../scripts/infra/accepts.js";
import { startFaultPlatform } from "../support/fault-platform.js";

/** What the fault platform started before its start failed: addresses that listened, and the database. */
const started = vi.hoisted(() => ({ urls: [] as string[], databases: [] as string[] }));

vi.mock("../support/nats-process.js", async (original) => {
  const actual = await original<typeof import("../support/nats-process.js")>();
  return {
    ...actual,
    startNatsProcess: () =>
      actual.startNatsProcess().then((nats) => (started.urls.push(...nats.endpoint("payment").servers), nats)),
  };
});
vi.mock("../support/webhook-balancer.js", async (original) => {
  const actual = await original<typeof import("../support/webhook-balancer.js")>();
  return {
    ...actual,
    startWebhookBalancer: () =>
      actual.startWebhookBalancer().then((balancer) => (started.urls.push(balancer.url), balancer)),
  };
});
vi.mock("../support/platform.js", async (original) => {
  const actual = await original<typeof import("../support/platform.js")>();
  return {
    ...actual,
    startTestPlatform: (...args: Parameters<typeof actual.startTestPlatform>) =>
      actual.startTestPlatform(...args).then((platform) => {
        started.urls.push(platform.psp.url, platform.risk.url, platform.wallet.url, platform.ledger.url);
        started.databases.push(platform.database.url);
        return platform;
      }),
  };
});
// The second payment instance cannot be created: everything else has started by then.
vi.mock("../support/payment-process.js", async (original) => {
  const actual = await original<typeof import("../support/payment-process.js")>();
  const create: typeof actual.PaymentInstance.create = (config, name) =>
    name === "B"
      ? Promise.reject(new Error("no port for payment instance B"))
      : actual.PaymentInstance.create(config, name);
  return { ...actual, PaymentInstance: { create } };
});

const port = (url: string) => Number(new URL(url).port);

describe("a fault platform whose start fails", () => {
  it("closes what had started (NATS, the webhook balancer, the platform's services), drops its database and throws the failure", async () => {
    await expect(
      startFaultPlatform({ paymentInstances: 2, poller: { intervalMs: 300, staleAfterMs: 1_000 } }),
    ).rejects.toThrow("no port for payment instance B");

    expect(started.urls).toHaveLength(6);
    for (const url of started.urls) expect(await acceptsConnections(port(url)), url).toBe(false);
    expect(started.databases).toHaveLength(1);
    const client = new pg.Client({ connectionString: started.databases[0] });
    await expect(client.connect()).rejects.toThrow("does not exist");
  });
});
