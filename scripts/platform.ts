/**
 * Brings the whole platform up on this machine, each service in a process of its own, and runs a demo checkout:
 *   npm start                      # stays up until Ctrl-C
 *   npm start -- --exit-after-demo # stops after the demo (exit code 0 when it succeeded)
 */
import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PaymentStatus } from "../gen/payment/v1/payment_pb.js";
import { envInt } from "../services/lib/config.js";
import { WEBHOOK_PATH } from "../services/payment/api/psp-webhook.js";
import { runDemoCheckout } from "./demo-checkout.js";
import { freePort } from "./infra/free-port.js";
import { ensureNats, NatsUnavailableError } from "./infra/nats.js";
import { ensurePostgres } from "./infra/postgres.js";
import { startServiceProcess } from "./infra/service-process.js";

process.env.LOG_LEVEL ??= "warn";
const print = (line: string) => console.log(line);
const stops: (() => Promise<void>)[] = [];
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
};

/** The port an environment variable asks for (0: any free one, chosen now so that the others can be told it). */
async function portFrom(name: string, fallback: number): Promise<number> {
  const port = envInt(name, fallback);
  return port === 0 ? freePort() : port;
}

const DATABASE_PASSWORDS = ["PAYMENT", "RISK", "LEDGER", "WALLET", "RECONCILIATION", "CONSOLE"].map((schema) => `${schema}_DB_PASSWORD`);
const local = (port: number) => `http://127.0.0.1:${port}`;

/** A secret from the environment, or a random one for this run only: no fixed secret to leak into production. */
const secretFrom = (name: string, bytes = 32) => process.env[name] || randomBytes(bytes).toString("hex");

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

  const ports = {
    psp: await portFrom("PSP_PORT", 8090),
    risk: await portFrom("RISK_PORT", 50052),
    payment: await portFrom("PAYMENT_PORT", 50051),
    paymentHttp: await portFrom("PAYMENT_HTTP_PORT", 8081),
    ledger: await portFrom("LEDGER_PORT", 50053),
    wallet: await portFrom("WALLET_PORT", 50054),
    reconciliation: await portFrom("RECONCILIATION_PORT", 50055),
    paymentMetrics: await portFrom("PAYMENT_METRICS_PORT", 9451),
    riskMetrics: await portFrom("RISK_METRICS_PORT", 9452),
    ledgerMetrics: await portFrom("LEDGER_METRICS_PORT", 9453),
    walletMetrics: await portFrom("WALLET_METRICS_PORT", 9454),
    reconciliationMetrics: await portFrom("RECONCILIATION_METRICS_PORT", 9455),
    console: await portFrom("CONSOLE_PORT", 8082),
  };
  const urls = {
    psp: local(ports.psp),
    risk: local(ports.risk),
    payment: local(ports.payment),
    webhooks: `${local(ports.paymentHttp)}${WEBHOOK_PATH}`,
    ledger: local(ports.ledger),
    wallet: local(ports.wallet),
    reconciliation: local(ports.reconciliation),
    console: local(ports.console),
  };
  // The console's operator `admin` (role finance) gets this password at every start (printed below).
  const consoleAdminPassword = secretFrom("CONSOLE_ADMIN_PASSWORD", 8);
  // Every service reads its configuration from the environment, as its main.ts does in production.
  const env: NodeJS.ProcessEnv = {
    PLATFORM_ENV: process.env.PLATFORM_ENV || "development",
    DATABASE_URL: postgres.url,
    NATS_URL: nats.url,
    PSP_API_KEY: secretFrom("PSP_API_KEY"),
    PSP_WEBHOOK_SECRET: secretFrom("PSP_WEBHOOK_SECRET"),
    // The PSP's fraud team approves a payment held for manual review after this long, unless told sooner.
    PSP_REVIEW_DELAY_MS: String(envInt("PSP_REVIEW_DELAY_MS", 30_000)),
    PSP_WEBHOOK_URL: urls.webhooks,
    PSP_URL: urls.psp,
    RISK_URL: urls.risk,
    PAYMENT_URL: urls.payment,
    LEDGER_URL: urls.ledger,
    WALLET_URL: urls.wallet,
    RECONCILIATION_URL: urls.reconciliation,
    CONSOLE_ADMIN_PASSWORD: consoleAdminPassword,
    // Each service connects to PostgreSQL as a role of its own (see services/lib/service-db.ts).
    ...Object.fromEntries(DATABASE_PASSWORDS.map((name) => [name, secretFrom(name)])),
    ...Object.fromEntries(
      Object.entries({
        PSP_PORT: ports.psp,
        RISK_PORT: ports.risk,
        PAYMENT_PORT: ports.payment,
        PAYMENT_HTTP_PORT: ports.paymentHttp,
        LEDGER_PORT: ports.ledger,
        WALLET_PORT: ports.wallet,
        RECONCILIATION_PORT: ports.reconciliation,
        PAYMENT_METRICS_PORT: ports.paymentMetrics,
        RISK_METRICS_PORT: ports.riskMetrics,
        LEDGER_METRICS_PORT: ports.ledgerMetrics,
        WALLET_METRICS_PORT: ports.walletMetrics,
        RECONCILIATION_METRICS_PORT: ports.reconciliationMetrics,
        CONSOLE_PORT: ports.console,
      }).map(([name, port]) => [name, String(port)]),
    ),
  };
  const services = await Promise.all([
    startServiceProcess("PSP simulator", "psp-simulator/main.ts", env, ports.psp),
    startServiceProcess("risk service", "services/risk/main.ts", env, ports.risk),
    startServiceProcess("payment service", "services/payment/main.ts", env, ports.payment),
    startServiceProcess("wallet service", "services/wallet/main.ts", env, ports.wallet),
    startServiceProcess("ledger service", "services/ledger/main.ts", env, ports.ledger),
    startServiceProcess("reconciliation service", "services/reconciliation/main.ts", env, ports.reconciliation),
    startServiceProcess("console", "services/console/main.ts", env, ports.console),
  ]);
  for (const service of services) stops.push(service.stop);
  const metrics = (port: number) => `metrics ${local(port)}/metrics`;
  print(`PSP simulator   ${urls.psp}  (REST API /v1, hosted pages /pay/<id>)`);
  print(`Risk service    ${urls.risk}  (gRPC risk.v1.RiskService)  ${metrics(ports.riskMetrics)}`);
  print(`Payment service ${urls.payment}  (gRPC payment.v1.PaymentService)  ${metrics(ports.paymentMetrics)}`);
  print(`PSP webhooks -> ${urls.webhooks}`);
  print(`Wallet service  ${urls.wallet}  (gRPC wallet.v1.WalletService)  ${metrics(ports.walletMetrics)}`);
  print(`Ledger service  ${urls.ledger}  (gRPC ledger.v1.LedgerService)  ${metrics(ports.ledgerMetrics)}`);
  print(`Reconciliation  ${urls.reconciliation}  (gRPC reconciliation.v1.ReconciliationService; npm run replay-settlement -- <date>)  ${metrics(ports.reconciliationMetrics)}`);
  print(`Console         ${urls.console}  (login admin / ${consoleAdminPassword})`);
  print(`(each service in a process of its own: ${services.map((s) => s.pid).join(", ")})`);
  print("");
  return { paymentUrl: urls.payment, walletUrl: urls.wallet, ledgerUrl: urls.ledger };
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
