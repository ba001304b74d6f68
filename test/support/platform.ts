import { startPspSimulator, type PspSimulator } from "../../psp-simulator/server.js";
import type { PollerConfig } from "../../services/payment/app/in-flight-poller.js";
import { startPaymentService, type RunningPaymentService } from "../../services/payment/service.js";
import type { RiskRules } from "../../services/risk/domain/rules.js";
import { startRiskService } from "../../services/risk/service.js";
import type { GrpcServer } from "../../services/lib/grpc-server.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

export const PSP_API_KEY = "sk_test_platform";
export const PSP_WEBHOOK_SECRET = "whsec_platform_test";

export interface TestPlatform {
  database: TestDatabase;
  psp: PspSimulator;
  risk: GrpcServer;
  payment: RunningPaymentService;
  /** Calls the PSP's REST API with the secret key. */
  pspApi(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The whole pay-in path on real ports: its own database, the PSP simulator, risk and payment services. */
export async function startTestPlatform(options: { rules?: RiskRules; poller?: Partial<PollerConfig> } = {}): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const psp = await startPspSimulator({ apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET, webhookRetryBaseMs: 50 });
  const risk = await startRiskService({ databaseUrl: database.url, rules: options.rules });
  const payment = await startPaymentService({
    databaseUrl: database.url,
    riskUrl: risk.url,
    psp: { baseUrl: psp.url, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET },
    // By default the poller stays out of the way, so that tests see what webhooks alone achieve.
    poller: { intervalMs: 3_600_000, ...options.poller },
  });
  psp.setWebhookUrl(payment.webhookUrl);
  return {
    database,
    psp,
    risk,
    payment,
    pspApi: (path, init) =>
      fetch(new URL(path, psp.url), {
        ...init,
        headers: { authorization: `Bearer ${PSP_API_KEY}`, "content-type": "application/json", ...init?.headers },
      }),
    close: async () => {
      await payment.close();
      await risk.close();
      await psp.close();
      await database.drop();
    },
  };
}
