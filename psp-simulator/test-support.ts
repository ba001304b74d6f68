// Shared helpers for the simulator's own tests: real HTTP against a simulator on a random port.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";
import { startPspSimulator, type PspSimulator, type PspSimulatorOptions } from "./server.js";

export const API_KEY = "sk_test_simulator";
export const WEBHOOK_SECRET = "whsec_test_secret";
export const DAY_SECONDS = 24 * 60 * 60;

/** An expiry date safely in the future, in MM/YY. */
export const VALID_EXP = `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`;

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed if JSON, else the text. */
  body: any;
}

export interface TestSimulator extends PspSimulator {
  request(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; apiKey?: string | null; idempotencyKey?: string },
  ): Promise<JsonResponse>;
  createPayment(overrides?: Record<string, unknown>, idempotencyKey?: string): Promise<JsonResponse>;
  /** A payment paid on the hosted page with `cardNumber`, as it stands right after. */
  paidPayment(overrides?: Record<string, unknown>, cardNumber?: string): Promise<any>;
  /** A POST that must answer 2xx; its body. */
  post(path: string, body?: unknown, idempotencyKey?: string): Promise<any>;
  /** GETs `path` until the object has `status`; the object. */
  waitForStatus(path: string, status: string): Promise<any>;
  /** The webhook deliveries of one payment (its own events, its refunds' and disputes'), or all of them. */
  deliveries(paymentId?: string): Promise<DeliveryInfo[]>;
}

export interface DeliveryInfo {
  event_id: string;
  type: string;
  object_id: string;
  payment_id?: string;
  attempts: number;
  delivered: boolean;
  failed: boolean;
  last_status: number | null;
  dropped: boolean;
  duplicate: boolean;
}

/** Starts a simulator that is closed automatically when the current test finishes. */
export async function startTestSimulator(options: Partial<PspSimulatorOptions> = {}): Promise<TestSimulator> {
  const sim = await startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, ...options });
  onTestFinished(() => sim.close());

  const request: TestSimulator["request"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const apiKey = opts.apiKey === undefined ? API_KEY : opts.apiKey;
    if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
    if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const res = await fetch(sim.url + path, { method, headers, body });
    const text = await res.text();
    const json = res.headers.get("content-type")?.startsWith("application/json");
    return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : text };
  };

  const createPayment: TestSimulator["createPayment"] = (overrides = {}, idempotencyKey) =>
    request("POST", "/v1/payments", {
      body: { amount: 1999, currency: "eur", reference: `order_${Math.random().toString(36).slice(2)}`, ...overrides },
      idempotencyKey,
    });

  const post: TestSimulator["post"] = async (path, body = {}, idempotencyKey) => {
    const res = await request("POST", path, { body, idempotencyKey });
    if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${res.text}`);
    return res.body;
  };

  return {
    ...sim,
    request,
    createPayment,
    post,
    paidPayment: async (overrides = {}, cardNumber = "4242424242424242") => {
      const payment = (await createPayment(overrides)).body;
      await submitCard(sim, payment, { card_number: cardNumber });
      return (await request("GET", `/v1/payments/${payment.id}`)).body;
    },
    waitForStatus: (path, status) =>
      waitFor(async () => {
        const { body } = await request("GET", path);
        return body.status === status && body;
      }, `${path} to be ${status}`),
    deliveries: async (paymentId) => {
      const query = paymentId === undefined ? "" : `?payment_id=${paymentId}`;
      return (await request("GET", `/v1/test_helpers/webhook_deliveries${query}`)).body.data as DeliveryInfo[];
    },
  };
}

export interface HtmlResponse {
  status: number;
  html: string;
  /** The `data-status` / `data-decline-code` attributes of the result element, if any. */
  dataStatus: string | undefined;
  declineCode: string | undefined;
}

async function toHtmlResponse(res: Response): Promise<HtmlResponse> {
  const html = await res.text();
  return {
    status: res.status,
    html,
    dataStatus: /data-status="([^"]*)"/.exec(html)?.[1],
    declineCode: /data-decline-code="([^"]*)"/.exec(html)?.[1],
  };
}

export function pageToken(payment: { hosted_page_url: string }): string {
  return new URL(payment.hosted_page_url).searchParams.get("token") ?? "";
}

export async function getPage(url: string): Promise<HtmlResponse> {
  return toHtmlResponse(await fetch(url));
}

export async function postForm(url: string, fields: Record<string, string>): Promise<HtmlResponse> {
  return toHtmlResponse(
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** Submits the hosted card form the way a browser would. */
export function submitCard(
  sim: PspSimulator,
  payment: { id: string; hosted_page_url: string },
  card: { card_number: string; exp?: string; cvc?: string; name?: string },
): Promise<HtmlResponse> {
  return postForm(`${sim.url}/pay/${payment.id}`, {
    token: pageToken(payment),
    exp: VALID_EXP,
    cvc: "123",
    name: "Ada Lovelace",
    ...card,
  });
}

/** A scripted `random` that fails the test if the simulator draws more numbers than expected. */
export function draws(...values: number[]): () => number {
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error("unexpected random draw");
    return value;
  };
}

/** Polls until `check` returns a truthy value (returned) or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Parsed events, in arrival order. */
  events(): any[];
}

/** Verifies a PSP-Signature header the way a receiver would, with node:crypto only. */
export function verifySignature(webhook: ReceivedWebhook, secret: string): { timestamp: number } {
  const header = String(webhook.headers["psp-signature"]);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) throw new Error(`malformed PSP-Signature: ${header}`);
  const expected = createHmac("sha256", secret).update(`${match[1]}.${webhook.body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[2] ?? "", "hex"))) throw new Error("signature mismatch");
  return { timestamp: Number(match[1]) };
}

/** A local webhook endpoint; `respond` picks the status for the n-th request (1-based) of each event. */
export async function startReceiver(respond: (attemptOfEvent: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const attemptsByEvent = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    received.push({ headers: req.headers, body, receivedAt: performance.now() });
    const eventId = (JSON.parse(body) as { id: string }).id;
    const attempt = (attemptsByEvent.get(eventId) ?? 0) + 1;
    attemptsByEvent.set(eventId, attempt);
    const status = respond(attempt);
    // Redirects point back here, so a client that followed them would reach this endpoint again.
    res.writeHead(status, status >= 300 && status < 400 ? { location: url } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url,
    received,
    events: () => received.map((r) => JSON.parse(r.body)),
  };
}

/** The fields of one CSV line, undoing RFC 4180 quoting (no line breaks inside fields). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') field += line[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += c;
  }
  return [...fields, field];
}

export interface SettlementRow {
  psp_reference: string;
  our_reference: string;
  type: string;
  gross: string;
  fee: string;
  net: string;
  currency: string;
  time: string;
}

const SETTLEMENT_COLUMN_NAMES = ["psp_reference", "our_reference", "type", "gross", "fee", "net", "currency", "time"];

/** A settlement file as rows, checking its header, that it ends with a newline, and that every line has 8 fields. */
export function settlementRows(text: string): SettlementRow[] {
  const lines = text.split("\n");
  if (lines.pop() !== "") throw new Error("settlement file does not end with a newline");
  const [header, ...rest] = lines;
  if (header !== SETTLEMENT_COLUMN_NAMES.join(",")) throw new Error(`unexpected header: ${header}`);
  return rest.map((line) => {
    const fields = csvFields(line);
    if (fields.length !== SETTLEMENT_COLUMN_NAMES.length) throw new Error(`not 8 fields: ${line}`);
    return Object.fromEntries(SETTLEMENT_COLUMN_NAMES.map((name, i) => [name, fields[i]])) as unknown as SettlementRow;
  });
}

/**
 * Checks the contract of every line: integer amounts with net = gross - fee on movement lines, net only on
 * closing balance lines, ISO UTC times. Throws naming the first line that breaks it.
 */
export function checkSettlementRows(rows: SettlementRow[]): void {
  const integer = /^-?\d+$/;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  for (const row of rows) {
    const ok =
      row.type === "closing_balance"
        ? row.psp_reference === "" &&
          row.our_reference === "" &&
          row.gross === "" &&
          row.fee === "" &&
          integer.test(row.net)
        : ["charge", "refund", "payout", "fee", "chargeback", "chargeback_reversal"].includes(row.type) &&
          [row.gross, row.fee, row.net].every((v) => integer.test(v)) &&
          BigInt(row.net) === BigInt(row.gross) - BigInt(row.fee);
    if (!ok || !/^[A-Z]{3}$/.test(row.currency) || !iso.test(row.time))
      throw new Error(`line breaks the contract: ${JSON.stringify(row)}`);
  }
}
