import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { natsEndpointFromEnv } from "../lib/events/nats.js";
import { streamNamesFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { optionalEnvSecret, PASSWORD_MIN_LENGTH } from "../lib/secrets.js";
import { startConsoleService } from "./service.js";
import { serviceDatabaseFromEnv } from "../lib/service-db.js";
import { CONSOLE_SCHEMA } from "./store/migrations/index.js";

const service = await startConsoleService({
  tls: tlsMaterialFromEnv(),
  ...serviceDatabaseFromEnv(CONSOLE_SCHEMA),
  port: envInt("CONSOLE_PORT", 8082),
  paymentUrl: envString("PAYMENT_URL"),
  ledgerUrl: envString("LEDGER_URL"),
  reconciliationUrl: envString("RECONCILIATION_URL"),
  walletUrl: envString("WALLET_URL"),
  riskUrl: envString("RISK_URL"),
  deadLetters: process.env.NATS_URL ? { nats: natsEndpointFromEnv(), names: streamNamesFromEnv() } : undefined,
  // Optional: without it, the operators already in the database are the ones who can log in.
  adminPassword: optionalEnvSecret("CONSOLE_ADMIN_PASSWORD", PASSWORD_MIN_LENGTH),
});
runUntilSignal(service.close);
