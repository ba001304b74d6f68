import type { Registry } from "prom-client";
import type { Db } from "../db.js";
import { onePerScrape, scrapedGauge } from "../metrics/scraped-gauge.js";
import { blockedCondition, type OutboxTable } from "./outbox-dead-letters.js";

interface OutboxState {
  pending: number;
  oldest_age: number;
  blocked: number;
  oldest_blocked_age: number;
  dead: number;
}

/**
 * The relay's lag, read from the outbox table at each scrape (unpublished rows are found by a partial index):
 * outbox_pending_events and outbox_oldest_pending_age_seconds (rows waiting to be published, blocked ones included;
 * 0 when nothing waits), outbox_blocked_events and outbox_oldest_blocked_age_seconds (rows waiting behind a dead row
 * of their aggregate), outbox_dead_letters (rows set aside).
 */
export function registerOutboxMetrics(registry: Registry, db: Db, outbox: OutboxTable): void {
  const blocked = blockedCondition(outbox);
  const read = onePerScrape(async () => {
    const { rows } = await db.raw(
      `select count(*) filter (where dead_at is null)::int as pending,
         coalesce(extract(epoch from now() - min(created_at) filter (where dead_at is null)), 0)::float8 as oldest_age,
         count(*) filter (where blocked)::int as blocked,
         coalesce(extract(epoch from now() - min(created_at) filter (where blocked)), 0)::float8 as oldest_blocked_age,
         count(*) filter (where dead_at is not null)::int as dead
       from (select created_at, dead_at, dead_at is null and ${blocked.sql} as blocked from ?? o where published_at is null) o`,
      [...blocked.bindings, outbox.table],
    );
    return rows[0] as OutboxState;
  });
  const gauge = (name: string, help: string, field: keyof OutboxState) =>
    scrapedGauge(registry, { name, help }, async () => [{ labels: {}, value: (await read())[field] }]);
  gauge(
    "outbox_pending_events",
    "Events in the outbox not yet published to JetStream (blocked ones included, dead ones not).",
    "pending",
  );
  gauge(
    "outbox_oldest_pending_age_seconds",
    "Age of the oldest event waiting in the outbox; 0 when none waits.",
    "oldest_age",
  );
  gauge("outbox_blocked_events", "Events waiting behind a dead event of their aggregate (payment, seller).", "blocked");
  gauge(
    "outbox_oldest_blocked_age_seconds",
    "Age of the oldest blocked event; 0 when none is blocked.",
    "oldest_blocked_age",
  );
  gauge("outbox_dead_letters", "Outbox events set aside because NATS will never take them (see dead_reason).", "dead");
}
