/**
 * Brings the whole platform up on this machine, each service in a process of its own, and runs a demo checkout:
 *   npm start                      # stays up until Ctrl-C
 *   npm start -- --exit-after-demo # stops after the demo (exit code 0 when it succeeded)
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PaymentStatus } from "../gen/payment/v1/payment_pb.js";
import { envInt, envString } from "../services/lib/config.js";
import { issueDevPki } from "../services/lib/tls/dev-ca.js";
import type { Identity } from "../services/lib/tls/identity.js";
import { natsConnectOptions, natsEnv } from "../services/lib/events/nats.js";
import { streamNamesFromEnv } from "../services/lib/events/streams.js";
import { WEBHOOK_PATH } from "../services/payment/api/psp-webhook.js";
import { runDemoCheckout } from "./demo-checkout.js";
import { freePort } from "./infra/free-port.js";
import { scopeOf } from "./infra/nats-auth.js";
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
const tls = (port: number) => `https://127.0.0.1:${port}`;

/** A secret from the environment, or a random one for this run only: no fixed secret to leak into production. */
const secretFrom = (name: string, bytes = 32) => process.env[name] || randomBytes(bytes).toString("hex");

async function up() {
  const postgres = await ensurePostgres();
  stops.push(postgres.stop);
  print(`PostgreSQL      ${postgres.url.replace(/:[^:@/]*@/, ":***@")}  (${postgres.origin})`);

  const nats = await ensureNats(scopeOf(streamNamesFromEnv()));
  stops.push(nats.stop);
  const nc = await connect(natsConnectOptions(nats.endpoint("payment"), "platform-check"));
  const js = await jetstreamManager(nc);
  await js.getAccountInfo();
  await nc.close();
  print(`NATS JetStream  ${nats.url}  (${nats.origin})`);

  const pki = await issueDevPki(process.env.PKI_DIR ?? mkdtempSync(join(tmpdir(), "payments-pki-")));
  print(`Development PKI ${pki.dir}  (ca.pem, <identity>.pem, <identity>-key.pem)`);
  const operatorTools = Object.entries(pki.env("operator-tools")).map(([name, file]) => `${name}=${file}`).join(" ");
  print(`  scripts (npm run replay-settlement ...) call as operator-tools with: ${operatorTools}`);

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
    risk: tls(ports.risk),
    payment: tls(ports.payment),
    webhooks: `${local(ports.paymentHttp)}${WEBHOOK_PATH}`,
    ledger: tls(ports.ledger),
    wallet: tls(ports.wallet),
    reconciliation: tls(ports.reconciliation),
    console: local(ports.console),
  };
  // Files handed to RunReconciliation by name (e.g. npm run replay-settlement -- <file name>) are read from here.
  const settlementDir = envString("SETTLEMENT_DIR", "") || mkdtempSync(join(tmpdir(), "payment-platform-settlements-"));
  if (!process.env.SETTLEMENT_DIR) stops.push(() => rm(settlementDir, { recursive: true, force: true }));
  // The console's operator `admin` (role finance) gets this password at every start (printed below).
  const consoleAdminPassword = secretFrom("CONSOLE_ADMIN_PASSWORD", 8);
  // Every service reads its configuration from the environment, as its main.ts does in production.
  const env: NodeJS.ProcessEnv = {
    PLATFORM_ENV: process.env.PLATFORM_ENV || "development",
    DATABASE_URL: postgres.url,
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
    SETTLEMENT_DIR: settlementDir,
    PAGE_TOKEN_SECRET: secretFrom("PAGE_TOKEN_SECRET"),
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
  const as = (identity: Identity) => ({ ...env, ...pki.env(identity) });
  const services = await Promise.all([
    startServiceProcess("PSP simulator", "psp-simulator/main.ts", env, ports.psp),
    startServiceProcess("risk service", "services/risk/main.ts", as("risk"), ports.risk),
    startServiceProcess("payment service", "services/payment/main.ts", { ...as("payment"), ...natsEnv(nats.endpoint("payment")) }, ports.payment),
    startServiceProcess("wallet service", "services/wallet/main.ts", { ...as("wallet"), ...natsEnv(nats.endpoint("wallet")) }, ports.wallet),
    startServiceProcess("ledger service", "services/ledger/main.ts", { ...as("ledger"), ...natsEnv(nats.endpoint("ledger")) }, ports.ledger),
    startServiceProcess("reconciliation service", "services/reconciliation/main.ts", as("reconciliation"), ports.reconciliation),
    startServiceProcess("console", "services/console/main.ts", { ...as("console"), ...natsEnv(nats.endpoint("console")) }, ports.console),
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
  print(`Settlement files ${settlementDir}  (RunReconciliation's file_path names a file in it)`);
  print(`Console         ${urls.console}  (login admin / ${consoleAdminPassword})`);
  const tools = natsEnv(nats.endpoint("operator-tools"));
  print(`Operator tools  NATS_URL=${tools.NATS_URL} NATS_USER=${tools.NATS_USER} NATS_PASSWORD=${tools.NATS_PASSWORD} npx tsx scripts/dead-letters.ts list`);
  print(`(each service in a process of its own: ${services.map((s) => s.pid).join(", ")})`);
  print("");
  return { urls: { paymentUrl: urls.payment, walletUrl: urls.wallet, ledgerUrl: urls.ledger }, pki };
}

try {
  const { urls, pki } = await up();
  const result = await runDemoCheckout(urls, { marketplace: pki.material("marketplace"), operatorTools: pki.material("operator-tools") }, print);
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
