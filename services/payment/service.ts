import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { createDb, databaseAnswers, migrateUp } from "../lib/db.js";
import { connectNats } from "../lib/events/nats.js";
import { ensureEventStreams, type EventStreamNames } from "../lib/events/streams.js";
import { startGrpcServer } from "../lib/grpc-server.js";
import { createLogger } from "../lib/log.js";
import { PspHttpClient } from "./adapters/psp-http-client.js";
import { RiskGrpcClient } from "./adapters/risk-grpc-client.js";
import { paymentRoutes } from "./api/payment-handlers.js";
import { startWebhookServer } from "./api/webhook-server.js";
import { startInFlightPoller, type PollerConfig } from "./app/in-flight-poller.js";
import { PaymentFlow } from "./app/payment-flow.js";
import { defaultRelaySettings, startOutboxRelay } from "./events/outbox-relay.js";
import { encodePaymentEvent, eventSubject } from "./events/payment-event.js";
import { PaymentStore } from "./store/payment-store.js";
import { PAYMENT_SCHEMA, paymentMigrations } from "./store/migrations/index.js";

/** 2.5% */
export const DEFAULT_PLATFORM_FEE_BPS = 250;

export interface PaymentServiceConfig {
  databaseUrl: string;
  port?: number;
  webhookPort?: number;
  riskUrl: string;
  psp: { baseUrl: string; apiKey: string; webhookSecret: string };
  poller?: Partial<PollerConfig>;
  events: { natsUrl: string; names: EventStreamNames };
  /** The platform's fee on every order, in basis points, fixed on each checkout when it is created. */
  platformFeeBps: number;
}

export interface RunningPaymentService {
  url: string;
  port: number;
  /** Where the PSP must send its webhooks. */
  webhookUrl: string;
  close(): Promise<void>;
}

export async function startPaymentService(config: PaymentServiceConfig): Promise<RunningPaymentService> {
  const log = createLogger("payment");
  const db = createDb(config.databaseUrl, PAYMENT_SCHEMA);
  await migrateUp(db, PAYMENT_SCHEMA, paymentMigrations);
  const nc = await connectNats(config.events.natsUrl, "payment-service");
  await ensureEventStreams(await jetstreamManager(nc), config.events.names);
  const store = new PaymentStore(db, encodePaymentEvent, eventSubject);
  const flow = new PaymentFlow(store, new RiskGrpcClient(config.riskUrl), new PspHttpClient(config.psp), log, config.platformFeeBps);
  const grpc = await startGrpcServer({
    port: config.port,
    routes: paymentRoutes(flow, store),
    healthProbe: databaseAnswers(db),
    log,
  });
  const webhooks = await startWebhookServer({ port: config.webhookPort, secret: config.psp.webhookSecret }, flow, log);
  const stopPoller = startInFlightPoller(store, flow, { intervalMs: 5_000, staleAfterMs: 60_000, batchSize: 50, ...config.poller }, log);
  const stopRelay = startOutboxRelay(db, jetstream(nc), { ...defaultRelaySettings, subjectPrefix: config.events.names.subjectPrefix }, log);
  log.info("payment service listening", { grpc: grpc.url, webhooks: webhooks.url });
  return {
    url: grpc.url,
    port: grpc.port,
    webhookUrl: webhooks.url,
    close: async () => {
      await stopPoller();
      await Promise.all([grpc.close(), webhooks.close()]);
      await stopRelay();
      await nc.close();
      await db.destroy();
    },
  };
}
