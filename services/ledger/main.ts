import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { natsEndpointFromEnv } from "../lib/events/nats.js";
import { streamNamesFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { startLedgerService } from "./service.js";
import { DEFAULT_INBOX_RETENTION_DAYS } from "../lib/events/event-retention.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { LEDGER_SCHEMA } from "./store/migrations/index.js";

const service = await startLedgerService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(LEDGER_SCHEMA),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
  port: envInt("LEDGER_PORT", 50053),
  metricsPort: envInt("LEDGER_METRICS_PORT", 9453),
  walletUrl: process.env.WALLET_URL || undefined,
  paymentUrl: process.env.PAYMENT_URL || undefined,
  stalls: {
    stallAfterMs: envInt("STALL_AFTER_MS", 60_000),
    lookbackMs: envInt("STALL_LOOKBACK_MS", 24 * 3600_000),
    checkIntervalMs: envInt("STALL_CHECK_INTERVAL_MS", 60_000),
  },
  checkpointIntervalMs: envInt("LEDGER_CHECKPOINT_INTERVAL_MS", 1_000),
  retention: { inboxDays: envInt("INBOX_RETENTION_DAYS", DEFAULT_INBOX_RETENTION_DAYS) },
  events: { nats: natsEndpointFromEnv(), names: streamNamesFromEnv() },
});
runUntilSignal(service.close);
