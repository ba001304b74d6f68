import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import type { GrpcServer } from "../../services/lib/grpc-server.js";
import { startRiskService } from "../../services/risk/service.js";
import { usd } from "../support/checkouts.js";
import { grpcJsClient, unary, type grpc, type GrpcJsClient } from "../support/grpc-js.js";
import { databaseUrlViaPort, startDatabaseProxy } from "../support/database-proxy.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { testTls } from "../support/tls.js";

let database: TestDatabase;
let proxy: TcpProxy;
let risk: GrpcServer;
let client: GrpcJsClient;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startDatabaseProxy(database.url);
  // A budget the cut outlasts.
  vi.stubEnv("STORE_OUTAGE_RETRY_MS", "300");
  risk = await startRiskService({ tls: testTls("risk"), pageTokenSecret: randomPageTokenSecret(), databaseUrl: databaseUrlViaPort(database.url, proxy.port) });
  vi.unstubAllEnvs();
  client = grpcJsClient("risk/v1/risk.proto", "risk.v1.RiskService", risk.url, "payment");
});

afterAll(async () => {
  client?.close();
  await risk?.close();
  await proxy?.close();
  await database?.drop();
});

const assess = (paymentId: string) => unary(client, "assess", { paymentId, buyerId: "buyer-1", buyerCountry: "US", amount: usd(1_000) });

describe("a database away longer than a call's retry budget", () => {
  it("is answered UNAVAILABLE with what to do, never INTERNAL; the same call succeeds once it is back", async () => {
    expect(await assess("pay-before")).toMatchObject({ decision: "DECISION_APPROVE" });
    proxy.cut();
    try {
      const refused = (await assess("pay-during").catch((err: grpc.ServiceError) => err)) as grpc.ServiceError;
      expect({ code: refused.code, details: refused.details }).toEqual({ code: 14, details: "the database is unavailable (failing over?); retry with the same idempotency key" });
    } finally {
      proxy.restore();
    }
    expect(await assess("pay-during")).toMatchObject({ decision: "DECISION_APPROVE" });
  });
});
