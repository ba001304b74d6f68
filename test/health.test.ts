import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import { healthClient } from "./support/clients.js";
import type { Identity } from "../services/lib/tls/identity.js";
import { startTestPlatform, type TestPlatform } from "./support/platform.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ services: ["payment", "risk", "wallet"] });
});

afterAll(async () => {
  await platform?.close();
});

describe("grpc.health.v1.Health/Check on every server", () => {
  const servers = (): [string, string, Identity][] => [
    [platform.payment.url, "payment.v1.PaymentService", "payment"],
    [platform.risk.url, "risk.v1.RiskService", "risk"],
    [platform.wallet.url, "wallet.v1.WalletService", "wallet"],
  ];

  it("answers SERVING for the server and for each service it serves, NOT_FOUND for others", async () => {
    for (const [url, service, server] of servers()) {
      const health = healthClient(url, server);
      expect(await health.check({ service: "" })).toMatchObject({ status: ServingStatus.SERVING });
      expect(await health.check({ service })).toMatchObject({ status: ServingStatus.SERVING });
      await expect(health.check({ service: "no.such.Service" })).rejects.toMatchObject({ code: Code.NotFound });
    }
  });
});
