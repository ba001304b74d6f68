import type { Registry } from "prom-client";
import { scrapedGauge } from "./scraped-gauge.js";

/**
 * <name>{status}: how many rows are in each status now, read from the database at each scrape (counted there, or
 * kept there as rows change) rather than from an instance's counters of transitions, so that every instance reports
 * the same totals, right across restarts (take `max`).
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
