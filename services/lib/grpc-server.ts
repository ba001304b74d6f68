import http2 from "node:http2";
import type { TLSSocket } from "node:tls";
import { Code, ConnectError, createContextValues, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Registry } from "prom-client";
import { registerAudit } from "./audit/audit-routes.js";
import type { AuditLog } from "./audit/audit-store.js";
import type { PageTokenKey } from "./page-token.js";
import { authorize, peerKey } from "./auth/authorize.js";
import { commonPolicies } from "./auth/common-policies.js";
import { authenticatePeer } from "./auth/peer-identity.js";
import { rulesByPath, type ServicePolicy } from "./auth/policy.js";
import { boundedInput } from "./bounded-input.js";
import { callsPerConnection, connectionKey } from "./call-limits.js";
import type { TlsMaterial } from "./tls/tls-material.js";
import { countDbWorkAs } from "./db-traffic.js";
import { DomainError, type ErrorKind } from "./errors.js";
import { spellGrpcMessagePerSpec } from "./grpc-message.js";
import { isTransientStoreError, STORE_UNAVAILABLE_MESSAGE } from "./store-errors.js";
import { retryOnStoreOutage, storeOutageRetryFromEnv, type StoreOutageRetry } from "./store-outage-retry.js";
import { registerHealth, type HealthProbe, type StoreProbes } from "./health.js";
import { listen } from "./listen.js";
import { idFields, type Logger } from "./log.js";
import { startMetricsServer } from "./metrics/metrics-server.js";
import { rpcMetrics } from "./metrics/rpc-metrics.js";

export interface GrpcServer {
  port: number;
  /** Base URL for gRPC clients, e.g. https://127.0.0.1:50051 */
  url: string;
  /** Where Prometheus scrapes the service's metrics (HTTP/1.1), e.g. http://127.0.0.1:9451/metrics */
  metricsUrl: string;
  close(): Promise<void>;
}

export interface GrpcServerOptions {
  port?: number;
  host?: string;
  routes: (router: ConnectRouter) => void;
  /** Answers grpc.health.v1.Health/Check, and GET /healthz on the metrics port: SERVING when it resolves true. */
  healthProbe: HealthProbe;
  /** Each store by name, for health checks that name it (see registerHealth). */
  storeProbes?: StoreProbes;
  log: Logger;
  /** The service's registry: RPCs are counted in it, and all of it is served at GET /metrics on `metricsPort`. */
  metrics: Registry;
  /** 0 or absent: any free port. It also answers GET /healthz (answerHealthCheck), for balancers that speak HTTP only. */
  metricsPort?: number;
  /** The server's certificate, which is also its identity as a client, and the CA its callers' must come from. */
  tls: TlsMaterial;
  /** Who may call which method; anything not in it is refused. */
  policy: ServicePolicy;
  /** Where every call of a mutating method is recorded (the service's own rpc_audit table). */
  audit: AuditLog;
  /** Signs the page tokens of ListAuditRecords (the service's own lists use the same key). */
  pageTokenKey: PageTokenKey;
  limits?: Partial<GrpcLimits>;
  /** How long a call failed by a store outage keeps being run again: defaultStoreOutageRetry, STORE_OUTAGE_RETRY_MS for its budget. */
  storeOutageRetry?: Partial<StoreOutageRetry>;
}

export interface GrpcLimits {
  /** A request message larger than this is RESOURCE_EXHAUSTED before it is read. */
  maxReceiveBytes: number;
  /** Calls in flight on one connection; beyond: RESOURCE_EXHAUSTED. */
  maxCallsPerConnection: number;
}

const IDLE_SESSION_MS = 5 * 60_000;
const UNTRUSTED_SESSION_MS = 10_000;

export const defaultGrpcLimits: GrpcLimits = { maxReceiveBytes: 1024 * 1024, maxCallsPerConnection: 1_000 };

/** The gRPC status code of each kind of domain error (also for errors answered inside a response, item by item). */
export const codeOfKind: Readonly<Record<ErrorKind, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  resource_exhausted: Code.ResourceExhausted,
  permission_denied: Code.PermissionDenied,
  unavailable: Code.Unavailable,
};

/**
 * The one place where domain errors become gRPC status codes: a store outage is UNAVAILABLE; anything unexpected
 * is logged and hidden.
 */
function mapErrors(log: Logger): Interceptor {
  const toConnectError = (err: unknown, procedure: string, request: unknown): ConnectError => {
    if (err instanceof DomainError) return new ConnectError(err.message, codeOfKind[err.kind]);
    if (err instanceof ConnectError) return err;
    if (isTransientStoreError(err)) {
      log.warn("call failed: the database is unavailable", { procedure, ...idFields(request), error: String(err) });
      return new ConnectError(STORE_UNAVAILABLE_MESSAGE, Code.Unavailable);
    }
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
 * Serves gRPC (and Connect, gRPC-Web) over HTTP/2 with mutual TLS only, with the standard health service and the
 * audit service, every call authorized by the policy; and the service's metrics and health over HTTP/1.1 on a second
 * port.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const limits = { ...defaultGrpcLimits, ...opts.limits };
  const rules = rulesByPath([opts.policy, ...commonPolicies]);
  const handler = connectNodeAdapter({
    routes: (router) => {
      opts.routes(router);
      registerHealth(router, opts.healthProbe, opts.storeProbes);
      registerAudit(router, opts.audit, opts.pageTokenKey, opts.policy.service.typeName);
    },
    readMaxBytes: limits.maxReceiveBytes,
    contextValues: (req) =>
      createContextValues()
        .set(peerKey, authenticatePeer(req as http2.Http2ServerRequest))
        .set(connectionKey, (req as http2.Http2ServerRequest).stream?.session),
    interceptors: [
      // Outermost: the database work of a call, its audit record included, is counted under its method's name.
      (next) => (req) => countDbWorkAs(req.method.name, () => next(req)),
      rpcMetrics(opts.metrics),
      authorize(rules, opts.audit.record, opts.log),
      mapErrors(opts.log),
      callsPerConnection(limits.maxCallsPerConnection),
      boundedInput(),
      // Innermost: a call runs again as a whole, authorized, audited and counted once.
      retryOnStoreOutage(rules, storeOutageRetryFromEnv(opts.storeOutageRetry), opts.log),
    ],
  });
  const server = http2.createSecureServer(
    {
      key: opts.tls.key,
      cert: opts.tls.cert,
      ca: opts.tls.ca,
      requestCert: true,
      // Refused certificates still complete the handshake, so that every call can be answered UNAUTHENTICATED
      // with the reason, instead of a bare connection reset; no handler ever runs for them (authorize.ts).
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
      handshakeTimeout: 10_000,
      // Twice the per-connection call limit: a client ignoring RESOURCE_EXHAUSTED still cannot open more.
      settings: { maxConcurrentStreams: limits.maxCallsPerConnection * 2 },
    },
    (req, res) => {
      spellGrpcMessagePerSpec(res);
      handler(req, res);
    },
  );
  server.on("tlsClientError", (err: NodeJS.ErrnoException) => {
    // A peer that closed before saying anything (a port probe, a load balancer's TCP check) is not an attack.
    const closedEarly = err.code === "ECONNRESET" || err.message === "socket hang up";
    opts.log[closedEarly ? "debug" : "warn"]("TLS handshake refused", { error: String(err) });
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    // Our clients ping every 30 s, so only a silent peer times out; one without a certificate we trust has had
    // its UNAUTHENTICATED answer by then and need not hold the connection.
    const trusted = (session.socket as TLSSocket).authorized;
    session.setTimeout(trusted ? IDLE_SESSION_MS : UNTRUSTED_SESSION_MS, () => session.close());
  });
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port, host);
  const closeGrpc = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const session of sessions) session.destroy();
    });
  const metricsServer = await startMetricsServer(
    opts.metrics,
    { port: opts.metricsPort, host, health: opts.healthProbe },
    opts.log,
  ).catch(async (err: unknown) => {
    await closeGrpc();
    throw err;
  });
  return {
    port,
    url: `https://${host}:${port}`,
    metricsUrl: metricsServer.url,
    close: async () => void (await Promise.all([closeGrpc(), metricsServer.close()])),
  };
}
