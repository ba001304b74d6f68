import { AuditStore } from "../lib/audit/audit-store.js";
import { databaseAnswers } from "../lib/db.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { countDbWorkAs } from "../lib/db-traffic.js";
import { ConsumerMetrics } from "../lib/events/consumer-metrics.js";
import { startEventConsumers, type EventsConfig } from "../lib/events/event-consumers.js";
import type { StoreProbes } from "../lib/health.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { createLogger } from "../lib/log.js";
import { ledgerPolicy } from "./api/policy.js";
import { pageTokenKey } from "../lib/page-token.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { WalletGrpcClient } from "./adapters/wallet-grpc-client.js";
import { ledgerRoutes } from "./api/ledger-handlers.js";
import { startCheckpointer } from "./app/checkpointer.js";
import { checkStalls, type StallCheckConfig } from "./app/stall-check.js";
import { startStallWatch } from "./app/stall-watch.js";
import { pipelineSources } from "./adapters/pipeline-sources.js";
import { ledgerSubscriptions } from "./events/consumers.js";
import { bookedCounts } from "./store/booked-counts.js";
import { LedgerStore } from "./store/ledger-store.js";
import { ledgerSchema } from "./store/migrations/index.js";
import { DEFAULT_INBOX_RETENTION_DAYS, inboxRetention } from "../lib/events/event-retention.js";
import { RETENTION_SWEEP_INTERVAL_MS, startRetentionSweeper } from "../lib/retention.js";

export interface LedgerServiceConfig extends ServiceDatabaseConfig {
  /** This service's certificate (its identity, as server and as client) and the platform CA. */
  tls: TlsMaterial;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  /** The wallet service, for CheckInvariants to compare wallets with seller_payable accounts; that check is skipped without it. */
  walletUrl?: string;
  /** The payment service, for CheckInvariants to find charged payments and refunds the ledger has not booked. */
  paymentUrl?: string;
  /** CheckInvariants' stall check (defaults: 60 s, 24 h), also run every checkIntervalMs (60 s) for the invariant_violations gauge; see app/stall-check.ts. */
  stalls?: Partial<StallCheckConfig & { checkIntervalMs: number }>;
  checkpointIntervalMs?: number;
  /** Events to book; without it the ledger only answers its API. */
  events?: EventsConfig;
  /** Days kept: inbox rows (default 30); see docs/operations.md, Bounded growth. */
  retention?: { inboxDays?: number };
  /** PAGE_TOKEN_SECRET: signs page tokens (at least 32 characters; the same for every instance). */
  pageTokenSecret: string;
}

export interface RunningLedgerService {
  url: string;
  port: number;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function startLedgerService(config: LedgerServiceConfig): Promise<RunningLedgerService> {
  const tokenKey = pageTokenKey(config.pageTokenSecret);
  const log = createLogger("ledger");
  const retained = [inboxRetention(config.retention?.inboxDays ?? DEFAULT_INBOX_RETENTION_DAYS)];
  const db = await openServiceDb(config, ledgerSchema);
  const store = new LedgerStore(db);
  const metrics = createMetricsRegistry("ledger");
  if (config.walletUrl === undefined)
    log.warn("no wallet service configured: CheckInvariants will not compare wallets with seller_payable accounts");
  const wallets = config.walletUrl === undefined ? undefined : new WalletGrpcClient(config.walletUrl, config.tls);
  const sources = pipelineSources(config, config.tls);
  const consumerMetrics = config.events && new ConsumerMetrics(metrics, config.events.names);
  const stallConfig: StallCheckConfig = { stallAfterMs: 60_000, lookbackMs: 24 * 3600_000, ...config.stalls };
  const stalls = () => checkStalls(bookedCounts(db), sources, consumerMetrics, stallConfig);
  const database = databaseAnswers(db);
  const stores: StoreProbes = new Map([["postgresql", database]]);
  const grpc = await startGrpcServer({
    tls: config.tls,
    policy: ledgerPolicy,
    audit: new AuditStore(db, log),
    pageTokenKey: tokenKey,
    port: config.port,
    routes: ledgerRoutes(store, wallets, tokenKey, stalls),
    healthProbe: database,
    storeProbes: stores,
    log,
    metrics,
    metricsPort: config.metricsPort,
  });
  const stopCheckpointer = startCheckpointer(store, config.checkpointIntervalMs ?? 1_000, log);
  const stopStallWatch = startStallWatch(stalls, config.stalls?.checkIntervalMs ?? 60_000, metrics, log);
  const stopSweeper = startRetentionSweeper(db, retained, RETENTION_SWEEP_INTERVAL_MS, log);
  const events = config.events;
  const consumer =
    events &&
    consumerMetrics &&
    (await countDbWorkAs("events", () =>
      startEventConsumers("ledger-service", events, ledgerSubscriptions(db), log, consumerMetrics),
    ));
  if (consumer) stores.set("nats", async () => consumer.connected());
  log.info("ledger service listening", { url: grpc.url });
  return {
    url: grpc.url,
    port: grpc.port,
    metricsUrl: grpc.metricsUrl,
    close: async () => {
      await consumer?.stop();
      await Promise.all([stopCheckpointer(), stopSweeper(), stopStallWatch()]);
      await grpc.close();
      await db.destroy();
    },
  };
}
