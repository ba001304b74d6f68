import { AuditStore } from "../lib/audit/audit-store.js";
import { envInt } from "../lib/config.js";
import { databaseAnswers } from "../lib/db.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { createLogger } from "../lib/log.js";
import { pageTokenKey } from "../lib/page-token.js";
import { startPeriodic } from "../lib/periodic.js";
import { reconciliationPolicy } from "./api/policy.js";
import { registerReconciliationGauges } from "./api/reconciliation-gauges.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import type { PspHttpConfig } from "../lib/psp-http.js";
import { LedgerGrpcClient } from "./adapters/ledger-grpc-client.js";
import { PaymentGrpcClient } from "./adapters/payment-grpc-client.js";
import { PspHttpClient } from "./adapters/psp-http-client.js";
import { noSettlementDirectory, settlementDirectory } from "./adapters/settlement-directory.js";
import { reconciliationRoutes } from "./api/reconciliation-handlers.js";
import { defaultReconciliationConfig, Reconciliation, type ReconciliationConfig } from "./app/reconciliation.js";
import { reconcileDueDays } from "./app/schedule.js";
import { completeDays } from "./domain/settlement-day.js";
import { reconciliationSchema } from "./store/migrations/index.js";
import { ReconciliationStore } from "./store/reconciliation-store.js";

export interface ReconciliationServiceConfig extends ServiceDatabaseConfig {
  /** This service's certificate (its identity, as server and as client) and the platform CA. */
  tls: TlsMaterial;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  /** One or more instances of the ledger service; calls are spread over them. */
  ledgerUrls: string[];
  paymentUrl: string;
  psp: PspHttpConfig;
  /** Where RunReconciliation's file_path names files; without one, files come from the PSP only. */
  settlementDir?: string;
  reconciliation?: Partial<ReconciliationConfig>;
  /** The nightly job: how often to look for due days, and how many days back; off when absent. */
  schedule?: { intervalMs: number; lookbackDays: number };
  /** PAGE_TOKEN_SECRET: signs page tokens (at least 32 characters; the same for every instance). */
  pageTokenSecret: string;
}

export interface RunningReconciliationService {
  url: string;
  port: number;
  metricsUrl: string;
  close(): Promise<void>;
}

/** RECONCILIATION_SCHEDULE_INTERVAL_MS (10 minutes; 0 turns the nightly job off) and RECONCILIATION_LOOKBACK_DAYS (3). */
export function scheduleFromEnv(): ReconciliationServiceConfig["schedule"] {
  const intervalMs = envInt("RECONCILIATION_SCHEDULE_INTERVAL_MS", 600_000);
  return intervalMs === 0 ? undefined : { intervalMs, lookbackDays: envInt("RECONCILIATION_LOOKBACK_DAYS", 3) };
}

export async function startReconciliationService(
  config: ReconciliationServiceConfig,
): Promise<RunningReconciliationService> {
  const tokenKey = pageTokenKey(config.pageTokenSecret);
  const log = createLogger("reconciliation");
  const db = await openServiceDb(config, reconciliationSchema);
  const store = new ReconciliationStore(db);
  const ledger = new LedgerGrpcClient(config.ledgerUrls, config.tls);
  const reconciliation = new Reconciliation({
    store,
    ledger,
    files: config.settlementDir === undefined ? noSettlementDirectory : await settlementDirectory(config.settlementDir),
    psp: new PspHttpClient(config.psp),
    payments: new PaymentGrpcClient(config.paymentUrl, config.tls),
    config: { ...defaultReconciliationConfig, ...config.reconciliation },
    log,
  });
  const metrics = createMetricsRegistry("reconciliation");
  registerReconciliationGauges(metrics, store);
  const grpc = await startGrpcServer({
    tls: config.tls,
    policy: reconciliationPolicy,
    audit: new AuditStore(db, log),
    pageTokenKey: tokenKey,
    port: config.port,
    routes: reconciliationRoutes(reconciliation, store, ledger, tokenKey),
    healthProbe: databaseAnswers(db),
    log,
    metrics,
    metricsPort: config.metricsPort,
  });
  const { settlementCutoff } = { ...defaultReconciliationConfig, ...config.reconciliation };
  const schedule = config.schedule;
  const stopSchedule = schedule
    ? startPeriodic(
        "scheduled reconciliation",
        schedule.intervalMs,
        () =>
          reconcileDueDays(
            reconciliation,
            store,
            completeDays(Date.now(), settlementCutoff, schedule.lookbackDays),
            log,
          ),
        log,
      )
    : async () => {};
  log.info("reconciliation service listening", { url: grpc.url });
  return {
    url: grpc.url,
    port: grpc.port,
    metricsUrl: grpc.metricsUrl,
    close: async () => {
      await stopSchedule();
      await grpc.close();
      await db.destroy();
    },
  };
}
