import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { runUntilSignal } from "../lib/process.js";
import { startRiskService } from "./service.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { RISK_SCHEMA } from "./store/migrations/index.js";

const service = await startRiskService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(RISK_SCHEMA),
  port: envInt("RISK_PORT", 50052),
  metricsPort: envInt("RISK_METRICS_PORT", 9452),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
});
runUntilSignal(service.close);
