/** What the benchmarks that drive the whole platform share: starting it as `npm start` does, its clients, a checkout. */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { createClient, type Client } from "@connectrpc/connect";
import { LedgerService } from "../../gen/ledger/v1/ledger_pb.js";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { devPkiFiles } from "../../services/lib/tls/dev-ca.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import { tlsMaterialFromEnv } from "../../services/lib/tls/tls-material.js";
import { payOnHostedPage, TEST_CARDS } from "../buyer.js";

const SELLERS = 50;
const CALL_TIMEOUT_MS = 30_000;

/** The platform on free ports, with streams of its own (`tag`), quiet logs, and its PKI in a new directory. */
export function benchPlatformEnv(tag: string, name: string): NodeJS.ProcessEnv {
  return {
    LOG_LEVEL: "warn",
    EVENTS_STREAM: `BENCH_${tag.toUpperCase()}_EVENTS`,
    EVENTS_SUBJECT_PREFIX: `bench${tag}`,
    PAYMENT_PORT: "0",
    PAYMENT_HTTP_PORT: "0",
    RISK_PORT: "0",
    LEDGER_PORT: "0",
    WALLET_PORT: "0",
    RECONCILIATION_PORT: "0",
    PSP_PORT: "0",
    PAYMENT_METRICS_PORT: "0",
    RISK_METRICS_PORT: "0",
    LEDGER_METRICS_PORT: "0",
    WALLET_METRICS_PORT: "0",
    RECONCILIATION_METRICS_PORT: "0",
    RECONCILIATION_SCHEDULE_INTERVAL_MS: "0",
    PKI_DIR: mkdtempSync(join(tmpdir(), `${name}-pki-`)),
  };
}

export interface Platform {
  paymentUrl: string;
  ledgerUrl: string;
  /** Each service's metrics endpoint, by the service's name (payment, risk, ledger, wallet, reconciliation). */
  metricsUrls: Map<string, string>;
  child: ChildProcess;
}

/** `npm start`'s own script, on free ports, until it says it is up. */
export async function startPlatform(env: NodeJS.ProcessEnv): Promise<Platform> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("../platform.ts", import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls: Record<string, string> = {};
  const metricsUrls = new Map<string, string>();
  for await (const line of createInterface({ input: child.stdout! })) {
    const service = /^(Payment|Ledger) service\s+(\S+)/.exec(line);
    if (service) urls[service[1]!] = service[2]!;
    const metrics = /^(\w+)[ \w]*? +\S+ .*\bmetrics (http\S+)/.exec(line);
    if (metrics) metricsUrls.set(metrics[1]!.toLowerCase(), metrics[2]!);
    if (line.startsWith("The platform is up"))
      return { paymentUrl: urls.Payment!, ledgerUrl: urls.Ledger!, metricsUrls, child };
    if (line.startsWith("Demo checkout did not succeed")) break;
  }
  child.kill("SIGTERM");
  throw new Error("the platform did not come up (see its output above)");
}

/** The marketplace's payment client and the operator tools' ledger client. */
export function platformClients(platform: Platform, env: NodeJS.ProcessEnv) {
  const as = (identity: Identity) => tlsMaterialFromEnv(devPkiFiles(env.PKI_DIR!, identity));
  return {
    payments: createClient(
      PaymentService,
      grpcTransport(platform.paymentUrl, as("marketplace"), { server: "payment", timeoutMs: CALL_TIMEOUT_MS }),
    ),
    ledger: createClient(
      LedgerService,
      grpcTransport(platform.ledgerUrl, as("operator-tools"), { server: "ledger", timeoutMs: CALL_TIMEOUT_MS }),
    ),
  };
}

export const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
export const ms = (v: number) => (Number.isNaN(v) ? "-" : `${v.toFixed(1)} ms`);

/**
 * Watches the ledger for the pay-ins of created payments. A pay-in's create-to-posted time is the ledger's posting
 * time (posted_at, its database transaction's start, on this machine's clock) less the payment's creation, so the
 * watch can poll seldom: at 100 ms its lookups cost the ledger little beside the checkouts measured.
 */
const POLL_MS = 100;

export class LedgerWatch {
  private readonly waiting = new Map<string, number>();
  readonly createToPosted: number[] = [];
  posted = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly ledger: Client<typeof LedgerService>) {
    this.loop = this.poll();
  }

  expect(paymentId: string, createdAt: number): void {
    this.waiting.set(`payin:${paymentId}`, createdAt);
  }

  get outstanding(): number {
    return this.waiting.size;
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const ids = [...this.waiting.keys()].slice(0, 1000);
      if (ids.length > 0) {
        const { transactions } = await this.ledger.lookupTransactions({
          transactionIds: ids,
          readMask: { paths: ["posted_at"] },
        });
        for (const { transactionId, postedAt } of transactions) {
          const createdAt = performance.timeOrigin + this.waiting.get(transactionId)!;
          this.createToPosted.push(timestampMs(postedAt!) - createdAt);
          this.waiting.delete(transactionId);
          this.posted++;
        }
      }
      await sleep(POLL_MS);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.waiting.size > 0 && Date.now() < deadline) await sleep(50);
  }

  reset(): void {
    this.createToPosted.length = 0;
    this.posted = 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export interface Checkout {
  createMs: number;
}

/** One buyer's checkout: CreatePayment over gRPC, then the hosted page with the success card. */
export async function checkout(
  payments: Client<typeof PaymentService>,
  watch: LedgerWatch,
  n: number,
): Promise<Checkout> {
  const tag = `${randomBytes(4).toString("hex")}-${n}`;
  const started = performance.now();
  const { payment } = await payments.createPayment({
    checkoutId: `bench-${tag}`,
    buyerId: `bench-buyer-${tag}`,
    buyerCountry: "US",
    returnUrl: "https://shop.example/orders/bench",
    orders: [
      { orderId: "order-1", sellerId: `bench-seller-${n % SELLERS}`, amount: { amountMinor: 2_599n, currency: "USD" } },
      {
        orderId: "order-2",
        sellerId: `bench-seller-${(n + 1) % SELLERS}`,
        amount: { amountMinor: 4_000n, currency: "USD" },
      },
    ],
  });
  const createMs = performance.now() - started;
  watch.expect(payment!.paymentId, started);
  const page = await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  if (page.status !== "succeeded") throw new Error(`the hosted page said ${page.status} for ${payment!.paymentId}`);
  return { createMs };
}

/** What a service sent PostgreSQL so far for one kind of work (db-traffic.ts): statements and transactions. */
export interface DbTraffic {
  statements: number;
  transactions: number;
}

/** Every service's database traffic so far, by service and work (an RPC method, webhook, outbox-relay, events). */
export async function scrapeDbTraffic(metricsUrls: Map<string, string>): Promise<Map<string, Map<string, DbTraffic>>> {
  const byService = new Map<string, Map<string, DbTraffic>>();
  for (const [service, url] of metricsUrls) {
    const byWork = new Map<string, DbTraffic>();
    const text = await (await fetch(url)).text();
    for (const [, name, labels, value] of text.matchAll(/^db_(statements|transactions)_total\{([^}]*)\} (\S+)$/gm)) {
      const work = /work="([^"]*)"/.exec(labels!)?.[1] ?? "";
      const traffic = byWork.get(work) ?? { statements: 0, transactions: 0 };
      traffic[name as keyof DbTraffic] += Number(value);
      byWork.set(work, traffic);
    }
    byService.set(service, byWork);
  }
  return byService;
}
