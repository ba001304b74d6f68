import { createDb, databaseAnswers, migrateUp } from "../lib/db.js";
import { startEventConsumers, type EventsConfig } from "../lib/events/event-consumers.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import { createLogger } from "../lib/log.js";
import { walletRoutes } from "./api/wallet-handlers.js";
import { WALLET_PAYIN_DURABLE, walletPayInHandler } from "./events/payin-consumer.js";
import { WALLET_REFUND_DURABLE, walletRefundHandler } from "./events/refund-consumer.js";
import { WalletStore } from "./store/wallet-store.js";
import { WALLET_SCHEMA, walletMigrations } from "./store/migrations/index.js";

export interface WalletServiceConfig {
  databaseUrl: string;
  port?: number;
  events: EventsConfig;
}

export interface RunningWalletService {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWalletService(config: WalletServiceConfig): Promise<RunningWalletService> {
  const log = createLogger("wallet");
  const db = createDb(config.databaseUrl, WALLET_SCHEMA);
  await migrateUp(db, WALLET_SCHEMA, walletMigrations);
  const store = new WalletStore(db);
  const grpc = await startGrpcServer({
    port: config.port,
    routes: walletRoutes(store),
    healthProbe: databaseAnswers(db),
    log,
  });
  const consumer = await startEventConsumers(
    "wallet-service",
    config.events,
    [
      { durable: WALLET_PAYIN_DURABLE, subject: "payment.succeeded", handle: walletPayInHandler(db, store) },
      { durable: WALLET_REFUND_DURABLE, subject: "refund.succeeded", handle: walletRefundHandler(db, store) },
    ],
    log,
  );
  log.info("wallet service listening", { url: grpc.url });
  return {
    url: grpc.url,
    port: grpc.port,
    close: async () => {
      await consumer.stop();
      await grpc.close();
      await db.destroy();
    },
  };
}
