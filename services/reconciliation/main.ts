import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { runUntilSignal } from "../lib/process.js";
import { defaultSettlementFileLimits } from "./app/settlement-file.js";
import { envSecret } from "../lib/secrets.js";
import { scheduleFromEnv, startReconciliationService } from "./service.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { RECONCILIATION_SCHEMA } from "./store/migrations/index.js";

const service = await startReconciliationService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(RECONCILIATION_SCHEMA),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
  port: envInt("RECONCILIATION_PORT", 50055),
  metricsPort: envInt("RECONCILIATION_METRICS_PORT", 9455),
  ledgerUrls: envString("LEDGER_URL", "https://127.0.0.1:50053").split(","),
  paymentUrl: envString("PAYMENT_URL", "https://127.0.0.1:50051"),
  psp: { baseUrl: envString("PSP_URL", "http://127.0.0.1:8090"), apiKey: envSecret("PSP_API_KEY") },
  settlementDir: envString("SETTLEMENT_DIR", "") || undefined,
  reconciliation: {
    settlementCutoff: envString("SETTLEMENT_CUTOFF", "00:00"),
    bookingToleranceMs: envInt("RECONCILIATION_BOOKING_TOLERANCE_MS", 300_000),
    fileLimits: {
      maxFileBytes: envInt("SETTLEMENT_MAX_FILE_BYTES", defaultSettlementFileLimits.maxFileBytes),
      maxLineBytes: envInt("SETTLEMENT_MAX_LINE_BYTES", defaultSettlementFileLimits.maxLineBytes),
    },
  },
  schedule: scheduleFromEnv(),
});
runUntilSignal(service.close);
