import { envInt, envString } from "../lib/config.js";
import { runUntilSignal } from "../lib/process.js";
import { envSecret } from "../lib/secrets.js";
import { scheduleFromEnv, startReconciliationService } from "./service.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { RECONCILIATION_SCHEMA } from "./store/migrations/index.js";

const service = await startReconciliationService({
  ...serviceDatabaseFromEnv(RECONCILIATION_SCHEMA),
  port: envInt("RECONCILIATION_PORT", 50055),
  metricsPort: envInt("RECONCILIATION_METRICS_PORT", 9455),
  ledgerUrls: envString("LEDGER_URL", "http://127.0.0.1:50053").split(","),
  paymentUrl: envString("PAYMENT_URL", "http://127.0.0.1:50051"),
  psp: { baseUrl: envString("PSP_URL", "http://127.0.0.1:8090"), apiKey: envSecret("PSP_API_KEY") },
  reconciliation: {
    settlementCutoff: envString("SETTLEMENT_CUTOFF", "00:00"),
    bookingToleranceMs: envInt("RECONCILIATION_BOOKING_TOLERANCE_MS", 300_000),
  },
  schedule: scheduleFromEnv(),
});
runUntilSignal(service.close);
