import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Decision } from "../../gen/risk/v1/risk_pb.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import type { GrpcServer } from "../../services/lib/grpc-server.js";
import { startRiskService } from "../../services/risk/service.js";
import { usd } from "../support/checkouts.js";
import { failure, serviceClient, type ServiceClient } from "../support/clients.js";
import { databaseUrlViaPort, startDatabaseProxy } from "../support/database-proxy.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { testTls } from "../support/tls.js";

let database: TestDatabase;
let proxy: TcpProxy;
let risk: GrpcServer;
let client: ServiceClient<"risk">;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startDatabaseProxy(database.url);
  // A budget the cut outlasts.
  vi.stubEnv("STORE_OUTAGE_RETRY_MS", "300");
  risk = await startRiskService({
    tls: testTls("risk"),
    pageTokenSecret: randomPageTokenSecret(),
    databaseUrl: databaseUrlViaPort(database.url, proxy.port),
  });
  vi.unstubAllEnvs();
  client = serviceClient("risk", risk.url, "payment");
});

afterAll(async () => {
  await risk?.close();
  await proxy?.close();
  await database?.drop();
});

const assess = (paymentId: string) =>
  client.assess({ paymentId, buyerId: "buyer-1", buyerCountry: "US", amount: usd(1_000) });

describe("a database away longer than a call's retry budget", () => {
  it("is answered UNAVAILABLE with what to do, never INTERNAL; the same call succeeds once it is back", async () => {
    expect(await assess("pay-before")).toMatchObject({ decision: Decision.APPROVE });
    proxy.cut();
    try {
      expect(await failure(assess("pay-during"))).toEqual({
        code: Code.Unavailable,
        message: "the database is unavailable (failing over?); retry with the same idempotency key",
      });
    } finally {
      proxy.restore();
    }
    expect(await assess("pay-during")).toMatchObject({ decision: Decision.APPROVE });
  });
});
