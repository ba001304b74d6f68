import { Teardown } from "../../scripts/infra/teardown.js";
import type { PspSimulator } from "../../psp-simulator/server.js";
import type { RunningLedgerService } from "../../services/ledger/service.js";
import type { RunningWalletService } from "../../services/wallet/service.js";
import { startNatsProcess, type NatsProcess } from "./nats-process.js";
import { PaymentInstance, type PaymentProcessConfig } from "./payment-process.js";
import { PLATFORM_FEE_BPS, PSP_API_KEY, PSP_WEBHOOK_SECRET, startTestPlatform } from "./platform.js";
import { startWebhookBalancer, type WebhookBalancer } from "./webhook-balancer.js";

/**
 * The whole pay-in path for fault injection: the test platform's PSP simulator, risk, wallet and ledger services
 * (startTestPlatform, the topology `npm start` runs), on a nats-server of its own that can be restarted, with the
 * payment service as real processes that can be killed. The PSP sends its webhooks through a balancer in front of
 * the payment instances.
 */
export interface FaultPlatform {
  nats: NatsProcess;
  psp: PspSimulator;
  webhooks: WebhookBalancer;
  wallet: RunningWalletService;
  ledger: RunningLedgerService;
  /** Created, not started: the test starts, kills and restarts them. */
  payments: PaymentInstance[];
  /** Calls the PSP's REST API with the secret key. */
  pspApi(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface FaultPlatformOptions {
  paymentInstances: number;
  poller: PaymentProcessConfig["poller"];
  /** The PSP simulator's fault draws and webhook retry jitter; default Math.random. */
  pspRandom?: () => number;
}

/** Should a start fail, what had started is closed before the failure is thrown. */
export async function startFaultPlatform(options: FaultPlatformOptions): Promise<FaultPlatform> {
  const teardown = new Teardown();
  try {
    // Stopped last, after the services: deleting the server's store deletes the streams with it.
    const nats = teardown.add(await startNatsProcess(), (server) => server.stop());
    const webhooks = teardown.add(await startWebhookBalancer(), (balancer) => balancer.close());
    const platform = teardown.add(
      await startTestPlatform({
        services: ["risk", "wallet", "ledger"],
        outside: ["payment"],
        nats: nats.endpoint,
        psp: { webhookUrl: webhooks.url, random: options.pspRandom },
      }),
      (started) => started.close(),
    );
    const config: PaymentProcessConfig = {
      databaseUrl: platform.database.url,
      riskUrl: platform.risk.url,
      psp: { url: platform.psp.url, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET },
      nats: nats.endpoint("payment"),
      streams: platform.streams,
      platformFeeBps: PLATFORM_FEE_BPS,
      poller: options.poller,
      pageTokenSecret: platform.pageTokenSecret,
    };
    const payments: PaymentInstance[] = [];
    for (let i = 0; i < options.paymentInstances; i++) {
      payments.push(
        teardown.add(await PaymentInstance.create(config, String.fromCharCode(65 + i)), (instance) =>
          instance.stop("SIGKILL"),
        ),
      );
    }
    const { psp, wallet, ledger, pspApi } = platform;
    return { nats, psp, webhooks, wallet, ledger, payments, pspApi, close: () => teardown.run() };
  } catch (err) {
    await teardown.run().catch(() => {});
    throw err;
  }
}
