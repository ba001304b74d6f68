import http from "node:http";
import { listen } from "../../services/lib/listen.js";
import { WEBHOOK_PATH } from "../../services/payment/api/psp-webhook.js";

/**
 * The PSP's one webhook URL in front of several payment instances, as a load balancer would be: each request goes
 * to the next instance in turn, and an instance that is down answers 502, so the PSP retries later. It records
 * the order in which events arrived.
 */
export interface WebhookBalancer {
  url: string;
  /** The webhook URLs of the instances to spread requests over. */
  routeTo(targets: string[]): void;
  /** The event id of every request, in the order they came (a retried or duplicated event comes again). */
  arrivals(): string[];
  close(): Promise<void>;
}

const FORWARDED_HEADERS = ["content-type", "psp-signature"];

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function eventId(body: string): string {
  try {
    return String(JSON.parse(body).id);
  } catch {
    return "unparsable";
  }
}

export async function startWebhookBalancer(): Promise<WebhookBalancer> {
  let targets: string[] = [];
  let next = 0;
  const arrivals: string[] = [];

  const forward = async (
    target: string,
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; body: string }> => {
    const headers = Object.fromEntries(
      FORWARDED_HEADERS.flatMap((name) => (req.headers[name] ? [[name, String(req.headers[name])]] : [])),
    );
    try {
      const res = await fetch(target, { method: req.method, headers, body, signal: AbortSignal.timeout(5_000) });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      return {
        status: 502,
        body: JSON.stringify({ error: `payment instance unreachable: ${(err as Error).message}` }),
      };
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      arrivals.push(eventId(body));
      const target = targets[next++ % targets.length];
      const answer = target === undefined ? { status: 503, body: "{}" } : await forward(target, req, body);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    })().catch(() => res.destroy());
  });
  const port = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    routeTo: (urls) => {
      targets = urls;
    },
    arrivals: () => [...arrivals],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
