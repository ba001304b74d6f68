import { createDb, databaseAnswers, migrateUp } from "../lib/db.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import { createLogger } from "../lib/log.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { LedgerGrpcClient } from "./adapters/ledger-grpc-client.js";
import { PaymentGrpcClient } from "./adapters/payment-grpc-client.js";
import { PspHttpClient, type PspClientConfig } from "./adapters/psp-http-client.js";
import { reconciliationRoutes } from "./api/reconciliation-handlers.js";
import { defaultReconciliationConfig, Reconciliation, type ReconciliationConfig } from "./app/reconciliation.js";
import { RECONCILIATION_SCHEMA, reconciliationMigrations } from "./store/migrations/index.js";
import { ReconciliationStore } from "./store/reconciliation-store.js";

export interface ReconciliationServiceConfig {
  databaseUrl: string;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  /** One or more instances of the ledger service; calls are spread over them. */
  ledgerUrls: string[];
  paymentUrl: string;
  psp: PspClientConfig;
  reconciliation?: Partial<ReconciliationConfig>;
}

export interface RunningReconciliationService {
  url: string;
  port: number;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function startReconciliationService(config: ReconciliationServiceConfig): Promise<RunningReconciliationService> {
  const log = createLogger("reconciliation");
  const db = createDb(config.databaseUrl, RECONCILIATION_SCHEMA);
  await migrateUp(db, RECONCILIATION_SCHEMA, reconciliationMigrations);
  const store = new ReconciliationStore(db);
  const ledger = new LedgerGrpcClient(config.ledgerUrls);
  const reconciliation = new Reconciliation({
    store,
    ledger,
    psp: new PspHttpClient(config.psp),
    payments: new PaymentGrpcClient(config.paymentUrl),
    config: { ...defaultReconciliationConfig, ...config.reconciliation },
    log,
  });
  const grpc = await startGrpcServer({
    port: config.port,
    routes: reconciliationRoutes(reconciliation, store, ledger),
    healthProbe: databaseAnswers(db),
    log,
    metrics: createMetricsRegistry("reconciliation"),
    metricsPort: config.metricsPort,
  });
  log.info("reconciliation service listening", { url: grpc.url });
  return {
    url: grpc.url,
    port: grpc.port,
    metricsUrl: grpc.metricsUrl,
    close: async () => {
      await grpc.close();
      await db.destroy();
    },
  };
}
