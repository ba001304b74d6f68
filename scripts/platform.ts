/**
 * Brings the whole platform up on this machine and runs a demo checkout:
 *   npm start                      # stays up until Ctrl-C
 *   npm start -- --exit-after-demo # stops after the demo (exit code 0 when it succeeded)
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PaymentStatus } from "../gen/payment/v1/payment_pb.js";
import { startPspSimulator } from "../psp-simulator/server.js";
import { envInt, envString } from "../services/lib/config.js";
import { streamNamesFromEnv } from "../services/lib/events/streams.js";
import { DEFAULT_PLATFORM_FEE_BPS, startPaymentService } from "../services/payment/service.js";
import { startRiskService } from "../services/risk/service.js";
import { DEFAULT_PAYOUT_SCHEDULE_INTERVAL_MS, payoutJobsFromEnv } from "../services/wallet/config.js";
import { startWalletService } from "../services/wallet/service.js";
import { startLedgerService } from "../services/ledger/service.js";
import { scheduleFromEnv, startReconciliationService } from "../services/reconciliation/service.js";
import { runDemoCheckout } from "./demo-checkout.js";
import { ensureNats, NatsUnavailableError } from "./infra/nats.js";
import { ensurePostgres } from "./infra/postgres.js";

process.env.LOG_LEVEL ??= "warn";
const print = (line: string) => console.log(line);
const stops: (() => Promise<void>)[] = [];
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
};

async function up() {
  const postgres = await ensurePostgres();
  stops.push(postgres.stop);
  print(`PostgreSQL      ${postgres.url.replace(/:[^:@/]*@/, ":***@")}  (${postgres.origin})`);

  const nats = await ensureNats();
  stops.push(nats.stop);
  const nc = await connect({ servers: nats.url });
  const js = await jetstreamManager(nc);
  await js.getAccountInfo();
  await nc.close();
  print(`NATS JetStream  ${nats.url}  (${nats.origin})`);

  const pspApiKey = envString("PSP_API_KEY", "sk_test_local_platform");
  const pspWebhookSecret = envString("PSP_WEBHOOK_SECRET", "whsec_local_platform");
  const psp = await startPspSimulator({
    port: envInt("PSP_PORT", 8090),
    apiKey: pspApiKey,
    webhookSecret: pspWebhookSecret,
    // The PSP's fraud team approves a payment held for manual review after this long, unless told sooner.
    reviewDelayMs: envInt("PSP_REVIEW_DELAY_MS", 30_000),
  });
  stops.push(psp.close);
  print(`PSP simulator   ${psp.url}  (REST API /v1, hosted pages /pay/<id>)`);

  const risk = await startRiskService({ databaseUrl: postgres.url, port: envInt("RISK_PORT", 50052), metricsPort: envInt("RISK_METRICS_PORT", 9452) });
  stops.push(risk.close);
  print(`Risk service    ${risk.url}  (gRPC risk.v1.RiskService)  metrics ${risk.metricsUrl}`);

  const payment = await startPaymentService({
    databaseUrl: postgres.url,
    port: envInt("PAYMENT_PORT", 50051),
    metricsPort: envInt("PAYMENT_METRICS_PORT", 9451),
    httpPort: envInt("PAYMENT_HTTP_PORT", 8081),
    riskUrl: risk.url,
    psp: { baseUrl: psp.url, apiKey: pspApiKey, webhookSecret: pspWebhookSecret },
    events: { natsUrl: nats.url, names: streamNamesFromEnv() },
    platformFeeBps: envInt("PLATFORM_FEE_BPS", DEFAULT_PLATFORM_FEE_BPS),
  });
  stops.push(payment.close);
  psp.setWebhookUrl(payment.webhookUrl);
  print(`Payment service ${payment.url}  (gRPC payment.v1.PaymentService)  metrics ${payment.metricsUrl}`);
  print(`PSP webhooks -> ${payment.webhookUrl}`);

  const wallet = await startWalletService({
    databaseUrl: postgres.url,
    port: envInt("WALLET_PORT", 50054),
    metricsPort: envInt("WALLET_METRICS_PORT", 9454),
    events: { natsUrl: nats.url, names: streamNamesFromEnv() },
    psp: { baseUrl: psp.url, apiKey: pspApiKey },
    ...payoutJobsFromEnv(DEFAULT_PAYOUT_SCHEDULE_INTERVAL_MS),
  });
  stops.push(wallet.close);
  print(`Wallet service  ${wallet.url}  (gRPC wallet.v1.WalletService)  metrics ${wallet.metricsUrl}`);

  const ledger = await startLedgerService({
    databaseUrl: postgres.url,
    port: envInt("LEDGER_PORT", 50053),
    metricsPort: envInt("LEDGER_METRICS_PORT", 9453),
    walletUrl: wallet.url,
    events: { natsUrl: nats.url, names: streamNamesFromEnv() },
  });
  stops.push(ledger.close);
  print(`Ledger service  ${ledger.url}  (gRPC ledger.v1.LedgerService)  metrics ${ledger.metricsUrl}`);

  const reconciliation = await startReconciliationService({
    databaseUrl: postgres.url,
    port: envInt("RECONCILIATION_PORT", 50055),
    metricsPort: envInt("RECONCILIATION_METRICS_PORT", 9455),
    ledgerUrls: [ledger.url],
    paymentUrl: payment.url,
    psp: { baseUrl: psp.url, apiKey: pspApiKey },
    schedule: scheduleFromEnv(),
  });
  stops.push(reconciliation.close);
  print(`Reconciliation  ${reconciliation.url}  (gRPC reconciliation.v1.ReconciliationService; npm run replay-settlement -- <date>)  metrics ${reconciliation.metricsUrl}`);
  print("");
  return { paymentUrl: payment.url, walletUrl: wallet.url, ledgerUrl: ledger.url };
}

try {
  const urls = await up();
  const result = await runDemoCheckout(urls, print);
  const ok = result.status === PaymentStatus.SUCCEEDED;
  print(ok ? "Demo checkout SUCCEEDED." : "Demo checkout did not succeed.");
  if (process.argv.includes("--exit-after-demo")) {
    await stopAll();
    process.exit(ok ? 0 : 1);
  }
  print("\nThe platform is up. Press Ctrl-C to stop.");
  const shutdown = () => stopAll().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (err) {
  console.error(err instanceof NatsUnavailableError ? err.message : err);
  await stopAll();
  process.exit(1);
}
