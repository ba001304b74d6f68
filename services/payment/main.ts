import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envList, envString } from "../lib/config.js";
import { natsEndpointFromEnv } from "../lib/events/nats.js";
import { streamNamesFromEnv, streamReplicasFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { envSecret } from "../lib/secrets.js";
import {
  DEFAULT_EXPIRE_UNPAID_AFTER_MS,
  DEFAULT_IDEMPOTENCY_KEY_TTL_MS,
  DEFAULT_MAX_WATCHES,
  DEFAULT_PLATFORM_FEE_BPS,
  startPaymentService,
} from "./service.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { PAYMENT_SCHEMA } from "./store/migrations/index.js";
import { DEFAULT_WEBHOOK_LOG_RETENTION_DAYS } from "./store/timeline-store.js";
import { DEFAULT_OUTBOX_RETENTION_DAYS } from "../lib/events/event-retention.js";

const service = await startPaymentService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(PAYMENT_SCHEMA),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
  port: envInt("PAYMENT_PORT", 50051),
  metricsPort: envInt("PAYMENT_METRICS_PORT", 9451),
  httpPort: envInt("PAYMENT_HTTP_PORT", 8081),
  publicUrl: process.env.PAYMENT_PUBLIC_URL || undefined,
  riskUrl: envString("RISK_URL", "https://127.0.0.1:50052"),
  psp: {
    baseUrl: envString("PSP_URL", "http://127.0.0.1:8090"),
    apiKey: envSecret("PSP_API_KEY"),
    webhookSecret: envSecret("PSP_WEBHOOK_SECRET"),
  },
  events: { nats: natsEndpointFromEnv(), names: streamNamesFromEnv(), streamReplicas: streamReplicasFromEnv() },
  platformFeeBps: envInt("PLATFORM_FEE_BPS", DEFAULT_PLATFORM_FEE_BPS),
  returnUrlHosts: envList("RETURN_URL_HOSTS"),
  idempotencyKeyTtlMs: envInt("IDEMPOTENCY_KEY_TTL_SECONDS", DEFAULT_IDEMPOTENCY_KEY_TTL_MS / 1000) * 1000,
  retention: {
    outboxDays: envInt("OUTBOX_RETENTION_DAYS", DEFAULT_OUTBOX_RETENTION_DAYS),
    webhookLogDays: envInt("WEBHOOK_LOG_RETENTION_DAYS", DEFAULT_WEBHOOK_LOG_RETENTION_DAYS),
  },
  maxWatches: envInt("PAYMENT_MAX_WATCHES", DEFAULT_MAX_WATCHES),
  poller: { intervalMs: envInt("POLL_INTERVAL_MS", 5_000), staleAfterMs: envInt("POLL_STALE_AFTER_MS", 60_000) },
  expireUnpaidAfterMs: envInt("PAYMENT_EXPIRE_AFTER_MS", DEFAULT_EXPIRE_UNPAID_AFTER_MS),
});
runUntilSignal(service.close);
