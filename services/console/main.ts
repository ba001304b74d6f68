import { tlsMaterialFromEnv } from "../lib/tls/tls-material.js";
import { envInt, envString } from "../lib/config.js";
import { natsEndpointFromEnv } from "../lib/events/nats.js";
import { streamNamesFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { startConsoleService } from "./service.js";

const service = await startConsoleService({
  tls: tlsMaterialFromEnv(),
  databaseUrl: envString("DATABASE_URL"),
  port: envInt("CONSOLE_PORT", 8082),
  paymentUrl: envString("PAYMENT_URL"),
  ledgerUrl: envString("LEDGER_URL"),
  reconciliationUrl: envString("RECONCILIATION_URL"),
  walletUrl: envString("WALLET_URL"),
  deadLetters: process.env.NATS_URL ? { nats: natsEndpointFromEnv(), names: streamNamesFromEnv() } : undefined,
  // Optional: without it, the operators already in the database are the ones who can log in.
  adminPassword: process.env.CONSOLE_ADMIN_PASSWORD || undefined,
});
runUntilSignal(service.close);
