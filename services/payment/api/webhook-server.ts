import http from "node:http";
import { failpoint } from "../../lib/failpoints.js";
import { listen } from "../../lib/listen.js";
import type { Logger } from "../../lib/log.js";
import { MalformedPspObject, parsePspPayment } from "../adapters/psp-json.js";
import type { PaymentFlow, PspUpdateOutcome } from "../app/payment-flow.js";
import { signatureProblem } from "./webhook-signature.js";

export const WEBHOOK_PATH = "/webhooks/psp";
const MAX_BODY_BYTES = 1 << 20;

export interface WebhookServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const STATUS_OF: Record<PspUpdateOutcome, number> = {
  applied: 200,
  unchanged: 200,
  // Not 2xx, so that the PSP keeps it in its failed deliveries for someone to look at.
  unknown_payment: 404,
  amount_mismatch: 422,
};

function reply(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Receives the PSP's webhooks over HTTP/1.1 (the gRPC port speaks HTTP/2 only). A request whose signature or
 * timestamp does not verify is refused before it is parsed, and changes nothing.
 */
export async function startWebhookServer(
  opts: { port?: number; host?: string; secret: string; toleranceSeconds?: number },
  flow: PaymentFlow,
  log: Logger,
): Promise<WebhookServer> {
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== "POST" || req.url !== WEBHOOK_PATH) return reply(res, 404, { error: `no route ${req.method} ${req.url}` });
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, { error: "body too large" });
    const problem = signatureProblem(req.headers["psp-signature"] as string | undefined, body, opts.secret, Date.now() / 1000, opts.toleranceSeconds);
    if (problem) {
      log.warn("webhook refused", { problem });
      return reply(res, 400, { error: `webhook signature refused: ${problem}` });
    }
    let event: { id?: unknown; type?: unknown; data?: { object?: unknown } };
    let outcome: PspUpdateOutcome;
    try {
      event = JSON.parse(body);
      const update = parsePspPayment(event.data?.object);
      failpoint("payment.webhook-before-apply");
      outcome = await flow.applyPspUpdate(update);
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof MalformedPspObject)) throw err;
      return reply(res, 400, { error: `malformed event: ${(err as Error).message}` });
    }
    failpoint("payment.webhook-after-apply");
    log.info("webhook", { eventId: event.id, type: event.type, outcome });
    reply(res, STATUS_OF[outcome], { received: true, outcome });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error("webhook failed", { error: String((err as Error)?.stack ?? err) });
      if (!res.headersSent) reply(res, 500, { error: "internal error; the PSP will retry" });
    });
  });
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port, host);
  return {
    port,
    url: `http://${host}:${port}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
