import { connect } from "node:net";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { startTestPlatform } from "./support/platform.js";

/** What the platform started before its start failed. */
const started = vi.hoisted(() => ({ urls: [] as string[], databases: [] as string[] }));

const recorded = <T extends { url: string }>(start: Promise<T>): Promise<T> =>
  start.then((service) => (started.urls.push(service.url), service));
vi.mock("../psp-simulator/server.js", async (original) => {
  const actual = await original<typeof import("../psp-simulator/server.js")>();
  return {
    ...actual,
    startPspSimulator: (...args: Parameters<typeof actual.startPspSimulator>) =>
      recorded(actual.startPspSimulator(...args)),
  };
});
vi.mock("../services/risk/service.js", async (original) => {
  const actual = await original<typeof import("../services/risk/service.js")>();
  return {
    ...actual,
    startRiskService: (...args: Parameters<typeof actual.startRiskService>) =>
      recorded(actual.startRiskService(...args)),
  };
});
vi.mock("./support/test-database.js", async (original) => {
  const actual = await original<typeof import("./support/test-database.js")>();
  return {
    ...actual,
    createTestDatabase: () => actual.createTestDatabase().then((db) => (started.databases.push(db.url), db)),
  };
});
vi.mock("../services/payment/service.js", async (original) => ({
  ...(await original<typeof import("../services/payment/service.js")>()),
  startPaymentService: () => Promise.reject(new Error("the payment service failed to start")),
}));

/** Resolves with the error code of a TCP connection to `url`'s port, e.g. ECONNREFUSED. */
const connectionError = (url: string) =>
  new Promise<string>((resolve) => {
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });

describe("a test platform whose start fails", () => {
  it("closes what had started (the PSP simulator, the risk service), drops its database and throws the failure", async () => {
    await expect(startTestPlatform({ services: ["payment"] })).rejects.toThrow("the payment service failed to start");

    expect(started.urls).toHaveLength(2);
    for (const url of started.urls) expect(await connectionError(url), url).toBe("ECONNREFUSED");
    expect(started.databases).toHaveLength(1);
    const client = new pg.Client({ connectionString: started.databases[0] });
    await expect(client.connect()).rejects.toThrow("does not exist");
  });
});
