import { AuditStore } from "../lib/audit/audit-store.js";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { databaseAnswers, type Db } from "../lib/db.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import type { EventsConfig } from "../lib/events/event-consumers.js";
import { attachToNats, type NatsAttachment } from "../lib/events/nats.js";
import { registerOutboxMetrics } from "../lib/events/outbox-metrics.js";
import { defaultRelaySettings, startOutboxRelay } from "../lib/events/outbox-relay.js";
import { ensureEventStreams } from "../lib/events/streams.js";
import type { StoreProbes } from "../lib/health.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { pageTokenKey } from "../lib/page-token.js";
import { createLogger, type Logger } from "../lib/log.js";
import { paymentPolicy } from "./api/policy.js";
import { countDbWorkAs } from "../lib/db-traffic.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { RETENTION_SWEEP_INTERVAL_MS, startRetentionSweeper, type RetainedTable } from "../lib/retention.js";
import { DEFAULT_OUTBOX_RETENTION_DAYS, outboxRetention } from "../lib/events/event-retention.js";
import { PspHttpClient } from "./adapters/psp-http-client.js";
import { RiskGrpcClient } from "./adapters/risk-grpc-client.js";
import { startHttpServer } from "./api/http-server.js";
import { paymentRoutes } from "./api/payment-handlers.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { pipelineHandlers } from "../lib/pipeline/pipeline-handlers.js";
import type { PspHttpConfig } from "../lib/psp-http.js";
import { paymentSettledFlows } from "./store/settled-flows.js";
import { registerPaymentsGauge } from "./api/payments-gauge.js";
import { pspWebhookRoute, WEBHOOK_PATH } from "./api/psp-webhook.js";
import { statusPageRoute, statusPageUrl } from "./api/status-page.js";
import { DisputeFlow } from "./app/dispute-flow.js";
import { returnUrlHosts } from "./domain/checkout.js";
import { startInFlightPoller, type PollerConfig } from "./app/in-flight-poller.js";
import { PaymentFlow, type PaymentFlowDeps } from "./app/payment-flow.js";
import { PaymentWatch } from "./app/payment-watch.js";
import { RefundFlow } from "./app/refund-flow.js";
import { disputeEventSubject, encodeDisputeEvent } from "../contracts/events/dispute-event.js";
import { PaymentChangeHints } from "./events/payment-change-signal.js";
import { encodePaymentEvent, paymentEventSubject } from "../contracts/events/payment-event.js";
import { encodeRefundEvent, refundEventSubject } from "../contracts/events/refund-event.js";
import { DisputeStore } from "./store/dispute-store.js";
import { EXPIRED_IDEMPOTENCY_KEYS, IdempotencyStore } from "./store/idempotency-store.js";
import { paymentSchema } from "./store/migrations/index.js";
import { PAYMENT_OUTBOX } from "./store/outbox.js";
import { DEFAULT_WEBHOOK_LOG_RETENTION_DAYS, TimelineStore, webhookLogRetention } from "./store/timeline-store.js";
import { SqlPaymentLocks } from "./store/payment-locks.js";
import { PaymentStore } from "./store/payment-store.js";
import { RefundStore } from "./store/refund-store.js";

// Any constant unique among the services sharing a database.

/** 2.5% */
export const DEFAULT_PLATFORM_FEE_BPS = 250;
/** As long as a hosted checkout page stays open (Stripe Checkout's default). */
export const DEFAULT_EXPIRE_UNPAID_AFTER_MS = 24 * 3600 * 1000;
/** As long as Stripe keeps its idempotency keys. */
export const DEFAULT_IDEMPOTENCY_KEY_TTL_MS = 24 * 3600 * 1000;

export interface PaymentServiceConfig extends ServiceDatabaseConfig {
  /** This service's certificate (its identity, as server and as client) and the platform CA. */
  tls: TlsMaterial;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  /** The HTTP/1.1 port: PSP webhooks and the buyer's status page. */
  httpPort?: number;
  /** How buyers' browsers reach the HTTP port (behind a proxy, say); by default its own address. */
  publicUrl?: string;
  riskUrl: string;
  psp: PspHttpConfig & { webhookSecret: string };
  poller?: Partial<PollerConfig>;
  events: Pick<EventsConfig, "nats" | "names" | "streamReplicas">;
  /** The platform's fee on every order, in basis points, fixed on each checkout when it is created. */
  platformFeeBps: number;
  /** The hosts a checkout's return_url may name (RETURN_URL_HOSTS); any http(s) host when absent. */
  returnUrlHosts?: readonly string[];
  /** How long after checkout a payment its buyer has not paid is canceled at the PSP (FAILED, "expired"); 24 h by default. */
  expireUnpaidAfterMs?: number;
  /** How long CreatePayment's first answer is replayed under its checkout_id. */
  idempotencyKeyTtlMs?: number;
  /** Days kept: published outbox rows (default 7) and the webhook log (default 30); see docs/operations.md, Bounded growth. */
  retention?: { outboxDays?: number; webhookLogDays?: number };
  /** WatchPayment streams open at once on one instance (default 1,000); one more is RESOURCE_EXHAUSTED. */
  maxWatches?: number;
  /** PAGE_TOKEN_SECRET: signs page tokens (at least 32 characters; the same for every instance). */
  pageTokenSecret: string;
}

export interface RunningPaymentService {
  url: string;
  port: number;
  metricsUrl: string;
  /** Where the PSP must send its webhooks. */
  webhookUrl: string;
  statusPageUrl(paymentId: string): string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_WATCHES = 1_000;

/** What the sweeper deletes once kept long enough: expired idempotency keys, published outbox rows, the webhook log. */
function retainedTables(config: PaymentServiceConfig, keyTtlMs: number): RetainedTable[] {
  // A payment whose first answer may still be replayed keeps its events on its timeline.
  const keyTtl = { what: "IDEMPOTENCY_KEY_TTL_SECONDS", ms: keyTtlMs };
  return [
    EXPIRED_IDEMPOTENCY_KEYS,
    outboxRetention(config.retention?.outboxDays ?? DEFAULT_OUTBOX_RETENTION_DAYS, [keyTtl]),
    webhookLogRetention(config.retention?.webhookLogDays ?? DEFAULT_WEBHOOK_LOG_RETENTION_DAYS),
  ];
}

/** The payment use cases, and the payment timeline the webhooks record to and the API reads. */
interface PaymentUseCases {
  flow: PaymentFlow;
  refunds: RefundFlow;
  disputes: DisputeFlow;
  timeline: TimelineStore;
}

/** `checkouts`: the return_url hosts checkouts may name, and the status page their buyers land on. */
function paymentUseCases(
  db: Db,
  store: PaymentStore,
  config: PaymentServiceConfig,
  checkouts: Pick<PaymentFlowDeps, "returnUrlHosts" | "statusPageUrl">,
  log: Logger,
): PaymentUseCases {
  const psp = new PspHttpClient(config.psp);
  const flow = new PaymentFlow({
    store,
    risk: new RiskGrpcClient(config.riskUrl, config.tls),
    psp,
    log,
    platformFeeBps: config.platformFeeBps,
    ...checkouts,
    expireUnpaidAfterMs: config.expireUnpaidAfterMs ?? DEFAULT_EXPIRE_UNPAID_AFTER_MS,
  });
  const refundStore = new RefundStore(db, encodeRefundEvent, refundEventSubject);
  const disputeStore = new DisputeStore(db, encodeDisputeEvent, disputeEventSubject);
  const locks = new SqlPaymentLocks(store, refundStore, disputeStore);
  return {
    flow,
    refunds: new RefundFlow(store, refundStore, locks, psp, log),
    disputes: new DisputeFlow(store, disputeStore, locks, log),
    timeline: new TimelineStore(db),
  };
}

/**
 * Payments are taken while NATS is down: their events wait in the outbox until the relay can attach. Once attached,
 * the outbox is relayed and the payment events wake this instance's watchers.
 */
function attachPaymentEvents(
  config: PaymentServiceConfig,
  db: Db,
  changes: PaymentChangeHints,
  log: Logger,
): NatsAttachment {
  const { names } = config.events;
  return attachToNats(
    config.events.nats,
    "payment-service",
    async (nc) => {
      await ensureEventStreams(await jetstreamManager(nc), names, config.events.streamReplicas);
      const stopRelay = countDbWorkAs("outbox-relay", () =>
        startOutboxRelay(
          db,
          jetstream(nc),
          { ...defaultRelaySettings, ...PAYMENT_OUTBOX, subjectPrefix: names.subjectPrefix },
          log,
        ),
      );
      const detachHints = changes.attach(nc, names.subjectPrefix);
      return { stop: async () => void (await Promise.all([stopRelay(), detachHints()])) };
    },
    log,
  );
}

export async function startPaymentService(config: PaymentServiceConfig): Promise<RunningPaymentService> {
  const tokenKey = pageTokenKey(config.pageTokenSecret);
  const log = createLogger("payment");
  const allowedReturnUrlHosts = config.returnUrlHosts && returnUrlHosts(config.returnUrlHosts);
  const keyTtlMs = config.idempotencyKeyTtlMs ?? DEFAULT_IDEMPOTENCY_KEY_TTL_MS;
  const retained = retainedTables(config, keyTtlMs);
  const db = await openServiceDb(config, paymentSchema);
  const metrics = createMetricsRegistry("payment");
  const store = new PaymentStore(db, encodePaymentEvent, paymentEventSubject);
  registerOutboxMetrics(metrics, db, PAYMENT_OUTBOX);
  registerPaymentsGauge(metrics, store);
  const http = await startHttpServer({ port: config.httpPort }, log);
  const pageUrl = (paymentId: string) => statusPageUrl(config.publicUrl ?? http.origin, paymentId);
  const { flow, refunds, disputes, timeline } = paymentUseCases(
    db,
    store,
    config,
    { returnUrlHosts: allowedReturnUrlHosts, statusPageUrl: pageUrl },
    log,
  );
  http.serve([
    pspWebhookRoute(
      { secret: config.psp.webhookSecret },
      { payments: flow, refunds, disputes },
      log,
      metrics,
      timeline,
    ),
    statusPageRoute(store),
  ]);
  const changes = new PaymentChangeHints(log);
  const watch = new PaymentWatch(store, changes, 1_000, config.maxWatches ?? DEFAULT_MAX_WATCHES);
  const savedResponses = new IdempotencyStore(db, keyTtlMs);
  const database = databaseAnswers(db);
  const stores: StoreProbes = new Map([["postgresql", database]]);
  const grpc = await startGrpcServer({
    tls: config.tls,
    policy: paymentPolicy,
    audit: new AuditStore(db, log),
    pageTokenKey: tokenKey,
    port: config.port,
    routes: paymentRoutes({
      flow,
      savedResponses,
      store,
      watch,
      refunds,
      disputes,
      timeline,
      tokenKey,
      pipeline: pipelineHandlers(db, paymentSettledFlows, tokenKey, PaymentService.typeName),
    }),
    healthProbe: database,
    storeProbes: stores,
    log,
    metrics,
    metricsPort: config.metricsPort,
  });
  const stopPoller = startInFlightPoller(
    { paymentId: flow, refundId: refunds },
    { intervalMs: 5_000, staleAfterMs: 60_000, batchSize: 50, ...config.poller },
    log,
  );
  const stopSweeper = startRetentionSweeper(db, retained, Math.min(RETENTION_SWEEP_INTERVAL_MS, keyTtlMs), log);
  const events = attachPaymentEvents(config, db, changes, log);
  stores.set("nats", async () => events.connected());
  await events.firstAttempt;
  const webhookUrl = `${http.origin}${WEBHOOK_PATH}`;
  log.info("payment service listening", { grpc: grpc.url, webhooks: webhookUrl });
  return {
    url: grpc.url,
    port: grpc.port,
    metricsUrl: grpc.metricsUrl,
    webhookUrl,
    statusPageUrl: pageUrl,
    close: async () => {
      await Promise.all([stopPoller(), stopSweeper()]);
      await Promise.all([grpc.close(), http.close()]);
      await events.close();
      await db.destroy();
    },
  };
}
