import { priceCheckout, validateCheckout } from "../../domain/checkout.js";
import type { Payment } from "../../domain/payment.js";
import { checkout as checkoutInput } from "./checkout-input.js";
import { InMemoryDisputes, InMemoryPaymentLocks, InMemoryRefunds } from "./in-memory-money-back.js";
import { InMemoryPayments } from "./in-memory-payments.js";

/** The in-memory ports of refunds and disputes, holding one payment the PSP charged: ord_a 100.00 and ord_b 50.00 EUR, fee 2.5 %. */
export async function paidPayment(): Promise<{
  payment: Payment;
  payments: InMemoryPayments;
  refunds: InMemoryRefunds;
  disputes: InMemoryDisputes;
  locks: InMemoryPaymentLocks;
}> {
  const payments = new InMemoryPayments();
  const checkout = validateCheckout(checkoutInput());
  const { id } = await payments.createOrGet(priceCheckout(checkout, 250), "fingerprint", {
    id: "pay_1",
    statusPageUrl: "https://pay.example/status/pay_1",
  });
  await payments.recordRegistration(id, {
    id: "psp_pay_1",
    reference: id,
    status: "succeeded",
    amountMinor: checkout.total,
    currency: checkout.currency,
    hostedPageUrl: "https://psp.example/pay",
    declineCode: null,
    failureMessage: null,
    amountCapturedMinor: checkout.total,
    cancellationReason: null,
    pendingReason: null,
  });
  await payments.transition(id, { to: "SUCCEEDED" });
  const refunds = new InMemoryRefunds();
  const disputes = new InMemoryDisputes();
  return {
    payment: (await payments.get(id))!,
    payments,
    refunds,
    disputes,
    locks: new InMemoryPaymentLocks(payments, refunds, disputes),
  };
}
