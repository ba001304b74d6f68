import { fileURLToPath } from "node:url";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { freePort } from "../../scripts/infra/free-port.js";
import { natsEnv, type NatsEndpoint } from "../../services/lib/events/nats.js";
import type { EventStreamNames } from "../../services/lib/events/streams.js";
import type { PollerConfig } from "../../services/payment/app/in-flight-poller.js";
import { WEBHOOK_PATH } from "../../services/payment/api/psp-webhook.js";
import { startChild, type Child, type Exit } from "./child-process.js";
import { healthClient } from "./clients.js";
import { testTlsEnv } from "./tls.js";
import { waitFor } from "./wait.js";

export interface PaymentProcessConfig {
  databaseUrl: string;
  riskUrl: string;
  psp: { url: string; apiKey: string; webhookSecret: string };
  nats: NatsEndpoint;
  streams: EventStreamNames;
  platformFeeBps: number;
  poller: Pick<PollerConfig, "intervalMs" | "staleAfterMs">;
  pageTokenSecret: string;
}

const MAIN = fileURLToPath(new URL("../../services/payment/main.ts", import.meta.url));
// A loaded two-core machine has taken over 20 s to start one.
const STARTUP_TIMEOUT_MS = 60_000;

async function serving(url: string): Promise<boolean> {
  try {
    return (await healthClient(url, "payment").check({ service: "" })).status === ServingStatus.SERVING;
  } catch {
    return false;
  }
}

/**
 * One payment service instance, run as a real process (services/payment/main.ts) on ports chosen once, so that
 * it keeps its gRPC and webhook addresses across kills and restarts.
 */
export class PaymentInstance {
  private process: Child | undefined;

  private constructor(
    private readonly config: PaymentProcessConfig,
    readonly name: string,
    private readonly grpcPort: number,
    private readonly httpPort: number,
  ) {}

  static async create(config: PaymentProcessConfig, name: string): Promise<PaymentInstance> {
    return new PaymentInstance(config, name, await freePort(), await freePort());
  }

  get url(): string {
    return `https://127.0.0.1:${this.grpcPort}`;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.httpPort}${WEBHOOK_PATH}`;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exit === undefined;
  }

  /**
   * Starts the process, with FAILPOINTS set to `failpoints` (e.g. "payment.after-psp-register@3"), and waits until it
   * serves, or until an armed failpoint has killed it.
   */
  async start(failpoints = ""): Promise<void> {
    if (this.running) throw new Error(`payment instance ${this.name} is already running`);
    const { config } = this;
    const child = startChild(process.execPath, ["--import", "tsx", MAIN], {
      ...process.env,
      ...testTlsEnv("payment"),
      // The test platform's fixed secrets are development values.
      PLATFORM_ENV: "development",
      DATABASE_URL: config.databaseUrl,
      PAYMENT_PORT: String(this.grpcPort),
      PAYMENT_HTTP_PORT: String(this.httpPort),
      PAYMENT_METRICS_PORT: "0",
      RISK_URL: config.riskUrl,
      PSP_URL: config.psp.url,
      PSP_API_KEY: config.psp.apiKey,
      PSP_WEBHOOK_SECRET: config.psp.webhookSecret,
      ...natsEnv(config.nats),
      EVENTS_STREAM: config.streams.stream,
      EVENTS_SUBJECT_PREFIX: config.streams.subjectPrefix,
      PLATFORM_FEE_BPS: String(config.platformFeeBps),
      PAGE_TOKEN_SECRET: config.pageTokenSecret,
      POLL_INTERVAL_MS: String(config.poller.intervalMs),
      POLL_STALE_AFTER_MS: String(config.poller.staleAfterMs),
      FAILPOINTS: failpoints,
      // Kept in memory (see output()), for the message of a failed test.
      LOG_LEVEL: "warn",
    });
    this.process = child;
    await waitFor(
      async () => {
        // The armed failpoint may fire while it starts (the relay publishes a backlog first): that is the fault itself.
        if (child.exit?.signal === "SIGKILL" && failpoints !== "" && child.output().includes("FAILPOINT ")) return true;
        if (child.exit)
          throw new Error(
            `payment instance ${this.name} exited while starting (${JSON.stringify(child.exit)}): ${child.output()}`,
          );
        return serving(this.url);
      },
      (up) => up,
      STARTUP_TIMEOUT_MS,
      `payment instance ${this.name} to serve`,
    );
  }

  /** Resolves when the current process exits, e.g. because a failpoint killed it. */
  exited(): Promise<Exit> {
    if (!this.process) throw new Error(`payment instance ${this.name} was never started`);
    return this.process.exited;
  }

  /** The current process's stderr (warnings, errors, FAILPOINT lines). */
  output(): string {
    return this.process?.output() ?? "";
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    await this.process?.stop(signal);
  }
}
