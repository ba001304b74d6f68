import type { Registry } from "prom-client";
import type { Db } from "../db.js";
import { onePerScrape, scrapedGauge } from "../metrics/scraped-gauge.js";

/**
 * The relay's lag, read from the outbox table at each scrape: outbox_pending_events and
 * outbox_oldest_pending_age_seconds (0 when nothing waits). Unpublished rows are found by a partial index.
 */
export function registerOutboxMetrics(registry: Registry, db: Db, table: string): void {
  const read = onePerScrape(async () => {
    const { rows } = await db.raw(
      `select count(*)::int as pending, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_age
       from ?? where published_at is null`,
      [table],
    );
    return rows[0] as { pending: number; oldest_age: number };
  });
  scrapedGauge(registry, { name: "outbox_pending_events", help: "Events in the outbox not yet published to JetStream." }, async () => [
    { labels: {}, value: (await read()).pending },
  ]);
  scrapedGauge(registry, { name: "outbox_oldest_pending_age_seconds", help: "Age of the oldest event waiting in the outbox; 0 when none waits." }, async () => [
    { labels: {}, value: (await read()).oldest_age },
  ]);
}
