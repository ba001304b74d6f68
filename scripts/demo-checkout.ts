import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { PaymentService, PaymentStatus, type Payment } from "../gen/payment/v1/payment_pb.js";
import { formatMoney } from "../services/lib/money.js";
import { payOnHostedPage, TEST_CARDS } from "./buyer.js";

const statusName = (s: PaymentStatus) => PaymentStatus[s];

function describePayment(p: Payment): string {
  const money = (m: Payment["total"]) => (m ? formatMoney(m) : "-");
  return [
    `  payment ${p.paymentId} (checkout ${p.checkoutId}) ${statusName(p.status)}, total ${money(p.total)}`,
    ...p.orders.map((o) => `    order ${o.orderId} seller ${o.sellerId} ${money(o.amount)} ${statusName(o.status)}`),
  ].join("\n");
}

/** A buyer checks out two sellers' orders, pays on the hosted page, and the webhook settles the status. */
export async function runDemoCheckout(paymentUrl: string, print: (line: string) => void): Promise<Payment> {
  const payments = createClient(PaymentService, createGrpcTransport({ baseUrl: paymentUrl }));
  const checkoutId = `demo-cart-${Date.now()}`;
  print(`1. CreatePayment over gRPC: checkout ${checkoutId}, two sellers`);
  const { payment: created } = await payments.createPayment({
    checkoutId,
    buyerId: "demo-buyer",
    buyerCountry: "US",
    orders: [
      { orderId: "order-1", sellerId: "seller-books", amount: { amountMinor: 2_599n, currency: "USD" } },
      { orderId: "order-2", sellerId: "seller-games", amount: { amountMinor: 4_000n, currency: "USD" } },
    ],
  });
  print(describePayment(created!));
  print(`2. The buyer opens the hosted page and pays with test card ${TEST_CARDS.success}:\n  ${created!.hostedPageUrl}`);
  const page = await payOnHostedPage(created!.hostedPageUrl, TEST_CARDS.success);
  print(`  the PSP's page says: ${page.status}`);
  print("3. Waiting for the PSP's signed webhook...");
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { payment } = await payments.getPayment({ paymentId: created!.paymentId });
    if (payment!.status === PaymentStatus.SUCCEEDED || payment!.status === PaymentStatus.FAILED || Date.now() > deadline) {
      print(describePayment(payment!));
      return payment!;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
