import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";

export type HealthProbe = () => Promise<boolean>;

/** grpc.health.v1.Health: "" means the whole server; a service's full name means that service. */
export function registerHealth(router: ConnectRouter, probe: HealthProbe): void {
  const served = new Set(router.handlers.map((h) => h.service.typeName));
  const statusOf = async (service: string): Promise<Status> => {
    if (service !== "" && !served.has(service)) return Status.SERVICE_UNKNOWN;
    try {
      return (await probe()) ? Status.SERVING : Status.NOT_SERVING;
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
