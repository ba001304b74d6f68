import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpc, grpcJsClient, unary } from "./support/grpc-js.js";
import { startTestPlatform, type TestPlatform } from "./support/platform.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ services: ["payment", "risk", "wallet"] });
});

afterAll(async () => {
  await platform?.close();
});

describe("grpc.health.v1.Health/Check on every server", () => {
  const servers = (): [string, string][] => [
    [platform.payment.url, "payment.v1.PaymentService"],
    [platform.risk.url, "risk.v1.RiskService"],
    [platform.wallet.url, "wallet.v1.WalletService"],
  ];

  it("answers SERVING for the server and for each service it serves, NOT_FOUND for others", async () => {
    for (const [url, service] of servers()) {
      const health = grpcJsClient("grpc/health/v1/health.proto", "grpc.health.v1.Health", url, "probe");
      try {
        expect(await unary(health, "check", { service: "" })).toEqual({ status: "SERVING" });
        expect(await unary(health, "check", { service })).toEqual({ status: "SERVING" });
        await expect(unary(health, "check", { service: "no.such.Service" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      } finally {
        health.close();
      }
    }
  });
});
