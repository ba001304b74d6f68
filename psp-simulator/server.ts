import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiHandler } from "./api.js";
import { createCheckoutHandler } from "./checkout.js";
import { httpServerWithTimeouts } from "../services/lib/http-timeouts.js";
import { BalanceBreaks } from "./balance-breaks.js";
import { Clock } from "./clock.js";
import { DiscrepancyInjector } from "./discrepancies.js";
import { Disputes, disputeObject } from "./disputes.js";
import { ApiError } from "./errors.js";
import { Faults, type FaultConfig } from "./faults.js";
import { FeeSchedule, type FeeOptions } from "./fees.js";
import { sendJson } from "./http.js";
import { IdempotencyStore } from "./idempotency.js";
import { Journal } from "./journal.js";
import {
  disputeMovements,
  paymentMovements,
  payoutMovements,
  refundMovements,
  type MovementDraft,
} from "./movements.js";
import { Payments, paymentObject } from "./payments.js";
import { Payouts, payoutObject } from "./payouts.js";
import { Refunds, refundObject } from "./refunds.js";
import { handleSdk } from "./sdk.js";
import { SettlementCalendar } from "./settlement-calendar.js";
import { Settlements } from "./settlements.js";
import { Store } from "./store.js";
import { faultInput } from "./validation.js";
import {
  WebhookDispatcher,
  webhookEvent,
  type EventObject,
  type EventType,
  type PaymentEventType,
} from "./webhooks.js";

export interface PspSimulatorOptions extends FeeOptions {
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
  /** How long an uncaptured authorization lasts before it is canceled as expired; default 7 days. */
  authorizationTtlMs?: number;
  /** How long a refund stays pending; default 0, i.e. resolved right after the response. */
  refundDelayMs?: number;
  /** How long a payout stays pending; default 0, i.e. resolved right after the response. */
  payoutDelayMs?: number;
  /** Faults injected from the start, as with `setFaults`. */
  faults?: Partial<FaultConfig>;
  /** Source of the fault draws and the webhook retry jitter, in [0, 1); default Math.random. */
  random?: () => number;
  /** "HH:MM" UTC at which each settlement day ends and its file is written; default "00:00". */
  settlementCutoff?: string;
  /** Where the settlement files are written (created if missing); default a new temporary directory, removed on close. */
  settlementDir?: string;
}

export interface PspSimulator {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  /** The directory holding the settlement files. */
  settlementDir: string;
  setWebhookUrl(url: string): void;
  /**
   * Replaces the whole fault configuration (omitted fields are off), like `POST /v1/test_helpers/faults`.
   * Throws an `ApiError` naming the bad `param` if the config is invalid.
   */
  setFaults(config: Partial<FaultConfig>): void;
  /**
   * Moves the simulator's clock forward by `ms` (a positive integer) and runs everything that became due before
   * returning, like `POST /v1/test_helpers/clock/advance`.
   */
  advanceClock(ms: number): void;
  /** Stops the server, pending webhook retries and everything scheduled on the clock. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function requireNonEmpty(name: string, value: string): void {
  if (typeof value !== "string" || value === "") throw new Error(`PSP simulator: ${name} is required`);
}

function delayOption(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new Error(`PSP simulator: ${name} must be an integer >= 0, got ${value}`);
  }
  return value;
}

/** Listens on `port` (0: any free one) and answers the base URL the simulator is reached at. */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Hands each request to the handler of its path's prefix; anything else is a JSON 404. */
function dispatchRequests(server: Server, handlers: Record<string, RequestHandler>): void {
  const notFound = (method: string | undefined, path: string) =>
    JSON.stringify(new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`));
  server.on("request", (req, res) => {
    // Resolving against a fixed origin keeps a path like "//host/x" from being read as a host.
    const url = URL.canParse(`http://simulator${req.url}`) ? new URL(`http://simulator${req.url}`) : undefined;
    const path = url?.pathname ?? "";
    const handler = Object.entries(handlers).find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!url || !handler) return sendJson(res, 404, notFound(req.method, req.url ?? ""));
    // Every handler answers its own errors; this only guards against a failure while answering.
    handler(req, res, url).catch(() => res.destroy());
  });
}

interface MoneyObjectsParts {
  store: Store;
  clock: Clock;
  journal: Journal;
  webhooks: WebhookDispatcher;
  fees: FeeSchedule;
  baseUrl: string;
  delays: {
    reviewDelayMs: number | undefined;
    authorizationTtlMs: number;
    refundDelayMs: number;
    payoutDelayMs: number;
  };
}

/** The objects that move money; each change is settled (its movements journaled) and then sent as a webhook. */
function moneyObjects({ store, clock, journal, webhooks, fees, baseUrl, delays }: MoneyObjectsParts) {
  const publish = (type: EventType, object: EventObject) =>
    webhooks.publish(webhookEvent(type, object, clock.seconds()));
  const settleAndPublish =
    <T>(movements: (object: T) => MovementDraft[], view: (object: T) => EventObject) =>
    (type: EventType, object: T) => {
      journal.record(movements(object));
      publish(type, view(object));
    };
  const disputes = new Disputes({
    store,
    clock,
    publish: settleAndPublish((dispute) => disputeMovements(dispute, fees.dispute(dispute.currency)), disputeObject),
  });
  const payments = new Payments(store, {
    clock,
    reviewDelayMs: delays.reviewDelayMs,
    authorizationTtlMs: delays.authorizationTtlMs,
    chargeFee: (amount, currency) => fees.charge(amount, currency),
    onStatusChange: (payment) => {
      journal.record(paymentMovements(payment));
      publish(`payment.${payment.status}` as PaymentEventType, paymentObject(payment, baseUrl));
      disputes.paymentChanged(payment);
    },
  });
  const refunds = new Refunds({
    store,
    clock,
    delayMs: delays.refundDelayMs,
    publish: settleAndPublish(refundMovements, refundObject),
  });
  const payouts = new Payouts({
    store,
    clock,
    delayMs: delays.payoutDelayMs,
    publish: settleAndPublish(payoutMovements, payoutObject),
  });
  return { payments, refunds, payouts, disputes };
}

export async function startPspSimulator(opts: PspSimulatorOptions): Promise<PspSimulator> {
  requireNonEmpty("apiKey", opts.apiKey);
  requireNonEmpty("webhookSecret", opts.webhookSecret);
  const host = opts.host ?? "127.0.0.1";
  const random = opts.random ?? Math.random;
  const faults = new Faults(random);
  const setFaults = (config: Partial<FaultConfig>) => faults.set(faultInput(config));
  setFaults(opts.faults ?? {});
  const reviewDelayMs = delayOption("reviewDelayMs", opts.reviewDelayMs);
  const authorizationTtlMs = delayOption("authorizationTtlMs", opts.authorizationTtlMs) ?? 7 * DAY_MS;
  const refundDelayMs = delayOption("refundDelayMs", opts.refundDelayMs) ?? 0;
  const payoutDelayMs = delayOption("payoutDelayMs", opts.payoutDelayMs) ?? 0;
  const fees = new FeeSchedule(opts);
  const chargeFee = (amount: number, currency: string) => fees.charge(amount, currency);
  const calendar = new SettlementCalendar(opts.settlementCutoff);
  const settlementDir = opts.settlementDir ?? mkdtempSync(join(tmpdir(), "psp-settlements-"));
  mkdirSync(settlementDir, { recursive: true });

  // Listen before wiring the handlers: the payment objects embed the base URL, which needs the port.
  const server = httpServerWithTimeouts();
  const baseUrl = await listen(server, opts.port ?? 0, host);

  const shutdown = new AbortController();
  const store = new Store();
  const clock = new Clock();
  const journal = new Journal(clock);
  const webhooks = new WebhookDispatcher({
    url: opts.webhookUrl,
    secret: opts.webhookSecret,
    retryBaseMs: opts.webhookRetryBaseMs ?? 1000,
    maxAttempts: opts.webhookMaxAttempts ?? 10,
    faults,
    random,
  });
  const { payments, refunds, payouts, disputes } = moneyObjects({
    store,
    clock,
    journal,
    webhooks,
    fees,
    baseUrl,
    delays: { reviewDelayMs, authorizationTtlMs, refundDelayMs, payoutDelayMs },
  });
  const discrepancies = new DiscrepancyInjector(chargeFee);
  const balanceBreaks = new BalanceBreaks();
  const settlements = new Settlements({ dir: settlementDir, calendar, clock, journal, discrepancies, balanceBreaks });
  settlements.start();
  const api = createApiHandler({
    apiKey: opts.apiKey,
    baseUrl,
    store,
    clock,
    payments,
    refunds,
    payouts,
    disputes,
    settlements,
    discrepancies,
    balanceBreaks,
    webhooks,
    faults,
    idempotency: new IdempotencyStore(),
    closing: shutdown.signal,
  });
  const checkout = createCheckoutHandler({ store, clock, payments });

  dispatchRequests(server, { "/v1/": api, "/pay/": checkout, "/sdk/": handleSdk });

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    settlementDir,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    setFaults,
    advanceClock: (ms) => {
      if (!Number.isSafeInteger(ms) || ms <= 0)
        throw new RangeError(`PSP simulator: advanceClock takes a positive integer of ms, got ${ms}`);
      clock.advance(ms);
    },
    close: () => {
      closing ??= (async () => {
        shutdown.abort();
        clock.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([webhooks.close(), stopped]);
        if (opts.settlementDir === undefined) rmSync(settlementDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
