import { AuditStore } from "../lib/audit/audit-store.js";
import { databaseAnswers } from "../lib/db.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { startGrpcServer, type GrpcServer } from "../lib/grpc-server.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { createLogger } from "../lib/log.js";
import { pageTokenKey } from "../lib/page-token.js";
import { riskPolicy } from "./api/policy.js";
import { createMetricsRegistry } from "../lib/metrics/registry.js";
import { riskRoutes } from "./api/risk-handlers.js";
import { defaultRiskRules, type RiskRules } from "./domain/rules.js";
import { RiskStore } from "./store/risk-store.js";
import { riskSchema } from "./store/migrations/index.js";

export interface RiskServiceConfig extends ServiceDatabaseConfig {
  /** This service's certificate (its identity, as server and as client) and the platform CA. */
  tls: TlsMaterial;
  port?: number;
  /** Prometheus metrics (HTTP/1.1); any free port by default. */
  metricsPort?: number;
  rules?: RiskRules;
  /** PAGE_TOKEN_SECRET: signs page tokens (at least 32 characters; the same for every instance). */
  pageTokenSecret: string;
}

export async function startRiskService(config: RiskServiceConfig): Promise<GrpcServer> {
  const tokenKey = pageTokenKey(config.pageTokenSecret);
  const log = createLogger("risk");
  const db = await openServiceDb(config, riskSchema);
  const server = await startGrpcServer({
    tls: config.tls,
    policy: riskPolicy,
    audit: new AuditStore(db, log),
    pageTokenKey: tokenKey,
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
