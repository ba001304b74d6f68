import { collectDefaultMetrics, Registry } from "prom-client";
import { registerDbTrafficMetrics } from "../db-traffic.js";

/**
 * The metrics of one running service instance. Each instance has a registry of its own, never prom-client's global
 * one, since tests run many services in one process. Every series carries `service="<name>"`, and Node's process
 * metrics (CPU, memory, event loop lag, GC) and its database traffic (db-traffic.ts) are included.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  registerDbTrafficMetrics(registry);
  return registry;
}
