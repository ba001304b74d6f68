import type { ServerResponse } from "node:http";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";

export type HealthProbe = () => Promise<boolean>;

/** Where a server's health is answered over HTTP/1.1 (answerHealthCheck). */
export const HEALTH_PATH = "/healthz";

/** What `probe` says; one that throws says not serving. */
export async function isServing(probe: HealthProbe): Promise<boolean> {
  try {
    return await probe();
  } catch {
    return false;
  }
}

/**
 * GET /healthz for a load balancer that cannot speak grpc.health.v1 (HAProxy 2.6): 200 SERVING while `probe` says
 * so, else 503 NOT_SERVING, as Check with service "" answers.
 */
export async function answerHealthCheck(res: ServerResponse, probe: HealthProbe): Promise<void> {
  const serving = await isServing(probe);
  res
    .writeHead(serving ? 200 : 503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
    .end(serving ? "SERVING\n" : "NOT_SERVING\n");
}

/**
 * The stores a server uses, each by a name a health check may ask for ("postgresql", "nats"); a service adds one as
 * it attaches to it.
 */
export type StoreProbes = Map<string, HealthProbe>;

/**
 * grpc.health.v1.Health: "" means the whole server and a service's full name that service (serving while `probe`
 * says so: the database answers); a store's name in `stores` means that store, as this server reaches it.
 */
export function registerHealth(router: ConnectRouter, probe: HealthProbe, stores: StoreProbes = new Map()): void {
  const served = new Set(router.handlers.map((h) => h.service.typeName));
  const statusOf = async (service: string): Promise<Status> => {
    const check = service === "" || served.has(service) ? probe : stores.get(service);
    if (!check) return Status.SERVICE_UNKNOWN;
    return (await isServing(check)) ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    async check(req) {
      const status = await statusOf(req.service);
      if (status === Status.SERVICE_UNKNOWN) throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
      return { status };
    },
    async *watch(req, ctx) {
      yield { status: await statusOf(req.service) };
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    },
  });
}
