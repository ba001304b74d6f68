import { isDeepStrictEqual } from "node:util";
import { PaymentStatus, RefundStatus, type Payment, type Refund } from "../../gen/payment/v1/payment_pb.js";
import { PayoutStatus, type Payout } from "../../gen/wallet/v1/wallet_pb.js";
import type { PaymentObject } from "../../psp-simulator/payments.js";
import {
  expectedLedgerGains,
  expectedWalletBalances,
  ledgerBalance,
  walletBalances,
  type Balances,
} from "../faults/books.js";
import { reconcile } from "../faults/reconciliation.js";
import {
  FINAL_PAYOUT_STATUSES,
  FINAL_REFUND_STATUSES,
  FINAL_STATUSES,
  listOurPayments,
  listOurPayouts,
  listOurRefunds,
  listPspPayments,
  listPspPayouts,
  listPspRefunds,
} from "../faults/views.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { pspApiWithKey } from "../support/psp-api.js";
import { json, waitFor } from "../support/wait.js";
import { LOAD_CURRENCY, type LoadResult, type PlatformEndpoints } from "./steady-load.js";

/** What the checks found wrong with the money of a load; every list empty means right. */
export interface MoneyReport {
  /** Payments, refunds, payouts answered OK that were not final (or not there) when the wait ran out. */
  notFinal: string[];
  /** The payments, as test/faults/reconciliation.ts compares them with the checkouts and the PSP. */
  doubleCharges: string[];
  duplicateRegistrations: string[];
  lost: string[];
  disagreements: string[];
  /** Refunds executed twice at the PSP, differing from the PSP, or answered OK and not there. */
  refunds: string[];
  /** Payouts paid twice at the PSP, differing from the PSP, or answered OK and not there. */
  payouts: string[];
  /** Wallets and ledger accounts that do not hold what the payments, refunds and payouts add up to. */
  books: string[];
  /** Ledger CheckInvariants violations. */
  invariants: string[];
}

export const NO_MONEY_PROBLEMS: MoneyReport = {
  notFinal: [],
  doubleCharges: [],
  duplicateRegistrations: [],
  lost: [],
  disagreements: [],
  refunds: [],
  payouts: [],
  books: [],
  invariants: [],
};

export interface MoneyCheckOptions {
  /** The platform's fee, to work out each order's net for the seller. */
  platformFeeBps: number;
  /** How long each wait (for final statuses, for the books, for clean invariants) may take; default 60 s. */
  timeoutMs?: number;
}

/** Our side and the PSP's side of the load's money, read together. */
interface Snapshot {
  payments: Payment[];
  refunds: Refund[];
  payouts: Payout[];
}

const REFUNDED_STATUSES = [PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED];
const first = (endpoint: string | string[]) => (Array.isArray(endpoint) ? endpoint[0]! : endpoint);
const describeError = (err: unknown) => `read failed: ${(err as Error).message}`;

/** Waits for `check` to return an empty list; a read that fails counts as not yet; the last list if it never is. */
async function untilEmpty(check: () => Promise<string[]>, timeoutMs: number, what: string): Promise<string[]> {
  const tolerant = () => check().catch((err: unknown) => [describeError(err)]);
  return waitFor(tolerant, (problems) => problems.length === 0, timeoutMs, what).catch(() => tolerant());
}

/**
 * Holds a platform to what a load was answered: every payment, refund and payout answered OK ends final and as the
 * PSP has it, none is executed twice at the PSP, and the books (the load's sellers' wallets, their seller_payable
 * accounts, what psp_receivable and platform_fee_revenue gained) add up, with CheckInvariants clean.
 */
export async function checkMoney(
  endpoints: PlatformEndpoints,
  load: LoadResult,
  options: MoneyCheckOptions,
): Promise<MoneyReport> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { marketplace, operatorTools } = endpoints.identities;
  const payments = serviceClient("payment", first(endpoints.payment), marketplace);
  const wallet = serviceClient("wallet", first(endpoints.wallet), marketplace);
  const ledger = serviceClient("ledger", first(endpoints.ledger), operatorTools);
  const pspApi = pspApiWithKey(endpoints.psp.url, endpoints.psp.apiKey);
  const read = () => snapshot(payments, wallet, load);
  const report: MoneyReport = structuredClone(NO_MONEY_PROBLEMS);
  report.notFinal = await untilEmpty(
    async () => notFinal(load, await read()),
    timeoutMs,
    "what was answered OK to be final",
  );

  const ours = await read();
  const [pspPayments, pspRefunds, pspPayouts] = await Promise.all([
    listPspPayments(pspApi),
    listPspRefunds(pspApi),
    listPspPayouts(pspApi),
  ]);
  const checkoutIds = new Set(load.payments.map((p) => p.checkout.request.checkoutId));
  const theirPayments = pspPayments.filter((p) => checkoutIds.has(p.metadata.checkout_id ?? ""));
  Object.assign(
    report,
    reconcile(
      load.payments.map((p) => p.checkout),
      ours.payments,
      theirPayments,
    ),
  );
  report.refunds = refundProblems(load, ours.refunds, theirPayments, pspRefunds);
  report.payouts = payoutProblems(load, ours.payouts, pspPayouts);

  const expected = expectedBooks(ours, options.platformFeeBps);
  report.books = await untilEmpty(
    async () => bookDifferences(expected, await books(wallet, ledger, load)),
    timeoutMs,
    "the books to add up",
  );
  report.invariants = await untilEmpty(
    async () => (await ledger.checkInvariants({})).violations.map((v) => `${v.invariant}: ${v.detail}`),
    timeoutMs,
    "CheckInvariants to be clean",
  );
  return report;
}

async function snapshot(
  payments: ServiceClient<"payment">,
  wallet: ServiceClient<"wallet">,
  load: LoadResult,
): Promise<Snapshot> {
  const checkoutIds = new Set(load.payments.map((p) => p.checkout.request.checkoutId));
  const ours = (await listOurPayments(payments)).filter((p) => checkoutIds.has(p.checkoutId));
  // A payment whose refunds all failed stays SUCCEEDED: the ones the load refunded are read too.
  const refunded = new Set([
    ...ours.filter((p) => REFUNDED_STATUSES.includes(p.status)).map((p) => p.paymentId),
    ...load.refunds.map((r) => r.paymentId),
  ]);
  return {
    payments: ours,
    refunds: await listOurRefunds(payments, [...refunded]),
    payouts: await listOurPayouts(wallet, load.sellers),
  };
}

function notFinal(load: LoadResult, ours: Snapshot): string[] {
  const payment = new Map(ours.payments.map((p) => [p.checkoutId, p]));
  const refund = new Map(ours.refunds.map((r) => [r.refundId, r]));
  const payout = new Map(ours.payouts.map((p) => [p.payoutId, p]));
  return [
    ...load.payments
      .map((a) => ({ a, ours: payment.get(a.checkout.request.checkoutId) }))
      .filter(({ ours }) => !ours || !FINAL_STATUSES.includes(ours.status))
      .map(
        ({ a, ours }) =>
          `payment ${a.paymentId} (${a.checkout.request.checkoutId}): ${ours ? PaymentStatus[ours.status] : "not there"}`,
      ),
    ...load.refunds
      .map((a) => ({ a, ours: refund.get(a.refundId) }))
      .filter(({ ours }) => !ours || !FINAL_REFUND_STATUSES.includes(ours.status))
      .map(({ a, ours }) => `refund ${a.refundId}: ${ours ? RefundStatus[ours.status] : "not there"}`),
    ...load.payouts
      .map((a) => ({ a, ours: payout.get(a.payoutId) }))
      .filter(({ ours }) => !ours || !FINAL_PAYOUT_STATUSES.includes(ours.status))
      .map(({ a, ours }) => `payout ${a.payoutId}: ${ours ? PayoutStatus[ours.status] : "not there"}`),
  ];
}

/** One of our refunds or payouts, and what stands for it at the PSP. */
interface Execution {
  id: string;
  /** Our status, by name. */
  status: string;
  pspId: string;
  /** Our status is the one that moved the money. */
  succeeded: boolean;
}

/**
 * Each of ours executed at most once at the PSP (`keyOf` names ours a PSP object stands for), and ended as the
 * PSP's did; a FAILED one of ours may never have reached the PSP.
 */
function executedOnceAsAtPsp<T extends { id: string; status: string }>(
  ours: Execution[],
  theirs: T[],
  keyOf: (t: T) => string,
  pspSucceeded: string,
): string[] {
  const problems: string[] = [];
  const pspStatus = new Map(theirs.map((t) => [t.id, t.status]));
  for (const o of ours) {
    const executed = theirs.filter((t) => keyOf(t) === o.id && t.status !== "failed");
    if (executed.length > 1)
      problems.push(`${o.id}: executed ${executed.length} times at the PSP (${executed.map((t) => t.id).join(", ")})`);
    const expected = o.succeeded ? pspSucceeded : "failed";
    const actual = pspStatus.get(o.pspId);
    if (actual !== expected && !(expected === "failed" && actual === undefined))
      problems.push(`${o.id}: ${o.status}, the PSP's ${o.pspId || "(none)"} ${actual ?? "not there"}`);
  }
  return problems;
}

const answeredMissing = (answered: { id: string; of: string }[], ours: Execution[], noun: string) =>
  answered
    .filter((a) => !ours.some((o) => o.id === a.id))
    .map((a) => `${a.id}: answered OK, not among the ${noun} of ${a.of}`);

/** PSP refunds carry our refund_id in their metadata; the PSP's amount refunded of each payment is the sum of ours. */
function refundProblems(
  load: LoadResult,
  ours: Refund[],
  theirPayments: PaymentObject[],
  pspRefunds: Awaited<ReturnType<typeof listPspRefunds>>,
): string[] {
  const executions = ours.map((r) => ({
    id: r.refundId,
    status: RefundStatus[r.status],
    pspId: r.pspRefundId,
    succeeded: r.status === RefundStatus.SUCCEEDED,
  }));
  const pspPaymentIds = new Set(theirPayments.map((p) => p.id));
  const theirs = pspRefunds.filter((r) => pspPaymentIds.has(r.payment));
  const problems = [
    ...answeredMissing(
      load.refunds.map((a) => ({ id: a.refundId, of: a.paymentId })),
      executions,
      "refunds",
    ),
    ...theirs
      .filter((r) => !executions.some((o) => o.id === r.metadata.refund_id))
      .map((r) => `PSP refund ${r.id} (refund_id "${r.metadata.refund_id}"): not a refund of ours`),
    ...executedOnceAsAtPsp(executions, theirs, (r) => r.metadata.refund_id ?? "", "succeeded"),
  ];
  for (const p of theirPayments) {
    const ourRefunded = ours
      .filter(
        (r) => r.status === RefundStatus.SUCCEEDED && theirs.some((t) => t.id === r.pspRefundId && t.payment === p.id),
      )
      .reduce((sum, r) => sum + r.amount!.amountMinor, 0n);
    if (BigInt(p.amount_refunded) !== ourRefunded)
      problems.push(`PSP payment ${p.id}: ${p.amount_refunded} refunded at the PSP, ${ourRefunded} on our side`);
  }
  return problems;
}

/** PSP payouts have our payout_id as their reference. */
function payoutProblems(
  load: LoadResult,
  ours: Payout[],
  pspPayouts: Awaited<ReturnType<typeof listPspPayouts>>,
): string[] {
  const executions = ours.map((p) => ({
    id: p.payoutId,
    status: PayoutStatus[p.status],
    pspId: p.pspPayoutId,
    succeeded: p.status === PayoutStatus.PAID,
  }));
  return [
    ...answeredMissing(
      load.payouts.map((a) => ({ id: a.payoutId, of: a.sellerId })),
      executions,
      "payouts",
    ),
    ...executedOnceAsAtPsp(executions, pspPayouts, (p) => p.reference, "paid"),
  ];
}

interface Books {
  wallets: Balances;
  sellerPayables: Balances;
  pspReceivableGain: bigint;
  platformFeeRevenueGain: bigint;
}

function expectedBooks(ours: Snapshot, feeBps: number): Books {
  const wallets = expectedWalletBalances(ours.payments, feeBps, ours);
  const gains = expectedLedgerGains(ours.payments, ours.refunds, feeBps, LOAD_CURRENCY);
  return {
    wallets,
    sellerPayables: wallets,
    pspReceivableGain: gains.pspReceivable,
    platformFeeRevenueGain: gains.platformFeeRevenue,
  };
}

async function books(
  wallet: ServiceClient<"wallet">,
  ledger: ServiceClient<"ledger">,
  load: LoadResult,
): Promise<Books> {
  const sellerPayables: Balances = {};
  for (const sellerId of load.sellers) {
    const balance = await ledgerBalance(ledger, `seller_payable:${sellerId}:${LOAD_CURRENCY}`);
    if (balance !== 0n) sellerPayables[`${sellerId} ${LOAD_CURRENCY}`] = balance;
  }
  return {
    wallets: await walletBalances(wallet, load.sellers),
    sellerPayables,
    pspReceivableGain: (await ledgerBalance(ledger, `psp_receivable:${LOAD_CURRENCY}`)) - load.baseline.pspReceivable,
    platformFeeRevenueGain:
      (await ledgerBalance(ledger, `platform_fee_revenue:${LOAD_CURRENCY}`)) - load.baseline.platformFeeRevenue,
  };
}

function bookDifferences(expected: Books, actual: Books): string[] {
  return (Object.keys(expected) as (keyof Books)[])
    .filter((k) => !isDeepStrictEqual(expected[k], actual[k]))
    .map((k) => `${k}: expected ${json(expected[k])}, found ${json(actual[k])}`);
}
