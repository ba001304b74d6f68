import http2 from "node:http2";
import { Code, ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Registry } from "prom-client";
import { DomainError, type ErrorKind } from "./errors.js";
import { spellGrpcMessagePerSpec } from "./grpc-message.js";
import { registerHealth, type HealthProbe } from "./health.js";
import { listen } from "./listen.js";
import { idFields, type Logger } from "./log.js";
import { startMetricsServer } from "./metrics/metrics-server.js";
import { rpcMetrics } from "./metrics/rpc-metrics.js";

export interface GrpcServer {
  port: number;
  /** Base URL for gRPC clients, e.g. http://127.0.0.1:50051 */
  url: string;
  /** Where Prometheus scrapes the service's metrics (HTTP/1.1), e.g. http://127.0.0.1:9451/metrics */
  metricsUrl: string;
  close(): Promise<void>;
}

export interface GrpcServerOptions {
  port?: number;
  host?: string;
  routes: (router: ConnectRouter) => void;
  /** Answers grpc.health.v1.Health/Check: SERVING when it resolves true. */
  healthProbe: HealthProbe;
  log: Logger;
  /** The service's registry: RPCs are counted in it, and all of it is served at GET /metrics on `metricsPort`. */
  metrics: Registry;
  /** 0 or absent: any free port. */
  metricsPort?: number;
}

const codeOfKind: Record<ErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  unavailable: Code.Unavailable,
};

/** The one place where domain errors become gRPC status codes; anything unexpected is logged and hidden. */
function mapErrors(log: Logger): Interceptor {
  const toConnectError = (err: unknown, procedure: string, request: unknown): ConnectError => {
    if (err instanceof DomainError) return new ConnectError(err.message, codeOfKind[err.kind]);
    if (err instanceof ConnectError) return err;
    // The ids the request names (payment, refund, ...), never the request itself.
    log.error("unexpected error", { procedure, ...idFields(request), error: String((err as Error)?.stack ?? err) });
    return new ConnectError("internal error; the request may be retried with the same idempotency key", Code.Internal);
  };
  // A server-streaming handler fails while its messages are read, after the interceptor has returned.
  async function* mapStream<T>(messages: AsyncIterable<T>, procedure: string, request: unknown): AsyncIterable<T> {
    try {
      yield* messages;
    } catch (err) {
      throw toConnectError(err, procedure, request);
    }
  }
  return (next) => async (req) => {
    const request = req.stream ? undefined : req.message;
    try {
      const res = await next(req);
      return res.stream ? { ...res, message: mapStream(res.message, req.method.name, request) } : res;
    } catch (err) {
      throw toConnectError(err, req.method.name, request);
    }
  };
}

/**
 * Serves gRPC (and Connect, gRPC-Web) over plaintext HTTP/2, with the standard health service, and the service's
 * metrics over HTTP/1.1 on a second port.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const handler = connectNodeAdapter({
    routes: (router) => {
      opts.routes(router);
      registerHealth(router, opts.healthProbe);
    },
    interceptors: [rpcMetrics(opts.metrics), mapErrors(opts.log)],
  });
  const server = http2.createServer((req, res) => {
    spellGrpcMessagePerSpec(res);
    handler(req, res);
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port, host);
  const closeGrpc = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const session of sessions) session.destroy();
    });
  const metricsServer = await startMetricsServer(opts.metrics, { port: opts.metricsPort, host }, opts.log).catch(async (err: unknown) => {
    await closeGrpc();
    throw err;
  });
  return {
    port,
    url: `http://${host}:${port}`,
    metricsUrl: metricsServer.url,
    close: async () => void (await Promise.all([closeGrpc(), metricsServer.close()])),
  };
}
