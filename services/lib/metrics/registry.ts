import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * The metrics of one running service instance. Each instance has a registry of its own, never prom-client's global
 * one, since tests run many services in one process. Every series carries `service="<name>"`, and Node's process
 * metrics (CPU, memory, event loop lag, GC) are included.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
