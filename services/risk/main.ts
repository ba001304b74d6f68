import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { runUntilSignal } from "../lib/process.js";
import { startRiskService } from "./service.js";

const service = await startRiskService({
  tls: tlsMaterialFromEnv(),
  databaseUrl: envString("DATABASE_URL"),
  port: envInt("RISK_PORT", 50052),
  metricsPort: envInt("RISK_METRICS_PORT", 9452),
  pageTokenSecret: envString("PAGE_TOKEN_SECRET"),
});
runUntilSignal(service.close);
