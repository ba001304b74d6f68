import { Code, ConnectError } from "@connectrpc/connect";
import { RefundStatus, type Payment, type Refund } from "../../gen/payment/v1/payment_pb.js";
import { PayoutStatus, type Payout } from "../../gen/wallet/v1/wallet_pb.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import type { ServiceClient } from "../support/clients.js";
import { CHARGED_STATUSES } from "./views.js";

/** Minor units per "seller currency". */
export type Balances = Record<string, bigint>;

const key = (sellerId: string, currency: string) => `${sellerId} ${currency}`;

/** Money that left or went back into sellers' wallets besides their orders: refunds and payouts. */
export interface WalletMoves {
  refunds: Refund[];
  payouts: Payout[];
}

const charged = (payments: Payment[]) => payments.filter((p) => CHARGED_STATUSES.includes(p.status));
const succeededRefunds = (refunds: Refund[]) => refunds.filter((r) => r.status === RefundStatus.SUCCEEDED);
/** A FAILED payout's amount went back to the balance; a PENDING one has left it already. */
const payoutsTaken = (payouts: Payout[]) => payouts.filter((p) => p.status !== PayoutStatus.FAILED);

/**
 * What every seller's wallet must hold: the net (amount less the platform fee) of each of its charged orders, less
 * the seller's part of its succeeded refunds and the payouts taken from it; non-zero balances only.
 */
export function expectedWalletBalances(
  payments: Payment[],
  feeBps: number,
  moves: WalletMoves = { refunds: [], payouts: [] },
): Balances {
  const totals = new Map<string, bigint>();
  const add = (sellerId: string, currency: string, minor: bigint) =>
    totals.set(key(sellerId, currency), (totals.get(key(sellerId, currency)) ?? 0n) + minor);
  for (const payment of charged(payments)) {
    for (const { sellerId, amount } of payment.orders)
      add(sellerId, amount!.currency, splitOrder(amount!.amountMinor, feeBps).sellerNetMinor);
  }
  for (const r of succeededRefunds(moves.refunds))
    add(r.sellerId, r.sellerDebit!.currency, -r.sellerDebit!.amountMinor);
  for (const p of payoutsTaken(moves.payouts)) add(p.sellerId, p.amount!.currency, -p.amount!.amountMinor);
  return Object.fromEntries([...totals].filter(([, v]) => v !== 0n).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every non-zero wallet balance, through WalletService.ListBalances; `sellerIds`: theirs only. */
export async function walletBalances(wallet: ServiceClient<"wallet">, sellerIds?: string[]): Promise<Balances> {
  const balances: [string, bigint][] = [];
  let pageToken = "";
  do {
    const page = await wallet.listBalances({ sellerId: "", pageSize: 1000, pageToken });
    for (const { sellerId, available } of page.balances) {
      if (available!.amountMinor !== 0n && (sellerIds?.includes(sellerId) ?? true))
        balances.push([key(sellerId, available!.currency), available!.amountMinor]);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return Object.fromEntries(balances.sort(([a], [b]) => a.localeCompare(b)));
}

/** The gross of every charged payment in `currency`: what the ledger's psp_receivable must hold, before refunds. */
export function grossSucceeded(payments: Payment[], currency: string): bigint {
  return charged(payments)
    .filter((p) => p.total!.currency === currency)
    .reduce((sum, p) => sum + p.total!.amountMinor, 0n);
}

/** What the ledger's psp_receivable and platform_fee_revenue must have gained from these payments and refunds. */
export function expectedLedgerGains(
  payments: Payment[],
  refunds: Refund[],
  feeBps: number,
  currency: string,
): { pspReceivable: bigint; platformFeeRevenue: bigint } {
  const refunded = succeededRefunds(refunds).filter((r) => r.amount!.currency === currency);
  const fees = charged(payments)
    .flatMap((p) => p.orders)
    .filter((o) => o.amount!.currency === currency)
    .reduce((sum, o) => sum + splitOrder(o.amount!.amountMinor, feeBps).platformFeeMinor, 0n);
  return {
    pspReceivable: grossSucceeded(payments, currency) - refunded.reduce((sum, r) => sum + r.amount!.amountMinor, 0n),
    platformFeeRevenue: fees - refunded.reduce((sum, r) => sum + r.platformFeeReversed!.amountMinor, 0n),
  };
}

/** A ledger account's balance in its normal direction; 0 for an account not opened yet. */
export async function ledgerBalance(ledger: ServiceClient<"ledger">, accountCode: string): Promise<bigint> {
  try {
    return (await ledger.getBalance({ accountCode })).balance!.amountMinor;
  } catch (err) {
    if (ConnectError.from(err).code === Code.NotFound) return 0n;
    throw err;
  }
}
