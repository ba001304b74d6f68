import { envSecret } from "../services/lib/secrets.js";
import { startPspSimulator } from "./server.js";

function requiredSecret(name: string): string {
  try {
    return envSecret(name);
  } catch (err) {
    console.error(`psp-simulator: ${(err as Error).message}`);
    process.exit(1);
  }
}

const port = Number(process.env.PSP_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`psp-simulator: PSP_PORT must be a port number, got '${process.env.PSP_PORT}'`);
  process.exit(1);
}

const simulator = await startPspSimulator({
  port,
  apiKey: requiredSecret("PSP_API_KEY"),
  webhookUrl: process.env.PSP_WEBHOOK_URL || undefined,
  webhookSecret: requiredSecret("PSP_WEBHOOK_SECRET"),
  settlementDir: process.env.PSP_SETTLEMENT_DIR || undefined,
  settlementCutoff: process.env.PSP_SETTLEMENT_CUTOFF || undefined,
  reviewDelayMs: process.env.PSP_REVIEW_DELAY_MS ? Number(process.env.PSP_REVIEW_DELAY_MS) : undefined,
});
console.log(`PSP simulator listening on ${simulator.url}, settlement files in ${simulator.settlementDir}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
