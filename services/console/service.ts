import { databaseAnswers } from "../lib/db.js";
import { httpServerWithTimeouts } from "../lib/http-timeouts.js";
import { openServiceDb, type ServiceDatabaseConfig } from "../lib/service-db.js";
import { listen } from "../lib/listen.js";
import { createLogger } from "../lib/log.js";
import { storeOutageRetryFromEnv, type StoreOutageRetry } from "../lib/store-outage-retry.js";
import type { TlsMaterial } from "../lib/tls/tls-material.js";
import { createConsoleClients, type ConsoleClientUrls } from "./adapters/clients.js";
import { adjustmentRoutes } from "./api/adjustment-pages.js";
import { adminRoutes } from "./api/admin-pages.js";
import { walletRoutes } from "./api/wallet-pages.js";
import { deadLetterRoutes, type DeadLetterSource } from "./api/dead-letter-pages.js";
import { authRoutes, SESSION_TTL_MS } from "./api/auth-pages.js";
import { consoleHandler } from "./api/http-app.js";
import { ledgerRoutes } from "./api/ledger-pages.js";
import { revenueRoutes } from "./api/revenue-pages.js";
import { invariantRoutes } from "./api/invariant-pages.js";
import { paymentRoutes } from "./api/payment-pages.js";
import { overviewRoutes } from "./api/overview-pages.js";
import { refundRoutes } from "./api/refund-pages.js";
import { riskReviewRoutes } from "./api/risk-review-pages.js";
import { reconciliationRoutes } from "./api/reconciliation-pages.js";
import { serviceAuditRoutes } from "./api/service-audit-pages.js";
import { ConsoleStore } from "./store/console-store.js";
import { consoleSchema } from "./store/migrations/index.js";

export const ADMIN_OPERATOR_ID = "admin";

export interface ConsoleServiceConfig extends ConsoleClientUrls, ServiceDatabaseConfig {
  /** The console's certificate (identity `console`) for calling the services, and the platform CA. */
  tls: TlsMaterial;
  /** HTTP/1.1 port; any free one by default. */
  port?: number;
  host?: string;
  /** When set, operator `admin` (role finance) is created with this password, or given it, at start. */
  adminPassword?: string;
  /** The time of audit entries and login throttling (tests move it on); the system clock by default. */
  now?: () => Date;
  /** Where the dead letters are; without it, their page says so. */
  deadLetters?: DeadLetterSource;
  /** How long a request that may run again does while the database is away: storeOutageRetryFromEnv by default. */
  storeOutageRetry?: Partial<StoreOutageRetry>;
}

export interface RunningConsoleService {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleService(config: ConsoleServiceConfig): Promise<RunningConsoleService> {
  const log = createLogger("console");
  const db = await openServiceDb(config, consoleSchema, 5);
  const now = config.now ?? (() => new Date());
  const store = new ConsoleStore(db, SESSION_TTL_MS, now);
  if (config.adminPassword) {
    await store.upsertOperator(
      { id: ADMIN_OPERATOR_ID, displayName: "Administrator", role: "finance" },
      config.adminPassword,
    );
    await store.audit({
      operatorId: "system",
      action: "operator_bootstrapped",
      target: ADMIN_OPERATOR_ID,
      details: { role: "finance" },
    });
  }
  const clients = createConsoleClients(config, config.tls);
  const routes = [
    ...authRoutes(store, now),
    ...overviewRoutes(clients),
    ...paymentRoutes(clients),
    ...riskReviewRoutes(clients),
    ...refundRoutes(clients),
    ...ledgerRoutes(clients),
    ...revenueRoutes(clients),
    ...invariantRoutes(clients),
    ...reconciliationRoutes(clients),
    ...adjustmentRoutes(clients),
    ...walletRoutes(clients),
    ...deadLetterRoutes(config.deadLetters, store),
    ...adminRoutes(store),
    ...serviceAuditRoutes(clients),
  ];
  const server = httpServerWithTimeouts(
    consoleHandler(routes, store, log, {
      health: databaseAnswers(db),
      storeOutageRetry: storeOutageRetryFromEnv(config.storeOutageRetry),
    }),
  );
  const host = config.host ?? "127.0.0.1";
  const port = await listen(server, config.port, host);
  const url = `http://${host}:${port}`;
  log.info("console listening", { url });
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}
