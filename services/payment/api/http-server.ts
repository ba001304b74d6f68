import type http from "node:http";
import { httpServerWithTimeouts } from "../../lib/http-timeouts.js";
import { listen } from "../../lib/listen.js";
import { withLogFields, type Logger } from "../../lib/log.js";
import { isTransientStoreError } from "../../lib/store-errors.js";
import {
  runAgainWhileStoreAway,
  STORE_OUTAGE_RETRY_AFTER_SECONDS,
  storeOutageRetryFromEnv,
} from "../../lib/store-outage-retry.js";

export type HttpHandler = (req: http.IncomingMessage, res: http.ServerResponse, params: string[]) => Promise<void>;

export interface HttpRoute {
  method: string;
  /** Matched against the path (no query string); capture groups become `params`. */
  path: RegExp;
  handle: HttpHandler;
}

export interface RunningHttpServer {
  port: number;
  /** http://host:port, no trailing slash. */
  origin: string;
  /** Starts answering on `routes`; until then every request gets 503. Listening first tells us our own URL. */
  serve(routes: HttpRoute[]): void;
  close(): Promise<void>;
}

export function replyJson(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * The payment service's HTTP/1.1 side (the gRPC port speaks HTTP/2 only): the PSP's webhooks and the buyer's
 * status page. A GET only reads: while the database is away (a failover) it runs again, within STORE_OUTAGE_RETRY_MS;
 * what the database's absence still fails is a 503 with Retry-After.
 */
export async function startHttpServer(opts: { port?: number; host?: string }, log: Logger): Promise<RunningHttpServer> {
  let routes: HttpRoute[] | undefined;
  const storeOutageRetry = storeOutageRetryFromEnv();
  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!routes) return replyJson(res, 503, { error: "starting up; try again" });
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    for (const r of routes) {
      const match = req.method === r.method ? r.path.exec(path) : null;
      if (!match) continue;
      const handle = () => r.handle(req, res, match.slice(1).map(decodeURIComponent));
      if (req.method !== "GET") return handle();
      const clientGone = new AbortController();
      res.once("close", () => clientGone.abort());
      return runAgainWhileStoreAway(handle, storeOutageRetry, clientGone.signal, (attempt, err) =>
        log.info("the database is away; the request runs again", { path, attempt, error: String(err) }),
      );
    }
    replyJson(res, 404, { error: `no route ${req.method} ${path}` });
  };
  // Each request has its own log scope: a route adds the ids it learns (addLogFields) to every line about it.
  const server = httpServerWithTimeouts((req, res) =>
    withLogFields({}, () =>
      route(req, res).catch((err: unknown) => {
        // The path only: a query string is the caller's.
        const request = { method: req.method, path: req.url?.split("?")[0] };
        if (isTransientStoreError(err)) {
          log.warn("HTTP request failed: the database is unavailable", { ...request, error: String(err) });
          if (res.headersSent) return;
          res.setHeader("retry-after", String(STORE_OUTAGE_RETRY_AFTER_SECONDS));
          return replyJson(res, 503, { error: "the database is unavailable (failing over?); try again shortly" });
        }
        log.error("HTTP request failed", { ...request, error: String((err as Error)?.stack ?? err) });
        if (!res.headersSent) replyJson(res, 500, { error: "internal error; try again" });
      }),
    ),
  );
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port, host);
  return {
    port,
    origin: `http://${host}:${port}`,
    serve: (r) => (routes = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
