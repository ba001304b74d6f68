import { testTls } from "./tls.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPspSimulator, type PspSimulator, type PspSimulatorOptions } from "../../psp-simulator/server.js";
import type { PollerConfig } from "../../services/payment/app/in-flight-poller.js";
import type { NatsEndpoint } from "../../services/lib/events/nats.js";
import type { EventStreamNames } from "../../services/lib/events/streams.js";
import {
  startPaymentService,
  type PaymentServiceConfig,
  type RunningPaymentService,
} from "../../services/payment/service.js";
import type { RiskRules } from "../../services/risk/domain/rules.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import { startRiskService } from "../../services/risk/service.js";
import {
  startWalletService,
  type RunningWalletService,
  type WalletServiceConfig,
} from "../../services/wallet/service.js";
import {
  startLedgerService,
  type LedgerServiceConfig,
  type RunningLedgerService,
} from "../../services/ledger/service.js";
import {
  startReconciliationService,
  type ReconciliationServiceConfig,
  type RunningReconciliationService,
} from "../../services/reconciliation/service.js";
import { startConsoleService, type RunningConsoleService } from "../../services/console/service.js";
import type { ConsumerSettings } from "../../services/lib/events/consumer.js";
import type { GrpcServer } from "../../services/lib/grpc-server.js";
import { databaseUrlViaPort } from "./database-proxy.js";
import { deleteStreams, uniqueStreamNames } from "./event-streams.js";
import { natsAs } from "./nats-users.js";
import { pspApiWithKey } from "./psp-api.js";
import type { NatsUser } from "../../scripts/infra/nats-auth.js";
import { withWhatTheyNeed, type ServiceName } from "../../scripts/infra/platform-services.js";
import { Teardown } from "../../scripts/infra/teardown.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

export const PSP_API_KEY = "sk_test_platform";
export const PSP_WEBHOOK_SECRET = "whsec_platform_test";
export const PLATFORM_FEE_BPS = 250;
/** The password of the console's operator `admin` (role finance) on a test platform. */
export const CONSOLE_ADMIN_PASSWORD = "operator-test-password";

export interface TestPlatform {
  database: TestDatabase;
  streams: EventStreamNames;
  psp: PspSimulator;
  risk: GrpcServer;
  payment: RunningPaymentService;
  wallet: RunningWalletService;
  ledger: RunningLedgerService;
  reconciliation: RunningReconciliationService;
  /** The reconciliation service's settlement directory (a temporary one, removed on close). */
  settlementDir: string;
  /** Signs every service's page tokens (replicas share it). */
  pageTokenSecret: string;
  /** The operator console (HTTP), reading the services above. */
  console: RunningConsoleService;
  /** Calls the PSP's REST API with the secret key. */
  pspApi(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The platform on real ports, in this process: its own database and streams, the PSP simulator, our services. */
export interface TestPlatformOptions {
  rules?: RiskRules;
  poller?: Partial<PollerConfig>;
  /** The NATS the payment service publishes through (e.g. a proxy that a test can cut). */
  paymentNats?: NatsEndpoint;
  consumers?: Partial<Pick<ConsumerSettings, "maxDeliver" | "ackWaitMs" | "retryBaseMs">>;
  /** The wallet's payout poller (by default every 100 ms, for payouts untouched for 200 ms) and schedule (none). */
  payouts?: Pick<WalletServiceConfig, "payoutPoller" | "payoutSchedule">;
  reconciliation?: ReconciliationServiceConfig["reconciliation"];
  /** The ledger's stall check in CheckInvariants. */
  stalls?: LedgerServiceConfig["stalls"];
  /** The port on 127.0.0.1 the services reach PostgreSQL through (e.g. a proxy's that a test can cut); the test itself uses the database directly. */
  databasePort?: number;
  /** The services the file uses; what they need starts too. Default: all. */
  services?: PlatformService[];
  /** Run by the caller, not here, although others need it: the payment service as processes a fault test kills (the ledger then has no payment service to check against). */
  outside?: "payment"[];
  /** The NATS server the services use, as their users (e.g. one the test restarts, whose store holds the streams); default the test run's. */
  nats?: (user: NatsUser) => NatsEndpoint;
  /** Where the PSP simulator sends webhooks (default the payment service's) and its source of randomness. */
  psp?: Pick<PspSimulatorOptions, "webhookUrl" | "random">;
}

/** The services a test platform can run: those of `npm start` but the demo merchant. */
export type PlatformService = Exclude<ServiceName, "merchant">;

/**
 * Starts `options.services` (by default all of them) and what they need (scripts/infra/platform-services.ts, the
 * topology `npm start` runs), each on its own ports. A service not started is not there: reading its field throws.
 * Should a start fail, what had started is closed before the failure is thrown.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const wanted = withWhatTheyNeed(options.services ?? ALL_SERVICES);
  for (const name of options.outside ?? []) wanted.delete(name);
  const teardown = new Teardown();
  try {
    return await startServices(wanted, options, teardown);
  } catch (err) {
    await teardown.run().catch(() => {});
    throw err;
  }
}

const ALL_SERVICES: PlatformService[] = ["psp", "risk", "payment", "wallet", "ledger", "reconciliation", "console"];

async function startServices(
  wanted: Set<ServiceName>,
  options: TestPlatformOptions,
  teardown: Teardown,
): Promise<TestPlatform> {
  const database = teardown.add(await createTestDatabase(), (db) => db.drop());
  const servicesDatabaseUrl =
    options.databasePort === undefined ? database.url : databaseUrlViaPort(database.url, options.databasePort);
  const natsFor = options.nats ?? natsAs;
  // Another server's streams go with its store.
  const streams = options.nats ? uniqueStreamNames() : teardown.add(uniqueStreamNames(), deleteStreams);
  const settlementDir = teardown.add(mkdtempSync(join(tmpdir(), "settlements-")), async (dir) =>
    rmSync(dir, { recursive: true, force: true }),
  );
  const pageTokenSecret = randomPageTokenSecret();
  // Filled in as the services start: a teardown after a partial start closes the ones there are.
  const platform = {
    database,
    streams,
    settlementDir,
    pageTokenSecret,
    pspApi: (path: string, init?: RequestInit) => pspApiOf(platform.psp.url)(path, init),
    close: () => teardown.run(),
  } as TestPlatform;
  for (const name of ALL_SERVICES.filter((name) => !wanted.has(name))) {
    Object.defineProperty(platform, name, {
      get: () => {
        throw new Error(`the test platform runs no ${name} service: add it to the services the file starts`);
      },
    });
  }
  const start = async <S extends PlatformService>(name: S, run: () => Promise<TestPlatform[S]>): Promise<void> => {
    if (!wanted.has(name)) return;
    platform[name] = await run();
    // The one running then: a test may have replaced it (e.g. restarted the wallet).
    teardown.add(name, (started) => platform[started].close());
  };
  // Each one after the services it calls, which `wanted` holds.
  await start("psp", () =>
    startPspSimulator({
      apiKey: PSP_API_KEY,
      webhookSecret: PSP_WEBHOOK_SECRET,
      webhookRetryBaseMs: 50,
      ...options.psp,
    }),
  );
  await start("risk", () =>
    startRiskService({ tls: testTls("risk"), pageTokenSecret, databaseUrl: servicesDatabaseUrl, rules: options.rules }),
  );
  await start("payment", async () => {
    const payment = await startPaymentService({
      ...paymentConfig(servicesDatabaseUrl, streams, platform.psp.url, platform.risk.url, pageTokenSecret),
      events: { nats: options.paymentNats ?? natsFor("payment"), names: streams },
      poller: { intervalMs: 3_600_000, ...options.poller },
    });
    platform.psp.setWebhookUrl(payment.webhookUrl);
    return payment;
  });
  await start("wallet", () =>
    startWalletService(walletConfig(servicesDatabaseUrl, streams, platform.psp.url, pageTokenSecret, options)),
  );
  await start("ledger", () =>
    startLedgerService({
      tls: testTls("ledger"),
      databaseUrl: servicesDatabaseUrl,
      walletUrl: platform.wallet.url,
      paymentUrl: wanted.has("payment") ? platform.payment.url : undefined,
      stalls: options.stalls,
      checkpointIntervalMs: 100,
      events: { nats: natsFor("ledger"), names: streams, settings: options.consumers },
      pageTokenSecret,
    }),
  );
  await start("reconciliation", () =>
    startReconciliationService({
      tls: testTls("reconciliation"),
      databaseUrl: servicesDatabaseUrl,
      ledgerUrls: [platform.ledger.url],
      paymentUrl: platform.payment.url,
      psp: { baseUrl: platform.psp.url, apiKey: PSP_API_KEY },
      settlementDir,
      reconciliation: options.reconciliation,
      pageTokenSecret,
    }),
  );
  await start("console", () =>
    startConsoleService({
      tls: testTls("console"),
      databaseUrl: servicesDatabaseUrl,
      paymentUrl: platform.payment.url,
      ledgerUrl: platform.ledger.url,
      reconciliationUrl: platform.reconciliation.url,
      walletUrl: platform.wallet.url,
      riskUrl: platform.risk.url,
      deadLetters: { nats: natsFor("console"), names: streams },
      adminPassword: CONSOLE_ADMIN_PASSWORD,
    }),
  );
  return platform;
}

function paymentConfig(
  databaseUrl: string,
  streams: EventStreamNames,
  pspUrl: string,
  riskUrl: string,
  pageTokenSecret: string,
): PaymentServiceConfig {
  return {
    tls: testTls("payment"),
    databaseUrl,
    pageTokenSecret,
    riskUrl,
    psp: { baseUrl: pspUrl, apiKey: PSP_API_KEY, webhookSecret: PSP_WEBHOOK_SECRET },
    events: { nats: natsAs("payment"), names: streams },
    platformFeeBps: PLATFORM_FEE_BPS,
    // By default the poller stays out of the way, so that tests see what webhooks alone achieve.
    poller: { intervalMs: 3_600_000 },
  };
}

function walletConfig(
  databaseUrl: string,
  streams: EventStreamNames,
  pspUrl: string,
  pageTokenSecret: string,
  options: TestPlatformOptions,
): WalletServiceConfig {
  return {
    tls: testTls("wallet"),
    databaseUrl,
    pageTokenSecret,
    events: { nats: (options.nats ?? natsAs)("wallet"), names: streams, settings: options.consumers },
    psp: { baseUrl: pspUrl, apiKey: PSP_API_KEY },
    payoutPoller: { intervalMs: 100, staleAfterMs: 200 },
    ...options.payouts,
  };
}

/** Another wallet service instance on the platform's database, streams and PSP: a second replica, or one with a payout schedule. */
export function startWalletReplica(
  platform: TestPlatform,
  options: TestPlatformOptions = {},
): Promise<RunningWalletService> {
  return startWalletService(
    walletConfig(platform.database.url, platform.streams, platform.psp.url, platform.pageTokenSecret, options),
  );
}

/**
 * Another payment service instance on the platform's database and streams, on its own ports: a second replica,
 * or the service as it comes back after a restart. The PSP keeps sending webhooks to the platform's instance.
 */
export function startPaymentReplica(
  platform: TestPlatform,
  overrides: Partial<PaymentServiceConfig> = {},
): Promise<RunningPaymentService> {
  return startPaymentService({
    ...paymentConfig(
      platform.database.url,
      platform.streams,
      platform.psp.url,
      platform.risk.url,
      platform.pageTokenSecret,
    ),
    ...overrides,
  });
}

/** Calls the simulator's REST API with the platform's secret key. */
export function pspApiOf(pspUrl: string): TestPlatform["pspApi"] {
  return pspApiWithKey(pspUrl, PSP_API_KEY);
}
