import { splitOrder } from "../../services/payment/domain/fees.js";
import { unary, type GrpcJsClient } from "../support/grpc-js.js";
import type { OurPayment } from "./views.js";

/** Minor units per "seller currency". */
export type Balances = Record<string, string>;

const key = (sellerId: string, currency: string) => `${sellerId} ${currency}`;

/** What every seller's wallet must hold: the net (amount less the platform fee) of each of its succeeded orders. */
export function expectedWalletBalances(payments: OurPayment[], feeBps: number): Balances {
  const totals = new Map<string, bigint>();
  for (const payment of payments.filter((p) => p.status === "PAYMENT_STATUS_SUCCEEDED")) {
    for (const { sellerId, amount } of payment.orders) {
      const net = splitOrder(BigInt(amount.amountMinor), feeBps).sellerNetMinor;
      totals.set(key(sellerId, amount.currency), (totals.get(key(sellerId, amount.currency)) ?? 0n) + net);
    }
  }
  return Object.fromEntries([...totals].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v)]));
}

/** Every non-zero wallet balance, through WalletService.ListBalances. */
export async function walletBalances(wallet: GrpcJsClient): Promise<Balances> {
  const balances: [string, string][] = [];
  let pageToken = "";
  do {
    const page = await unary(wallet, "listBalances", { sellerId: "", pageSize: 1000, pageToken });
    for (const b of page.balances) {
      if (b.available.amountMinor !== "0") balances.push([key(b.sellerId, b.available.currency), b.available.amountMinor]);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return Object.fromEntries(balances.sort(([a], [b]) => a.localeCompare(b)));
}

/** The gross of every succeeded payment in `currency`: what the ledger's psp_receivable must hold. */
export function grossSucceeded(payments: OurPayment[], currency: string): bigint {
  return payments
    .filter((p) => p.status === "PAYMENT_STATUS_SUCCEEDED" && p.total.currency === currency)
    .reduce((sum, p) => sum + BigInt(p.total.amountMinor), 0n);
}
