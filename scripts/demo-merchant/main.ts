import { randomUUID } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { PaymentService } from "../../gen/payment/v1/payment_pb.js";
import { envInt, envString } from "../../services/lib/config.js";
import { grpcTransport } from "../../services/lib/grpc-client.js";
import { tlsMaterialFromEnv } from "../../services/lib/tls/tls-material.js";
import { startDemoMerchant } from "./shop.js";

// Calls the payment service as the marketplace (TLS_* name its certificate), like the marketplace's own backend.
const payments = createClient(
  PaymentService,
  grpcTransport(envString("PAYMENT_URL"), tlsMaterialFromEnv(), { server: "payment", timeoutMs: 30_000 }),
);

const merchant = await startDemoMerchant({
  port: envInt("MERCHANT_PORT", 0),
  origin: envString("MERCHANT_URL", "") || undefined,
  pspUrl: envString("PSP_URL"),
  createCheckout: async (embedOrigin) => {
    const { payment } = await payments.createPayment({
      checkoutId: `demo-shop-${randomUUID()}`,
      buyerId: "demo-buyer",
      buyerCountry: "US",
      embedOrigins: [embedOrigin],
      orders: [
        { orderId: "order-1", sellerId: "seller-books", amount: { amountMinor: 2_599n, currency: "USD" } },
        { orderId: "order-2", sellerId: "seller-games", amount: { amountMinor: 4_000n, currency: "USD" } },
      ],
    });
    // A checkout risk holds for review (or rejects) has no page to pay on yet.
    if (!payment?.hostedPageUrl)
      throw new Error(`payment ${payment?.paymentId} is not open for paying (status ${payment?.status})`);
    return { paymentId: payment.paymentId, hostedPageUrl: payment.hostedPageUrl };
  },
});
console.log(`demo merchant listening on ${merchant.origin}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void merchant.close().then(() => process.exit(0));
  });
}
