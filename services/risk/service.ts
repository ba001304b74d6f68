import { databaseAnswers } from "../lib/db.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { startGrpcServer, type GrpcServer } from "../lib/grpc-server.js";
import { createLogger } from "../lib/log.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { riskRoutes } from "./api/risk-handlers.js";
import { defaultRiskRules, type RiskRules } from "./domain/rules.js";
import { RiskStore } from "./store/risk-store.js";
import { riskSchema } from "./store/migrations/index.js";

export interface RiskServiceConfig extends ServiceDatabaseConfig {
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  rules?: RiskRules;
}

export async function startRiskService(config: RiskServiceConfig): Promise<GrpcServer> {
  const log = createLogger("risk");
  const db = await openServiceDb(config, riskSchema);
  const server = await startGrpcServer({
    port: config.port,
    routes: riskRoutes(new RiskStore(db, config.rules ?? defaultRiskRules)),
    healthProbe: databaseAnswers(db),
    log,
    metrics: createMetricsRegistry("risk"),
    metricsPort: config.metricsPort,
  });
  log.info("risk service listening", { url: server.url });
  return {
    ...server,
    close: async () => {
      await server.close();
      await db.destroy();
    },
  };
}
