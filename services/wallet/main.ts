import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { natsEndpointFromEnv } from "../lib/events/nats.js";
import { streamNamesFromEnv, streamReplicasFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { envSecret } from "../lib/secrets.js";
import { DEFAULT_PAYOUT_SCHEDULE_INTERVAL_MS, payoutJobsFromEnv } from "./config.js";
import { startWalletService } from "./service.js";
import { DEFAULT_INBOX_RETENTION_DAYS, DEFAULT_OUTBOX_RETENTION_DAYS } from "../lib/events/event-retention.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { WALLET_SCHEMA } from "./store/migrations/index.js";

const service = await startWalletService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(WALLET_SCHEMA),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
  port: envInt("WALLET_PORT", 50054),
  metricsPort: envInt("WALLET_METRICS_PORT", 9454),
  retention: {
    outboxDays: envInt("OUTBOX_RETENTION_DAYS", DEFAULT_OUTBOX_RETENTION_DAYS),
    inboxDays: envInt("INBOX_RETENTION_DAYS", DEFAULT_INBOX_RETENTION_DAYS),
  },
  events: { nats: natsEndpointFromEnv(), names: streamNamesFromEnv(), streamReplicas: streamReplicasFromEnv() },
  psp: { baseUrl: envString("PSP_URL", "http://127.0.0.1:8090"), apiKey: envSecret("PSP_API_KEY") },
  ...payoutJobsFromEnv(DEFAULT_PAYOUT_SCHEDULE_INTERVAL_MS),
});
runUntilSignal(service.close);
