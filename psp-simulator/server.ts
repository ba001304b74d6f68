import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiHandler } from "./api.js";
import { createCheckoutHandler } from "./checkout.js";
import { ApiError } from "./errors.js";
import { Faults, type FaultConfig } from "./faults.js";
import { sendJson } from "./http.js";
import { IdempotencyStore } from "./idempotency.js";
import { Payments, paymentObject } from "./payments.js";
import { Store } from "./store.js";
import { faultInput } from "./validation.js";
import { WebhookDispatcher, paymentEvent } from "./webhooks.js";

export interface PspSimulatorOptions {
  /** 0 = random free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Secret API key expected as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Where events are POSTed; may also be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** HMAC key for the PSP-Signature header. */
  webhookSecret: string;
  /** First retry delay, default 1000; doubles each attempt, with ±20% jitter. */
  webhookRetryBaseMs?: number;
  /** Default 10, after which the delivery is marked failed. */
  webhookMaxAttempts?: number;
  /** If set, a payment in manual review is auto-approved after this delay; otherwise only the test helper resolves it. */
  reviewDelayMs?: number;
  /** Faults injected from the start, as with `setFaults`. */
  faults?: Partial<FaultConfig>;
  /** Source of the fault draws and the webhook retry jitter, in [0, 1); default Math.random. */
  random?: () => number;
}

export interface PspSimulator {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  setWebhookUrl(url: string): void;
  /**
   * Replaces the whole fault configuration (omitted fields are off), like `POST /v1/test_helpers/faults`.
   * Throws an `ApiError` naming the bad `param` if the config is invalid.
   */
  setFaults(config: Partial<FaultConfig>): void;
  /** Stops the server and all pending webhook and review timers. */
  close(): Promise<void>;
}

function requireNonEmpty(name: string, value: string): void {
  if (typeof value !== "string" || value === "") throw new Error(`PSP simulator: ${name} is required`);
}

export async function startPspSimulator(opts: PspSimulatorOptions): Promise<PspSimulator> {
  requireNonEmpty("apiKey", opts.apiKey);
  requireNonEmpty("webhookSecret", opts.webhookSecret);
  const host = opts.host ?? "127.0.0.1";
  const random = opts.random ?? Math.random;
  const faults = new Faults(random);
  const setFaults = (config: Partial<FaultConfig>) => faults.set(faultInput(config));
  setFaults(opts.faults ?? {});

  // Listen before wiring the handlers: the payment objects embed the base URL, which needs the port.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const shutdown = new AbortController();
  const store = new Store();
  const webhooks = new WebhookDispatcher({
    url: opts.webhookUrl,
    secret: opts.webhookSecret,
    retryBaseMs: opts.webhookRetryBaseMs ?? 1000,
    maxAttempts: opts.webhookMaxAttempts ?? 10,
    faults,
    random,
  });
  const payments = new Payments(store, {
    reviewDelayMs: opts.reviewDelayMs,
    onStatusChange: (payment) => webhooks.publish(paymentEvent(paymentObject(payment, baseUrl))),
  });
  const api = createApiHandler({
    apiKey: opts.apiKey,
    baseUrl,
    store,
    payments,
    webhooks,
    faults,
    idempotency: new IdempotencyStore(),
    closing: shutdown.signal,
  });
  const checkout = createCheckoutHandler({ store, payments });

  const notFound = (method: string | undefined, path: string) =>
    JSON.stringify(new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`));
  server.on("request", (req, res) => {
    // Resolving against a fixed origin keeps a path like "//host/x" from being read as a host.
    const url = URL.canParse(`http://simulator${req.url}`) ? new URL(`http://simulator${req.url}`) : undefined;
    const handler = url?.pathname.startsWith("/v1/") ? api : url?.pathname.startsWith("/pay/") ? checkout : undefined;
    if (!url || !handler) return sendJson(res, 404, notFound(req.method, req.url ?? ""));
    // Both handlers answer their own errors; this only guards against a failure while answering.
    handler(req, res, url).catch(() => res.destroy());
  });

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    setFaults,
    close: () => {
      closing ??= (async () => {
        shutdown.abort();
        payments.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([webhooks.close(), stopped]);
      })();
      return closing;
    },
  };
}
