import type { Db } from "../../lib/db.js";
import { GroupInsert } from "../../lib/group-insert.js";
import { endedUncharged } from "../domain/payment.js";
import { retentionMs, type RetainedTable } from "../../lib/retention.js";
import type { PaymentStatus } from "../domain/status.js";

export const DEFAULT_WEBHOOK_LOG_RETENTION_DAYS = 30;
/** Stripe retries a webhook for up to 3 days (the simulator for about 17 minutes). */
const PSP_WEBHOOK_RETRIES_MS = 3 * 24 * 3_600_000;

/**
 * The webhook log is the timeline's, not a deduplication record (a webhook applied twice finds nothing to do), and
 * not the money's (status_history and the ledger are): its rows go after `days`, kept while the PSP may still retry.
 */
export function webhookLogRetention(days: number): RetainedTable {
  const retries = { what: "the PSP's webhook retries", ms: PSP_WEBHOOK_RETRIES_MS };
  return {
    table: "webhook_deliveries",
    column: "received_at",
    keepMs: retentionMs("WEBHOOK_LOG_RETENTION_DAYS", days, [retries]),
  };
}

/** One thing that happened to a payment. */
export type TimelineEntry = { at: Date } & (
  | { kind: "status"; status: PaymentStatus; reason?: string }
  | { kind: "webhook"; eventId: string; type: string; outcome: string }
  | { kind: "event"; eventId: string; subject: string; publishedAt?: Date }
);

/** The webhooks received, and a payment's story read back from its status changes, webhooks and outbox. */
export class TimelineStore {
  private readonly webhookLog: GroupInsert<Record<string, unknown>>;

  constructor(private readonly db: Db) {
    this.webhookLog = new GroupInsert((rows) => this.db("webhook_deliveries").insert(rows));
  }

  /** `receivedAt`: when the request came in, before it was applied, so that it comes before what it caused. */
  async recordWebhook(webhook: {
    eventId: string;
    type: string;
    pspPaymentId: string;
    outcome: string;
    receivedAt: Date;
  }): Promise<void> {
    // With the webhooks recorded meanwhile, in one insert.
    await this.webhookLog.insert({
      event_id: webhook.eventId,
      type: webhook.type,
      psp_payment_id: webhook.pspPaymentId,
      outcome: webhook.outcome,
      received_at: webhook.receivedAt,
    });
  }

  /** Oldest first; undefined when there is no such payment. */
  async timeline(paymentId: string): Promise<TimelineEntry[] | undefined> {
    const payment: { psp_payment_id: string | null; failure_reason: string | null } | undefined = await this.db(
      "payments",
    )
      .where({ id: paymentId })
      .first("psp_payment_id", "failure_reason");
    if (payment === undefined) return undefined;
    const [statuses, webhooks, events] = await Promise.all([
      this.db("status_history").where({ payment_id: paymentId }).orderBy("id").select("status", "occurred_at"),
      payment.psp_payment_id === null
        ? []
        : this.db("webhook_deliveries")
            .where({ psp_payment_id: payment.psp_payment_id })
            .orderBy("id")
            .select("event_id", "type", "outcome", "received_at"),
      this.db("outbox")
        .where({ payment_id: paymentId })
        .orderBy("id")
        .select("event_id", "subject", "created_at", "published_at"),
    ]);
    const entries: TimelineEntry[] = [
      ...statuses.map((r: { status: PaymentStatus; occurred_at: Date }) => ({
        kind: "status" as const,
        at: r.occurred_at,
        status: r.status,
        // A payment ends uncharged once: the failure recorded is that end's.
        ...(endedUncharged(r.status) && payment.failure_reason !== null && { reason: payment.failure_reason }),
      })),
      ...webhooks.map((r: { event_id: string; type: string; outcome: string; received_at: Date }) => ({
        kind: "webhook" as const,
        at: r.received_at,
        eventId: r.event_id,
        type: r.type,
        outcome: r.outcome,
      })),
      ...events.map((r: { event_id: string; subject: string; created_at: Date; published_at: Date | null }) => ({
        kind: "event" as const,
        at: r.created_at,
        eventId: r.event_id,
        subject: r.subject,
        publishedAt: r.published_at ?? undefined,
      })),
    ];
    // A stable sort: within one instant, status changes come before the events announcing them.
    return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
