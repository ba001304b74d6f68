import { createLogger } from "../../../lib/log.js";
import { checkoutFingerprint, type CheckoutInput } from "../../domain/checkout.js";
import type { Payment } from "../../domain/payment.js";
import type { PspPayment } from "../../domain/psp-payment.js";
import { PaymentFlow } from "../payment-flow.js";
import { PspRefusedError, type PspPort, type RiskPort } from "../ports.js";
import { checkout } from "./checkout-input.js";
import { InMemoryPayments } from "./in-memory-payments.js";

/** What the PSP says of `payment`: registered, waiting for its buyer, unless `overrides` say otherwise. */
export function pspView(payment: Payment, overrides: Partial<PspPayment> = {}): PspPayment {
  return {
    id: `psp_${payment.id}`,
    reference: payment.id,
    status: "requires_payment_method",
    amountMinor: payment.requestedTotal,
    currency: payment.currency,
    hostedPageUrl: "https://psp.example/pay",
    declineCode: null,
    failureMessage: null,
    amountCapturedMinor: 0n,
    cancellationReason: null,
    pendingReason: null,
    ...overrides,
  };
}

/** A PSP that registers every payment (or refuses every one) and answers captures in full of what was asked. */
export function fakePsp(refuse = false): PspPort & { registered: string[] } {
  const registered: string[] = [];
  const none = () => Promise.reject(new Error("not expected in this test"));
  return {
    registered,
    async register(payment) {
      if (refuse) throw new PspRefusedError("card network unavailable for this merchant");
      registered.push(payment.id);
      return pspView(payment);
    },
    retrieve: none,
    async capture(payment, amountMinor) {
      return pspView(payment, { status: "succeeded", amountCapturedMinor: amountMinor });
    },
    cancel: none,
    abandon: none,
    refund: none,
    retrieveRefund: none,
  };
}

const approve: RiskPort = { assess: async () => ({ decision: "APPROVE", reasons: [] }) };

/** PaymentFlow on in-memory payments, a 2.5 % fee; by default risk approves and the PSP registers every payment. */
export function inMemoryFlow({ psp = fakePsp(), risk = approve }: { psp?: PspPort; risk?: RiskPort } = {}): {
  store: InMemoryPayments;
  flow: PaymentFlow;
} {
  const store = new InMemoryPayments();
  const flow = new PaymentFlow({
    store,
    risk,
    psp,
    log: createLogger("in-memory-flow"),
    platformFeeBps: 250,
    statusPageUrl: (id) => `https://pay.example/status/${id}`,
    expireUnpaidAfterMs: 3_600_000,
  });
  return { store, flow };
}

/** CreatePayment's first step: the checkout's payment recorded (or found), not taken any further yet. */
export async function recordCheckout(flow: PaymentFlow, input: CheckoutInput = checkout()): Promise<Payment> {
  const valid = flow.validate(input);
  return (await flow.createOrGet(valid, checkoutFingerprint(valid))).payment;
}
