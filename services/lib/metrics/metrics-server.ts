import type { Registry } from "prom-client";
import { answerHealthCheck, HEALTH_PATH, type HealthProbe } from "../health.js";
import { httpServerWithTimeouts } from "../http-timeouts.js";
import { listen } from "../listen.js";
import type { Logger } from "../log.js";

export const METRICS_PATH = "/metrics";

export interface MetricsServer {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9451/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a registry to Prometheus: GET /metrics over HTTP/1.1, in the text format; and the server's health, GET
 * /healthz (answerHealthCheck), to load balancers. A port of its own, because the gRPC port cannot answer HTTP/1.1:
 * Node's plaintext HTTP/2 server ignores `allowHTTP1` (it is negotiated through TLS ALPN only).
 */
export async function startMetricsServer(
  registry: Registry,
  opts: { port?: number; host: string; health: HealthProbe },
  log: Logger,
): Promise<MetricsServer> {
  const server = httpServerWithTimeouts((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === HEALTH_PATH) return void answerHealthCheck(res, opts.health);
    if (req.method !== "GET" || path !== METRICS_PATH) {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end(`metrics are at GET ${METRICS_PATH}, health at GET ${HEALTH_PATH}\n`);
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err: unknown) => {
        log.error("metrics scrape failed", { error: String(err) });
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics could not be collected\n");
      },
    );
  });
  const port = await listen(server, opts.port, opts.host);
  return {
    url: `http://${opts.host}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
