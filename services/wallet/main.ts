import { envInt, envString } from "../lib/config.js";
import { streamNamesFromEnv } from "../lib/events/streams.js";
import { runUntilSignal } from "../lib/process.js";
import { startWalletService } from "./service.js";

const service = await startWalletService({
  databaseUrl: envString("DATABASE_URL"),
  port: envInt("WALLET_PORT", 50054),
  events: { natsUrl: envString("NATS_URL", "nats://127.0.0.1:4222"), names: streamNamesFromEnv() },
});
runUntilSignal(service.close);
