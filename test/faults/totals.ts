import type { DeliveryView } from "../../psp-simulator/webhooks.js";

export interface WebhookFaults {
  dropped: number;
  duplicated: number;
  /** Events that reached us after a later event of the same payment had. */
  reordered: number;
}

/** The webhook faults the PSP injected, and the reorderings they caused as seen at our end. */
export function webhookFaults(deliveries: DeliveryView[], arrivals: string[]): WebhookFaults {
  const published = new Map<string, number>();
  for (const [index, d] of deliveries.entries()) if (!published.has(d.event_id)) published.set(d.event_id, index);
  const paymentOf = new Map(deliveries.map((d) => [d.event_id, d.payment_id]));
  const latestArrived = new Map<string, number>();
  const arrived = new Set<string>();
  let reordered = 0;
  for (const eventId of arrivals) {
    const index = published.get(eventId);
    const payment = paymentOf.get(eventId);
    if (index === undefined || payment === undefined || arrived.has(eventId)) continue;
    arrived.add(eventId);
    const latest = latestArrived.get(payment) ?? -1;
    if (latest > index) reordered++;
    latestArrived.set(payment, Math.max(latest, index));
  }
  return {
    dropped: deliveries.filter((d) => d.dropped).length,
    duplicated: deliveries.filter((d) => d.duplicate).length,
    reordered,
  };
}

export interface Totals {
  seed: number;
  payments: number;
  kills: number;
  natsRestarts: number;
  webhooks: WebhookFaults;
  clientRetries: number;
  /** Undefined until the checks ran. */
  doubleCharges?: number;
  lost?: number;
}

export function totalsLine(t: Totals): string {
  const injected = t.kills + t.natsRestarts + t.webhooks.dropped + t.webhooks.duplicated + t.webhooks.reordered;
  return (
    `fault suite: seed=${t.seed} payments=${t.payments} faults_injected=${injected} (kills=${t.kills}, nats_restarts=${t.natsRestarts}, ` +
    `webhooks dropped=${t.webhooks.dropped} duplicated=${t.webhooks.duplicated} reordered=${t.webhooks.reordered}) ` +
    `create_retries=${t.clientRetries} double_charges=${t.doubleCharges ?? "not checked"} lost=${t.lost ?? "not checked"}`
  );
}
