import { testTls } from "./tls.js";
import { Teardown } from "../../scripts/infra/teardown.js";
import { startPspSimulator, type PspSimulator } from "../../psp-simulator/server.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { startLedgerService, type RunningLedgerService } from "../../services/ledger/service.js";
import { startRiskService } from "../../services/risk/service.js";
import { startWalletService, type RunningWalletService } from "../../services/wallet/service.js";
import { uniqueStreamNames } from "./event-streams.js";
import { startNatsProcess, type NatsProcess } from "./nats-process.js";
import { PaymentInstance, type PaymentProcessConfig } from "./payment-process.js";
import { PLATFORM_FEE_BPS, PSP_API_KEY, PSP_WEBHOOK_SECRET, pspApiOf } from "./platform.js";
import { createTestDatabase } from "./test-database.js";
import { startWebhookBalancer, type WebhookBalancer } from "./webhook-balancer.js";

/**
 * The whole pay-in path for fault injection: the payment service as real processes that can be killed, a
 * nats-server of its own that can be restarted, and in-process PSP simulator, risk, wallet and ledger services.
 * The PSP sends its webhooks through a balancer in front of the payment instances.
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

export async function startFaultPlatform(options: FaultPlatformOptions): Promise<FaultPlatform> {
  const teardown = new Teardown();
  try {
    const database = teardown.add(await createTestDatabase(), (db) => db.drop());
    // Deleting the server's store deletes the streams with it.
    const nats = teardown.add(await startNatsProcess(), (server) => server.stop());
    const streams = uniqueStreamNames();
    const webhooks = teardown.add(await startWebhookBalancer(), (balancer) => balancer.close());
    const psp = teardown.add(
      await startPspSimulator({ apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET, webhookRetryBaseMs: 50, webhookUrl: webhooks.url, random: options.pspRandom }),
      (simulator) => simulator.close(),
    );
    const pageTokenSecret = randomPageTokenSecret();
    const risk = teardown.add(await startRiskService({ tls: testTls("risk"), pageTokenSecret, databaseUrl: database.url }), (server) => server.close());
    const wallet = teardown.add(
      await startWalletService({ tls: testTls("wallet"), databaseUrl: database.url, events: { nats: nats.endpoint("wallet"), names: streams }, pageTokenSecret }),
      (service) => service.close(),
    );
    const ledger = teardown.add(
      await startLedgerService({ tls: testTls("ledger"), databaseUrl: database.url, walletUrl: wallet.url, checkpointIntervalMs: 100, events: { nats: nats.endpoint("ledger"), names: streams }, pageTokenSecret }),
      (service) => service.close(),
    );
    const config: PaymentProcessConfig = {
      databaseUrl: database.url,
      riskUrl: risk.url,
      psp: { url: psp.url, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET },
      nats: nats.endpoint("payment"),
      streams,
      platformFeeBps: PLATFORM_FEE_BPS,
      poller: options.poller,
      pageTokenSecret,
    };
    const payments: PaymentInstance[] = [];
    for (let i = 0; i < options.paymentInstances; i++) {
      payments.push(teardown.add(await PaymentInstance.create(config, String.fromCharCode(65 + i)), (instance) => instance.stop("SIGKILL")));
    }
    return {
      nats,
      psp,
      webhooks,
      wallet,
      ledger,
      payments,
      pspApi: pspApiOf(psp.url),
      close: () => teardown.run(),
    };
  } catch (err) {
    await teardown.run().catch(() => {});
    throw err;
  }
}
