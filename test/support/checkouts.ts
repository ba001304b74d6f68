import { randomUUID } from "node:crypto";

/** Money as grpc-js (proto-loader with longs: String) sends and returns it. */
export const usd = (amountMinor: number | string) => ({ amountMinor: String(amountMinor), currency: "USD" });

/** A CreatePaymentRequest for grpc-js: two orders from two sellers, fresh ids. */
export function sampleCheckout(overrides: Record<string, unknown> = {}) {
  return {
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    buyerCountry: "US",
    orders: [
      { orderId: "order-1", sellerId: "seller-a", amount: usd(2_500) },
      { orderId: "order-2", sellerId: "seller-b", amount: usd(1_000) },
    ],
    ...overrides,
  };
}
