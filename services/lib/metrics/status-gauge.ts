import type { Registry } from "prom-client";
import { scrapedGauge } from "./scraped-gauge.js";

/**
 * <name>{status}: how many rows are in each status now, counted in the database at each scrape rather than by
 * counters of transitions, so that every instance reports the same totals, right across restarts (take `max`).
 */
export function registerStatusGauge(
  registry: Registry,
  config: { name: string; help: string; statuses: readonly string[] },
  countByStatus: () => Promise<ReadonlyMap<string, number>>,
): void {
  scrapedGauge(registry, { name: config.name, help: config.help, labelNames: ["status"] }, async () => {
    const counts = await countByStatus();
    return config.statuses.map((status) => ({ labels: { status }, value: counts.get(status) ?? 0 }));
  });
}
