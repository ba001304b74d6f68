import type { CheckoutInput } from "../../domain/checkout.js";

/** A checkout of two orders: ord_a 100.00 EUR for seller_a, ord_b 50.00 EUR for seller_b. */
export function checkout(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    captureMethod: "AUTOMATIC",
    checkoutId: "chk_1",
    buyerId: "buyer_1",
    buyerCountry: "FR",
    returnUrl: "https://shop.example/back",
    embedOrigins: [],
    orders: [
      { orderId: "ord_a", sellerId: "seller_a", amount: { amountMinor: 10_000n, currency: "EUR" } },
      { orderId: "ord_b", sellerId: "seller_b", amount: { amountMinor: 5_000n, currency: "EUR" } },
    ],
    ...overrides,
  };
}
