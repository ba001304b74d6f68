import { randomBytes } from "node:crypto";
import { envInt } from "../../services/lib/config.js";
import type { DevPki } from "../../services/lib/tls/dev-ca.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import { natsEnv } from "../../services/lib/events/nats.js";
import { WEBHOOK_PATH } from "../../services/payment/api/psp-webhook.js";
import type { NatsUser } from "./nats-auth.js";
import type { RunningNats } from "./nats.js";
import { startServiceProcess, type ServiceProcess } from "./service-process.js";

export type ServiceName = "psp" | "risk" | "payment" | "wallet" | "ledger" | "reconciliation" | "console" | "merchant";

/** A port a service listens on, named by the environment variable its main.ts reads. */
export interface ServicePort {
  variable: string;
  fallback: number;
  /** callers: what other services and users call (one balancer frontend per instance set); metrics: per instance. */
  role: "callers" | "metrics";
  scheme: "http" | "https";
}

/** One of the platform's processes, as its main.ts runs it in production. */
export interface ServiceSpec {
  name: ServiceName;
  /** Padded to line the printed addresses up, e.g. "Payment service". */
  title: string;
  main: string;
  /** Its mTLS identity (none: the PSP simulator, a party outside our trust domain; the demo merchant calls as the marketplace). */
  identity?: Identity;
  natsUser?: NatsUser;
  /** The first is the one it serves callers on and that startup waits for. */
  ports: ServicePort[];
  /** The port (its variable) where GET /healthz answers 200 while the instance serves (its database answers), else 503. */
  health?: string;
  /** What it serves, for the banner. */
  serves: string;
  /** The services it calls: a platform that runs it runs them too (e.g. a test platform of some services). */
  needs: ServiceName[];
}

const callers = (variable: string, fallback: number, scheme: ServicePort["scheme"] = "https"): ServicePort => ({
  variable,
  fallback,
  role: "callers",
  scheme,
});
const metrics = (variable: string, fallback: number): ServicePort => ({
  variable,
  fallback,
  role: "metrics",
  scheme: "http",
});

export const PLATFORM_SERVICES: readonly ServiceSpec[] = [
  {
    name: "psp",
    title: "PSP simulator  ",
    main: "psp-simulator/main.ts",
    ports: [callers("PSP_PORT", 8090, "http")],
    serves: "REST API /v1, hosted pages /pay/<id>, checkout SDK /sdk/v1/checkout.js",
    needs: [],
  },
  {
    name: "risk",
    title: "Risk service   ",
    main: "services/risk/main.ts",
    identity: "risk",
    ports: [callers("RISK_PORT", 50052), metrics("RISK_METRICS_PORT", 9452)],
    health: "RISK_METRICS_PORT",
    serves: "gRPC risk.v1.RiskService",
    needs: [],
  },
  {
    name: "payment",
    title: "Payment service",
    main: "services/payment/main.ts",
    identity: "payment",
    natsUser: "payment",
    ports: [
      callers("PAYMENT_PORT", 50051),
      callers("PAYMENT_HTTP_PORT", 8081, "http"),
      metrics("PAYMENT_METRICS_PORT", 9451),
    ],
    health: "PAYMENT_METRICS_PORT",
    serves: "gRPC payment.v1.PaymentService",
    needs: ["psp", "risk"],
  },
  {
    name: "wallet",
    title: "Wallet service ",
    main: "services/wallet/main.ts",
    identity: "wallet",
    natsUser: "wallet",
    ports: [callers("WALLET_PORT", 50054), metrics("WALLET_METRICS_PORT", 9454)],
    health: "WALLET_METRICS_PORT",
    serves: "gRPC wallet.v1.WalletService",
    needs: ["psp"],
  },
  {
    name: "ledger",
    title: "Ledger service ",
    main: "services/ledger/main.ts",
    identity: "ledger",
    natsUser: "ledger",
    ports: [callers("LEDGER_PORT", 50053), metrics("LEDGER_METRICS_PORT", 9453)],
    health: "LEDGER_METRICS_PORT",
    serves: "gRPC ledger.v1.LedgerService",
    needs: ["wallet", "payment"],
  },
  {
    name: "reconciliation",
    title: "Reconciliation ",
    main: "services/reconciliation/main.ts",
    identity: "reconciliation",
    ports: [callers("RECONCILIATION_PORT", 50055), metrics("RECONCILIATION_METRICS_PORT", 9455)],
    health: "RECONCILIATION_METRICS_PORT",
    serves: "gRPC reconciliation.v1.ReconciliationService; npm run replay-settlement -- <date>",
    needs: ["ledger", "payment", "psp"],
  },
  {
    name: "console",
    title: "Console        ",
    main: "services/console/main.ts",
    identity: "console",
    natsUser: "console",
    ports: [callers("CONSOLE_PORT", 8082, "http")],
    health: "CONSOLE_PORT",
    serves: "operators and finance, in a browser",
    needs: ["payment", "ledger", "reconciliation", "wallet", "risk"],
  },
  {
    name: "merchant",
    title: "Demo merchant  ",
    main: "scripts/demo-merchant/main.ts",
    identity: "marketplace",
    ports: [callers("MERCHANT_PORT", 8083, "http")],
    serves: "a shop whose checkout page embeds the PSP's card form, in a browser",
    needs: ["payment", "psp"],
  },
];

/** `names` and every service they need, directly or not. */
export function withWhatTheyNeed(names: Iterable<ServiceName>): Set<ServiceName> {
  const wanted = new Set<ServiceName>();
  const add = (name: ServiceName): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const needed of PLATFORM_SERVICES.find((spec) => spec.name === name)!.needs) add(needed);
  };
  for (const name of names) add(name);
  return wanted;
}

/** Port variable -> port. */
export type PortMap = Record<string, number>;

export const address = (scheme: ServicePort["scheme"], port: number) => `${scheme}://127.0.0.1:${port}`;

/** Where every service is called (through a balancer on a cluster), as the services' *_URL variables say it. */
export function serviceUrlEnv(front: PortMap): NodeJS.ProcessEnv {
  return {
    PSP_URL: address("http", front.PSP_PORT!),
    PSP_WEBHOOK_URL: `${address("http", front.PAYMENT_HTTP_PORT!)}${WEBHOOK_PATH}`,
    RISK_URL: address("https", front.RISK_PORT!),
    PAYMENT_URL: address("https", front.PAYMENT_PORT!),
    LEDGER_URL: address("https", front.LEDGER_PORT!),
    WALLET_URL: address("https", front.WALLET_PORT!),
    RECONCILIATION_URL: address("https", front.RECONCILIATION_PORT!),
    // The demo shop's origin, which it registers as its payments' embed origin.
    MERCHANT_URL: address("http", front.MERCHANT_PORT!),
  };
}

const DATABASE_PASSWORDS = ["PAYMENT", "RISK", "LEDGER", "WALLET", "RECONCILIATION", "CONSOLE"].map(
  (schema) => `${schema}_DB_PASSWORD`,
);

/** A secret from the environment, or a random one for this run only: no fixed secret to leak into production. */
const secretFrom = (name: string, bytes = 32) => process.env[name] || randomBytes(bytes).toString("hex");

/** The secrets and settings every instance of every service shares, from the environment or drawn for this run. */
export function sharedServiceEnv(databaseUrl: string, settlementDir: string): NodeJS.ProcessEnv {
  return {
    PLATFORM_ENV: process.env.PLATFORM_ENV || "development",
    DATABASE_URL: databaseUrl,
    PSP_API_KEY: secretFrom("PSP_API_KEY"),
    PSP_WEBHOOK_SECRET: secretFrom("PSP_WEBHOOK_SECRET"),
    // The PSP's fraud team approves a payment held for manual review after this long, unless told sooner.
    PSP_REVIEW_DELAY_MS: String(envInt("PSP_REVIEW_DELAY_MS", 30_000)),
    // Files handed to RunReconciliation by name (e.g. npm run replay-settlement -- <file name>) are read from here.
    SETTLEMENT_DIR: settlementDir,
    PAGE_TOKEN_SECRET: secretFrom("PAGE_TOKEN_SECRET"),
    // The console's operator `admin` (role finance) gets this password at every start.
    CONSOLE_ADMIN_PASSWORD: secretFrom("CONSOLE_ADMIN_PASSWORD", 8),
    // Each service connects to PostgreSQL as a role of its own (see services/lib/service-db.ts).
    ...Object.fromEntries(DATABASE_PASSWORDS.map((name) => [name, secretFrom(name)])),
  };
}

export interface InstanceWiring {
  shared: NodeJS.ProcessEnv;
  pki: DevPki;
  nats: RunningNats;
}

/** Starts one instance of `spec` on `ports`, with its identity, its NATS user and the shared environment. */
export function startServiceInstance(
  spec: ServiceSpec,
  ports: PortMap,
  wiring: InstanceWiring,
  label = spec.title.trim(),
): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = {
    ...wiring.shared,
    ...(spec.identity ? wiring.pki.env(spec.identity) : {}),
    ...(spec.natsUser ? natsEnv(wiring.nats.endpoint(spec.natsUser)) : {}),
    ...Object.fromEntries(spec.ports.map((port) => [port.variable, String(ports[port.variable])])),
  };
  return startServiceProcess(label, spec.main, env, ports[spec.ports[0]!.variable]!);
}
