import { splitOrder } from "../../services/payment/domain/fees.js";
import { grpc, unary, type GrpcJsClient } from "../support/grpc-js.js";
import { CHARGED_STATUSES, type OurPayment, type OurPayout, type OurRefund } from "./views.js";

/** Minor units per "seller currency". */
export type Balances = Record<string, string>;

const key = (sellerId: string, currency: string) => `${sellerId} ${currency}`;

/** Money that left or went back into sellers' wallets besides their orders: refunds and payouts. */
export interface WalletMoves {
  refunds: OurRefund[];
  payouts: OurPayout[];
}

const charged = (payments: OurPayment[]) => payments.filter((p) => CHARGED_STATUSES.includes(p.status));
const succeededRefunds = (refunds: OurRefund[]) => refunds.filter((r) => r.status === "REFUND_STATUS_SUCCEEDED");
/** A FAILED payout's amount went back to the balance; a PENDING one has left it already. */
const payoutsTaken = (payouts: OurPayout[]) => payouts.filter((p) => p.status !== "PAYOUT_STATUS_FAILED");

/**
 * What every seller's wallet must hold: the net (amount less the platform fee) of each of its charged orders, less
 * the seller's part of its succeeded refunds and the payouts taken from it; non-zero balances only.
 */
export function expectedWalletBalances(
  payments: OurPayment[],
  feeBps: number,
  moves: WalletMoves = { refunds: [], payouts: [] },
): Balances {
  const totals = new Map<string, bigint>();
  const add = (sellerId: string, currency: string, minor: bigint) =>
    totals.set(key(sellerId, currency), (totals.get(key(sellerId, currency)) ?? 0n) + minor);
  for (const payment of charged(payments)) {
    for (const { sellerId, amount } of payment.orders)
      add(sellerId, amount.currency, splitOrder(BigInt(amount.amountMinor), feeBps).sellerNetMinor);
  }
  for (const r of succeededRefunds(moves.refunds))
    add(r.sellerId, r.sellerDebit.currency, -BigInt(r.sellerDebit.amountMinor));
  for (const p of payoutsTaken(moves.payouts)) add(p.sellerId, p.amount.currency, -BigInt(p.amount.amountMinor));
  return Object.fromEntries(
    [...totals]
      .filter(([, v]) => v !== 0n)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, String(v)]),
  );
}

/** Every non-zero wallet balance, through WalletService.ListBalances; `sellerIds`: theirs only. */
export async function walletBalances(wallet: GrpcJsClient, sellerIds?: string[]): Promise<Balances> {
  const balances: [string, string][] = [];
  let pageToken = "";
  do {
    const page = await unary(wallet, "listBalances", { sellerId: "", pageSize: 1000, pageToken });
    for (const b of page.balances) {
      if (b.available.amountMinor !== "0" && (sellerIds?.includes(b.sellerId) ?? true))
        balances.push([key(b.sellerId, b.available.currency), b.available.amountMinor]);
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return Object.fromEntries(balances.sort(([a], [b]) => a.localeCompare(b)));
}

/** The gross of every charged payment in `currency`: what the ledger's psp_receivable must hold, before refunds. */
export function grossSucceeded(payments: OurPayment[], currency: string): bigint {
  return charged(payments)
    .filter((p) => p.total.currency === currency)
    .reduce((sum, p) => sum + BigInt(p.total.amountMinor), 0n);
}

/** What the ledger's psp_receivable and platform_fee_revenue must have gained from these payments and refunds. */
export function expectedLedgerGains(
  payments: OurPayment[],
  refunds: OurRefund[],
  feeBps: number,
  currency: string,
): { pspReceivable: bigint; platformFeeRevenue: bigint } {
  const refunded = succeededRefunds(refunds).filter((r) => r.amount.currency === currency);
  const fees = charged(payments)
    .flatMap((p) => p.orders)
    .filter((o) => o.amount.currency === currency)
    .reduce((sum, o) => sum + splitOrder(BigInt(o.amount.amountMinor), feeBps).platformFeeMinor, 0n);
  return {
    pspReceivable:
      grossSucceeded(payments, currency) - refunded.reduce((sum, r) => sum + BigInt(r.amount.amountMinor), 0n),
    platformFeeRevenue: fees - refunded.reduce((sum, r) => sum + BigInt(r.platformFeeReversed.amountMinor), 0n),
  };
}

/** A ledger account's balance in its normal direction; 0 for an account not opened yet. */
export async function ledgerBalance(ledger: GrpcJsClient, accountCode: string): Promise<bigint> {
  try {
    return BigInt((await unary(ledger, "getBalance", { accountCode })).balance.amountMinor);
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.NOT_FOUND) return 0n;
    throw err;
  }
}
