import { createHmac } from "node:crypto";
import type { DisputeEventType, DisputeObject } from "./disputes.js";
import type { Faults } from "./faults.js";
import type { PaymentObject, PaymentStatus } from "./payments.js";
import type { PayoutEventType, PayoutObject } from "./payouts.js";
import type { RefundEventType, RefundObject } from "./refunds.js";
import { newId } from "./tokens.js";

export type PaymentEventType = `payment.${Exclude<PaymentStatus, "requires_payment_method">}`;

export type EventType = PaymentEventType | RefundEventType | PayoutEventType | DisputeEventType;

export type EventObject = PaymentObject | RefundObject | PayoutObject | DisputeObject;

export interface WebhookEvent {
  id: string;
  object: "event";
  type: EventType;
  created: number;
  data: { object: EventObject };
}

export interface DeliveryView {
  event_id: string;
  type: EventType;
  /** The id of `data.object`. */
  object_id: string;
  /** The payment the event is about: the payment itself, or the payment refunded or disputed; absent for payouts. */
  payment_id?: string;
  attempts: number;
  delivered: boolean;
  /** True once all attempts were used up without a 2xx. */
  failed: boolean;
  /** HTTP status of the last attempt; null before the first attempt or after a network error/timeout. */
  last_status: number | null;
  /** Lost by the `webhook_drop_rate` fault: never attempted. */
  dropped: boolean;
  /** The second delivery of an event sent twice by the `webhook_duplicate_rate` fault. */
  duplicate: boolean;
}

const DELIVERY_TIMEOUT_MS = 5000;

/** Hex HMAC-SHA256 of `${timestamp}.${body}`: the `v1` part of the PSP-Signature header. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** `created` is simulator time, unlike the signature's timestamp, which receivers compare with their real clock. */
export function webhookEvent(type: EventType, object: EventObject, created: number): WebhookEvent {
  return { id: newId("evt"), object: "event", type, created, data: { object } };
}

function paymentIdOf(object: EventObject): string | undefined {
  if (object.object === "payment") return object.id;
  return object.object === "payout" ? undefined : object.payment;
}

interface Delivery {
  event: WebhookEvent;
  body: string;
  attempts: number;
  delivered: boolean;
  failed: boolean;
  lastStatus: number | null;
  dropped: boolean;
  duplicate: boolean;
}

export interface WebhookDispatcherOptions {
  url?: string;
  secret: string;
  retryBaseMs: number;
  maxAttempts: number;
  faults: Faults;
  /** For the retry jitter. */
  random: () => number;
}

/**
 * Delivers each event independently (so they may arrive out of order), retrying with
 * exponential backoff and ±20% jitter until the receiver answers 2xx or attempts run out.
 * The webhook faults can drop, duplicate or delay an event.
 */
export class WebhookDispatcher {
  private url: string | undefined;
  private readonly deliveries: Delivery[] = [];
  /** Deliveries published while no webhook URL was configured; sent once one is set. */
  private readonly waitingForUrl: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.url = options.url;
  }

  setUrl(url: string): void {
    this.url = url;
    for (const delivery of this.waitingForUrl.splice(0)) this.attempt(delivery);
  }

  publish(event: WebhookEvent): void {
    const { faults } = this.options;
    if (faults.dropWebhook()) {
      this.record(event, { dropped: true });
      return;
    }
    const copies = faults.duplicateWebhook()
      ? [this.record(event), this.record(event, { duplicate: true })]
      : [this.record(event)];
    for (const delivery of copies) this.schedule(delivery, faults.webhookReorderMs());
  }

  list(): DeliveryView[] {
    return this.deliveries.map((d) => ({
      event_id: d.event.id,
      type: d.event.type,
      object_id: d.event.data.object.id,
      payment_id: paymentIdOf(d.event.data.object),
      attempts: d.attempts,
      delivered: d.delivered,
      failed: d.failed,
      last_status: d.lastStatus,
      dropped: d.dropped,
      duplicate: d.duplicate,
    }));
  }

  /** Cancels scheduled retries and aborts requests under way. */
  async close(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(this.inFlight);
  }

  private record(event: WebhookEvent, fault: Partial<Pick<Delivery, "dropped" | "duplicate">> = {}): Delivery {
    const delivery: Delivery = {
      event,
      body: JSON.stringify(event),
      attempts: 0,
      delivered: false,
      failed: false,
      lastStatus: null,
      dropped: false,
      duplicate: false,
      ...fault,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private attempt(delivery: Delivery): void {
    if (this.abort.signal.aborted) return;
    if (this.url === undefined) {
      this.waitingForUrl.push(delivery);
      return;
    }
    const sending = this.send(delivery, this.url).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  private async send(delivery: Delivery, url: string): Promise<void> {
    delivery.attempts++;
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "psp-simulator",
          "psp-signature": `t=${timestamp},v1=${signPayload(this.options.secret, timestamp, delivery.body)}`,
        },
        body: delivery.body,
        // Like Stripe, a redirect is not a successful delivery.
        redirect: "manual",
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      status = response.status;
      await response.body?.cancel();
    } catch {
      // Network error or timeout: status stays null and the attempt counts as failed.
    }
    if (this.abort.signal.aborted) return;
    delivery.lastStatus = status;
    if (status !== null && status >= 200 && status < 300) {
      delivery.delivered = true;
    } else if (delivery.attempts >= this.options.maxAttempts) {
      delivery.failed = true;
    } else {
      this.scheduleRetry(delivery);
    }
  }

  private scheduleRetry(delivery: Delivery): void {
    const jitter = 0.8 + this.options.random() * 0.4;
    this.schedule(delivery, this.options.retryBaseMs * 2 ** (delivery.attempts - 1) * jitter);
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    if (delayMs === 0) {
      this.attempt(delivery);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.attempt(delivery);
    }, delayMs);
    this.timers.add(timer);
  }
}
