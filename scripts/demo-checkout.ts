import { createClient } from "@connectrpc/connect";
import { PaymentService, PaymentStatus, PendingReason, type Payment } from "../gen/payment/v1/payment_pb.js";
import { WalletService } from "../gen/wallet/v1/wallet_pb.js";
import { Direction, LedgerService } from "../gen/ledger/v1/ledger_pb.js";
import { grpcTransport } from "../services/lib/grpc-client.js";
import { formatMoney } from "../services/lib/money.js";
import type { TlsMaterial } from "../services/lib/tls/tls-material.js";
import { payOnHostedPage, returnToMerchant, TEST_CARDS } from "./buyer.js";

const statusName = (s: PaymentStatus) => PaymentStatus[s];

function describePayment(p: Payment): string {
  const money = (m: Payment["total"]) => (m ? formatMoney(m) : "-");
  return [
    `  payment ${p.paymentId} (checkout ${p.checkoutId}) ${statusName(p.status)}, total ${money(p.total)}`,
    ...p.orders.map((o) => `    order ${o.orderId} seller ${o.sellerId} ${money(o.amount)} ${statusName(o.status)}`),
  ].join("\n");
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A buyer checks out two sellers' orders and pays on the hosted page; the webhook settles the status, which
 * WatchPayment streams and the buyer's status page shows, and the event reaches the sellers' wallets and the ledger.
 */
export async function runDemoCheckout(
  urls: { paymentUrl: string; walletUrl: string; ledgerUrl: string },
  identities: { marketplace: TlsMaterial; operatorTools: TlsMaterial },
  print: (line: string) => void,
): Promise<Payment> {
  const timeoutMs = 30_000;
  const payments = createClient(
    PaymentService,
    grpcTransport(urls.paymentUrl, identities.marketplace, { server: "payment", timeoutMs }),
  );
  const wallets = createClient(
    WalletService,
    grpcTransport(urls.walletUrl, identities.marketplace, { server: "wallet", timeoutMs }),
  );
  const ledger = createClient(
    LedgerService,
    grpcTransport(urls.ledgerUrl, identities.operatorTools, { server: "ledger", timeoutMs }),
  );
  const checkoutId = `demo-cart-${Date.now()}`;
  print(`1. CreatePayment over gRPC: checkout ${checkoutId}, two sellers`);
  const { payment: created } = await payments.createPayment({
    checkoutId,
    buyerId: "demo-buyer",
    buyerCountry: "US",
    returnUrl: "https://shop.example/orders/demo",
    orders: [
      { orderId: "order-1", sellerId: "seller-books", amount: { amountMinor: 2_599n, currency: "USD" } },
      { orderId: "order-2", sellerId: "seller-games", amount: { amountMinor: 4_000n, currency: "USD" } },
    ],
  });
  print(describePayment(created!));
  const watched: Payment[] = [];
  const watching = (async () => {
    for await (const { payment } of payments.watchPayment({ paymentId: created!.paymentId })) watched.push(payment!);
  })();
  print(
    `2. The buyer opens the hosted page and pays with test card ${TEST_CARDS.success}:\n  ${created!.hostedPageUrl}`,
  );
  const page = await payOnHostedPage(created!.hostedPageUrl, TEST_CARDS.success);
  print(`  the PSP's page says: ${page.status}`);
  print("3. WatchPayment streams each status change as the PSP's signed webhook lands:");
  await watching;
  for (const p of watched) {
    const reason = p.pendingReason === PendingReason.UNSPECIFIED ? "" : ` (${PendingReason[p.pendingReason]})`;
    print(`    ${statusName(p.status)}${reason}`);
  }
  const payment = watched[watched.length - 1]!;
  print(describePayment(payment));
  const statusPage = await returnToMerchant(page);
  print(
    `4. The buyer follows the PSP's return link to our status page, which says ${statusPage.status}:\n  ${statusPage.url}`,
  );
  if (payment.status !== PaymentStatus.SUCCEEDED) return payment;

  print("5. The payment.succeeded event reaches the wallets through JetStream (platform fee kept back):");
  for (const order of payment.orders) {
    const { balance } = await until(
      () => wallets.getBalance({ sellerId: order.sellerId, currency: order.amount!.currency }),
      (r) => r.balance!.available!.amountMinor > 0n,
    );
    print(`    wallet ${order.sellerId}: ${formatMoney(balance!.available!)}`);
  }
  print("6. ...and the ledger, as one balanced double-entry transaction:");
  const { transaction } = await until(
    () =>
      ledger.getTransaction({ transactionId: `payin:${payment.paymentId}` }).catch(() => ({ transaction: undefined })),
    (r) => r.transaction !== undefined,
  );
  for (const e of transaction?.entries ?? []) {
    print(`    ${e.direction === Direction.DEBIT ? "Dr" : "Cr"} ${e.accountCode.padEnd(36)} ${formatMoney(e.amount!)}`);
  }
  const { violations } = await ledger.checkInvariants({});
  print(
    `    CheckInvariants: ${violations.length === 0 ? "books balanced, wallets equal their seller_payable accounts" : JSON.stringify(violations)}`,
  );
  return payment;
}
