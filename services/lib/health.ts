import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";

export type HealthProbe = () => Promise<boolean>;

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
    try {
      return (await check()) ? Status.SERVING : Status.NOT_SERVING;
    } catch {
      return Status.NOT_SERVING;
    }
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
