import { WalletService } from "../../gen/wallet/v1/wallet_pb.js";
import { pipelineHandlers } from "../lib/pipeline/pipeline-handlers.js";
import { walletSettledFlows } from "./store/settled-flows.js";
import { AuditStore } from "../lib/audit/audit-store.js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { databaseAnswers } from "../lib/db.js";
import { countDbWorkAs } from "../lib/db-traffic.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { ConsumerMetrics } from "../lib/events/consumer-metrics.js";
import { consumeEvents, type EventsConfig } from "../lib/events/event-consumers.js";
import { attachToNats } from "../lib/events/nats.js";
import { registerOutboxMetrics } from "../lib/events/outbox-metrics.js";
import { defaultRelaySettings, startOutboxRelay } from "../lib/events/outbox-relay.js";
import { ensureEventStreams } from "../lib/events/streams.js";
import type { StoreProbes } from "../lib/health.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { pageTokenKey } from "../lib/page-token.js";
import { createLogger } from "../lib/log.js";
import { walletPolicy } from "./api/policy.js";
import { registerPayoutsGauge } from "./api/payouts-gauge.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { PspPayoutsClient } from "./adapters/psp-payouts-client.js";
import { walletRoutes } from "./api/wallet-handlers.js";
import { PayoutFlow } from "./app/payout-flow.js";
import {
  defaultPayoutPollerConfig,
  startPayoutPoller,
  startPayoutScheduler,
  type PayoutPollerConfig,
} from "./app/payout-jobs.js";
import type { PayoutSchedule } from "./domain/payout-schedule.js";
import { walletSubscriptions } from "./events/consumers.js";
import { WALLET_OUTBOX } from "./store/outbox.js";
import { PayoutStore } from "./store/payout-store.js";
import { SqlPayoutTransactions } from "./store/payout-transactions.js";
import { WalletStore } from "./store/wallet-store.js";
import { walletSchema } from "./store/migrations/index.js";
import {
  DEFAULT_INBOX_RETENTION_DAYS,
  DEFAULT_OUTBOX_RETENTION_DAYS,
  inboxRetention,
  outboxRetention,
} from "../lib/events/event-retention.js";
import { RETENTION_SWEEP_INTERVAL_MS, startRetentionSweeper } from "../lib/retention.js";
import type { PspHttpConfig } from "../lib/psp-http.js";

export interface WalletServiceConfig extends ServiceDatabaseConfig {
  /** This service's certificate (its identity, as server and as client) and the platform CA. */
  tls: TlsMaterial;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  events: EventsConfig;
  /** The PSP that pays sellers out; without it RequestPayout is refused and no payout job runs. */
  psp?: PspHttpConfig;
  payoutPoller?: Partial<PayoutPollerConfig>;
  /** Scheduled payouts of whole balances; none without it. */
  payoutSchedule?: PayoutSchedule;
  /** Days kept: published outbox rows (default 7) and inbox rows (default 30); see docs/operations.md, Bounded growth. */
  retention?: { outboxDays?: number; inboxDays?: number };
  /** PAGE_TOKEN_SECRET: signs page tokens (at least 32 characters; the same for every instance). */
  pageTokenSecret: string;
}

export interface RunningWalletService {
  url: string;
  port: number;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function startWalletService(config: WalletServiceConfig): Promise<RunningWalletService> {
  const tokenKey = pageTokenKey(config.pageTokenSecret);
  const log = createLogger("wallet");
  const retained = [
    outboxRetention(config.retention?.outboxDays ?? DEFAULT_OUTBOX_RETENTION_DAYS),
    inboxRetention(config.retention?.inboxDays ?? DEFAULT_INBOX_RETENTION_DAYS),
  ];
  const db = await openServiceDb(config, walletSchema);
  const metrics = createMetricsRegistry("wallet");
  const balances = new WalletStore(db);
  const payouts = new PayoutStore(db);
  const flow = new PayoutFlow(
    payouts,
    new SqlPayoutTransactions(db, payouts, balances),
    config.psp && new PspPayoutsClient(config.psp),
    log,
  );
  const database = databaseAnswers(db);
  const stores: StoreProbes = new Map([["postgresql", database]]);
  const grpc = await startGrpcServer({
    tls: config.tls,
    policy: walletPolicy,
    audit: new AuditStore(db, log),
    pageTokenKey: tokenKey,
    port: config.port,
    routes: walletRoutes({
      balances,
      payouts,
      flow,
      tokenKey,
      pipeline: pipelineHandlers(db, walletSettledFlows, tokenKey, WalletService.typeName),
    }),
    healthProbe: database,
    storeProbes: stores,
    log,
    metrics,
    metricsPort: config.metricsPort,
  });
  const jobs = [
    startRetentionSweeper(db, retained, RETENTION_SWEEP_INTERVAL_MS, log),
    ...(config.psp
      ? [
          startPayoutPoller(flow, { ...defaultPayoutPollerConfig, ...config.payoutPoller }, log),
          ...(config.payoutSchedule ? [startPayoutScheduler(flow, config.payoutSchedule, log)] : []),
        ]
      : []),
  ];
  // Balances are served and payouts taken while NATS is down: payout events wait in the outbox.
  const { names } = config.events;
  registerOutboxMetrics(metrics, db, WALLET_OUTBOX);
  registerPayoutsGauge(metrics, payouts);
  const consumerMetrics = new ConsumerMetrics(metrics, names);
  const events = attachToNats(
    config.events.nats,
    "wallet-service",
    async (nc) => {
      await ensureEventStreams(await jetstreamManager(nc), names, config.events.streamReplicas);
      const consumers = await countDbWorkAs("events", () =>
        consumeEvents(nc, config.events, walletSubscriptions(db, balances), log, consumerMetrics),
      );
      const stopRelay = countDbWorkAs("outbox-relay", () =>
        startOutboxRelay(
          db,
          jetstream(nc),
          { ...defaultRelaySettings, ...WALLET_OUTBOX, subjectPrefix: names.subjectPrefix },
          log,
        ),
      );
      return { stop: async () => void (await Promise.all([consumers.stop(), stopRelay()])) };
    },
    log,
  );
  stores.set("nats", async () => events.connected());
  await events.firstAttempt;
  log.info("wallet service listening", { url: grpc.url });
  return {
    url: grpc.url,
    port: grpc.port,
    metricsUrl: grpc.metricsUrl,
    close: async () => {
      await Promise.all(jobs.map((stop) => stop()));
      await events.close();
      await grpc.close();
      await db.destroy();
    },
  };
}
