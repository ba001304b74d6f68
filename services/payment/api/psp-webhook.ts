import type http from "node:http";
import { Counter, type Registry } from "prom-client";
import { countDbWorkAs } from "../../lib/db-traffic.js";
import { failpoint } from "../../lib/failpoints.js";
import { addLogFields, type Logger } from "../../lib/log.js";
import { isTransientStoreError, STORE_UNAVAILABLE_MESSAGE } from "../../lib/store-errors.js";
import { MalformedPspObject, parsePspDispute, parsePspPayment, parsePspRefund } from "../adapters/psp-json.js";
import type { DisputeFlow, PspDisputeOutcome } from "../app/dispute-flow.js";
import type { PaymentFlow, PspUpdateOutcome } from "../app/payment-flow.js";
import type { PspRefundOutcome, RefundFlow } from "../app/refund-flow.js";
import { replyJson, type HttpRoute } from "./http-server.js";
import type { TimelineStore } from "../store/timeline-store.js";
import { signatureProblem } from "./webhook-signature.js";

export const WEBHOOK_PATH = "/webhooks/psp";
const MAX_BODY_BYTES = 1 << 20;

type Outcome = PspUpdateOutcome | PspRefundOutcome | PspDisputeOutcome | "ignored";

const STATUS_OF: Record<Outcome, number> = {
  applied: 200,
  unchanged: 200,
  ignored: 200,
  // Not 2xx, so that the PSP keeps it in its failed deliveries for someone to look at (and retries: we may not
  // have recorded it yet).
  unknown_payment: 404,
  unknown_refund: 404,
  amount_mismatch: 422,
  // Not yet: the PSP delivers it again later.
  payment_not_settled: 409,
};

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * A refused PSP-Signature header as the log shows it: its timestamp and the first 8 characters of each signature,
 * never a whole one (a valid signature could be replayed within the tolerance), e.g. `t=1795601783,v1=5f2a9c01…`.
 */
export function signatureHint(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parts = header.split(",", 8).map((part) => {
    const [key = "", value = ""] = part.trim().split("=", 2);
    return key === "t" && /^\d{1,12}$/.test(value) ? `t=${value}` : `${key.slice(0, 8)}=${value.slice(0, 8)}…`;
  });
  return parts.join(",");
}

/** What webhook_deliveries_total counts besides the outcomes of applying an event. */
type Refusal = "too_large" | "rejected_signature" | "malformed" | "store_unavailable" | "error";

/**
 * Receives the PSP's webhooks. A request whose signature or timestamp does not verify is refused before it is
 * parsed, and changes nothing. Anything but a 2xx makes the PSP deliver it again. Every delivery is counted in
 * webhook_deliveries_total by event type ("unknown" before the signature is verified) and outcome.
 */
export function pspWebhookRoute(
  opts: { secret: string; toleranceSeconds?: number },
  flows: { payments: PaymentFlow; refunds: RefundFlow; disputes: DisputeFlow },
  log: Logger,
  metrics: Registry,
  webhooks: Pick<TimelineStore, "recordWebhook">,
): HttpRoute {
  const deliveries = new Counter({
    name: "webhook_deliveries_total",
    help: "PSP webhook deliveries received, by event type and outcome.",
    labelNames: ["type", "outcome"],
    registers: [metrics],
  });
  // Each puts the ids of what the event is about on the request's log lines; the refund and dispute flows add the
  // payment once they have found it.
  // Answers the outcome, and the PSP payment the event is about (none for a payout).
  const apply = async (type: unknown, object: unknown): Promise<{ outcome: Outcome; pspPaymentId?: string }> => {
    if (typeof type === "string" && type.startsWith("refund.")) {
      const refund = parsePspRefund(object);
      addLogFields({ refundId: refund.refundId, pspRefundId: refund.id, pspPaymentId: refund.pspPaymentId });
      return { outcome: await flows.refunds.applyPspRefund(refund), pspPaymentId: refund.pspPaymentId };
    }
    if (typeof type === "string" && type.startsWith("dispute.")) {
      const dispute = parsePspDispute(object);
      addLogFields({ disputeId: dispute.id, pspPaymentId: dispute.pspPaymentId });
      return { outcome: await flows.disputes.applyPspDispute(dispute), pspPaymentId: dispute.pspPaymentId };
    }
    // Payouts are the wallet's, which polls the PSP for them; a 2xx stops the PSP's retries.
    if (typeof type === "string" && !type.startsWith("payment.")) return { outcome: "ignored" };
    const payment = parsePspPayment(object);
    // Our payment id is the PSP payment's reference.
    addLogFields({ paymentId: payment.reference, pspPaymentId: payment.id });
    return { outcome: await flows.payments.applyPspUpdate(payment), pspPaymentId: payment.id };
  };
  return {
    method: "POST",
    path: new RegExp(`^${WEBHOOK_PATH}$`),
    handle: (req, res) => countDbWorkAs("webhook", () => handle(req, res)),
  };
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const delivery: { type: string; outcome: Outcome | Refusal } = { type: "unknown", outcome: "error" };
    try {
      const body = await readBody(req);
      if (body === undefined) {
        delivery.outcome = "too_large";
        return replyJson(res, 413, { error: "body too large" });
      }
      const signature = req.headers["psp-signature"] as string | undefined;
      const problem = signatureProblem(signature, body, opts.secret, Date.now() / 1000, opts.toleranceSeconds);
      if (problem) {
        delivery.outcome = "rejected_signature";
        // Nothing of the unverified body; of the signature, only a hint.
        log.warn("webhook refused", { problem, signatureHint: signatureHint(signature) });
        return replyJson(res, 400, { error: `webhook signature refused: ${problem}` });
      }
      let event: { id?: unknown; type?: unknown; data?: { object?: unknown } };
      let applied: Awaited<ReturnType<typeof apply>>;
      try {
        event = JSON.parse(body);
        if (typeof event.type === "string") delivery.type = event.type;
        addLogFields({ eventId: event.id, eventType: event.type });
        failpoint("payment.webhook-before-apply");
        applied = await apply(event.type, event.data?.object);
      } catch (err) {
        if (isTransientStoreError(err)) {
          // Nothing committed, or what did is applied again harmlessly: the PSP delivers it again later.
          delivery.outcome = "store_unavailable";
          log.warn("webhook not applied: the database is unavailable", { error: String(err) });
          return replyJson(res, 503, { error: STORE_UNAVAILABLE_MESSAGE });
        }
        if (!(err instanceof SyntaxError || err instanceof MalformedPspObject)) throw err;
        delivery.outcome = "malformed";
        // A SyntaxError quotes the body.
        log.warn("webhook event malformed", { error: err instanceof SyntaxError ? "not JSON" : err.message });
        return replyJson(res, 400, { error: `malformed event: ${(err as Error).message}` });
      }
      failpoint("payment.webhook-after-apply");
      const { outcome, pspPaymentId } = applied;
      delivery.outcome = outcome;
      // The timeline's record: its failure must not make the PSP deliver an event already applied again.
      if (pspPaymentId !== undefined) {
        await webhooks
          .recordWebhook({ eventId: String(event.id), type: delivery.type, pspPaymentId, outcome, receivedAt })
          .catch((err: unknown) => log.warn("webhook not recorded for the timeline", { error: String(err) }));
      }
      log.info("webhook", { outcome }); // with the event's ids, from the request's log scope
      replyJson(res, STATUS_OF[outcome], { received: true, outcome });
    } finally {
      deliveries.inc(delivery);
    }
  }
}
