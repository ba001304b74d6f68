import { alreadyExists } from "../../lib/errors.js";
import { failpoint } from "../../lib/failpoints.js";
import { checkoutFingerprint, checkoutIdReused, type CheckoutInput } from "../domain/checkout.js";
import type { Payment } from "../domain/payment.js";
import type { PaymentFlow } from "../app/payment-flow.js";

export interface SavedResponse {
  fingerprint: string;
  paymentId: string;
  body: Uint8Array;
  createdAt: Date;
  expired: boolean;
}

/** CreatePayment's first answer, kept under its checkout_id for `ttlMs`. */
export interface SavedResponses {
  readonly ttlMs: number;
  recall(key: string): Promise<SavedResponse | undefined>;
  /** Saves the first response under `key`; whoever comes second gets the first one back. */
  remember(key: string, fingerprint: string, paymentId: string, body: Uint8Array): Promise<Uint8Array>;
}

function keyExpired(checkoutId: string, paymentId: string, usedAt: Date): Error {
  return alreadyExists(
    `checkout_id "${checkoutId}" was used on ${usedAt.toISOString()} for payment ${paymentId}, and its idempotency key has ` +
      "expired: the first answer is no longer replayed and the checkout is never charged twice. Read the payment with GetPayment",
  );
}

/**
 * CreatePayment, idempotent on checkout_id: its first answer is saved encoded, and every identical request gets those
 * bytes back until the key expires; another request under that checkout_id is refused. Until an answer is saved, a
 * request runs the use case, so the next one resumes an interrupted first attempt.
 */
export class CreatePaymentReplay {
  constructor(
    private readonly flow: Pick<PaymentFlow, "validate" | "createOrGet" | "advance">,
    private readonly saved: SavedResponses,
    private readonly encode: (payment: Payment) => Uint8Array,
  ) {}

  /** The first answer saved under the request's checkout_id, as saved. */
  async answer(input: CheckoutInput): Promise<Uint8Array> {
    const checkout = this.flow.validate(input);
    const fingerprint = checkoutFingerprint(checkout);
    // The payment first: a checkout_id used for the first time (the usual call) has no saved answer to look up.
    const { payment, created } = await this.flow.createOrGet(checkout, fingerprint);
    const saved = created ? undefined : await this.saved.recall(checkout.checkoutId);
    if (saved) return replay(saved, checkout.checkoutId, fingerprint);
    // Its answer, if one was ever saved, is no longer replayed: the payment is refused, not taken any further.
    if (Date.now() - payment.createdAt.getTime() > this.saved.ttlMs)
      throw keyExpired(checkout.checkoutId, payment.id, payment.createdAt);
    const answer = await this.saved.remember(
      checkout.checkoutId,
      fingerprint,
      payment.id,
      this.encode(await this.flow.advance(payment)),
    );
    failpoint("payment.before-create-response");
    return answer;
  }
}

function replay(saved: SavedResponse, checkoutId: string, fingerprint: string): Uint8Array {
  if (saved.fingerprint !== fingerprint) throw checkoutIdReused(checkoutId, saved.paymentId);
  if (saved.expired) throw keyExpired(checkoutId, saved.paymentId, saved.createdAt);
  return saved.body;
}
