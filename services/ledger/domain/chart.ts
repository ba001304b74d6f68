import {
  bankPlatform,
  disputedFunds,
  payoutsInTransit,
  platformFeeRevenue,
  pspReceivable,
  sellerPayable,
  type Account,
  type Direction,
} from "../../contracts/accounting/accounts.js";
import { planOf, type PostingPlan } from "../../contracts/accounting/postings.js";
import {
  disputeTransactionId,
  payInTransactionId,
  payoutTransactionId,
  refundTransactionId,
} from "../../contracts/accounting/transaction-ids.js";
import { invalidArgument } from "../../lib/errors.js";
import { MAX_MINOR_UNITS } from "../../lib/money.js";
import { requireCurrency, requireId } from "../../lib/validate.js";

// The postings the ledger books from the platform's events, on the shared chart of accounts (contracts/accounting).

export interface PayInInput {
  paymentId: string;
  currency: string;
  /** The platform fee of each order is computed upstream, by the payment service. */
  orders: { sellerId: string; amountMinor: bigint; platformFeeMinor: bigint }[];
}

function validatePayIn(input: PayInInput): void {
  requireId("payment_id", input.paymentId);
  requireCurrency("currency", input.currency);
  if (input.orders.length === 0) throw invalidArgument("orders", "must contain at least one order");
  input.orders.forEach((order, i) => {
    requireId(`orders[${i}].seller_id`, order.sellerId);
    if (order.amountMinor <= 0n)
      throw invalidArgument(`orders[${i}].amount_minor`, `must be positive, got ${order.amountMinor}`);
    if (order.platformFeeMinor < 0n || order.platformFeeMinor > order.amountMinor) {
      throw invalidArgument(
        `orders[${i}].platform_fee_minor`,
        `must be between 0 and the order amount ${order.amountMinor}, got ${order.platformFeeMinor}`,
      );
    }
  });
}

/**
 * Pay-in succeeded (amount A, platform fee F): Dr psp_receivable A; Cr seller_payable:<seller> A-F for each
 * seller (orders of one seller merged); Cr platform_fee_revenue F. Zero amounts are left out, since entries are
 * strictly positive. Pure: the same input always gives the same posting, so its id is an idempotency key.
 */
export function payInPosting(input: PayInInput): PostingPlan {
  validatePayIn(input);
  const { currency } = input;
  const netBySeller = new Map<string, bigint>();
  let total = 0n;
  let fees = 0n;
  for (const order of input.orders) {
    total += order.amountMinor;
    fees += order.platformFeeMinor;
    netBySeller.set(
      order.sellerId,
      (netBySeller.get(order.sellerId) ?? 0n) + order.amountMinor - order.platformFeeMinor,
    );
  }
  if (total > MAX_MINOR_UNITS) throw invalidArgument("orders", "the total of the orders is too large");
  return planOf(payInTransactionId(input.paymentId), `pay-in of payment ${input.paymentId}`, currency, [
    [pspReceivable(currency), "DEBIT", total],
    ...[...netBySeller].map(([sellerId, net]): [Account, Direction, bigint] => [
      sellerPayable(sellerId, currency),
      "CREDIT",
      net,
    ]),
    [platformFeeRevenue(currency), "CREDIT", fees],
  ]);
}

export interface RefundInput {
  refundId: string;
  paymentId: string;
  sellerId: string;
  currency: string;
  /** amountMinor = platformFeeReversedMinor + sellerDebitMinor, as the payment service split it. */
  amountMinor: bigint;
  platformFeeReversedMinor: bigint;
  sellerDebitMinor: bigint;
}

/**
 * Refund succeeded (amount R = fee reversed F + seller debit D), the reverse of the order's pay-in:
 * Dr seller_payable:<seller> D; Dr platform_fee_revenue F; Cr psp_receivable R.
 */
export function refundPosting(input: RefundInput): PostingPlan {
  requireId("refund_id", input.refundId);
  requireId("seller_id", input.sellerId);
  const currency = requireCurrency("currency", input.currency);
  const { amountMinor, platformFeeReversedMinor: fee, sellerDebitMinor: debit } = input;
  if (amountMinor <= 0n) throw invalidArgument("amount_minor", `must be positive, got ${amountMinor}`);
  if (fee < 0n || debit < 0n || fee + debit !== amountMinor) {
    throw invalidArgument(
      "amount_minor",
      `${amountMinor} must equal platform_fee_reversed ${fee} + seller_debit ${debit}, both at least 0`,
    );
  }
  return planOf(
    refundTransactionId(input.refundId),
    `refund ${input.refundId} of payment ${input.paymentId}`,
    currency,
    [
      [sellerPayable(input.sellerId, currency), "DEBIT", debit],
      [platformFeeRevenue(currency), "DEBIT", fee],
      [pspReceivable(currency), "CREDIT", amountMinor],
    ],
  );
}

export interface PayoutInput {
  payoutId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  /** The status the payout moved to: PENDING when it was requested. */
  status: "PENDING" | "PAID" | "FAILED";
}

/**
 * A payout of X, one posting per status: requested, Dr seller_payable:<seller> X, Cr payouts_in_transit X; paid,
 * Dr payouts_in_transit X, Cr bank:platform X; failed, Dr payouts_in_transit X, Cr seller_payable:<seller> X (the
 * wallet gets the amount back too).
 */
export function payoutPosting(input: PayoutInput): PostingPlan {
  requireId("payout_id", input.payoutId);
  requireId("seller_id", input.sellerId);
  const currency = requireCurrency("currency", input.currency);
  const { payoutId, amountMinor } = input;
  if (amountMinor <= 0n) throw invalidArgument("amount_minor", `must be positive, got ${amountMinor}`);
  const payable = sellerPayable(input.sellerId, currency);
  const inTransit = payoutsInTransit(currency);
  const steps = {
    PENDING: ["requested", payable, inTransit],
    PAID: ["paid", inTransit, bankPlatform(currency)],
    FAILED: ["failed", inTransit, payable],
  } as const;
  const [step, from, to] = steps[input.status];
  return planOf(
    payoutTransactionId(payoutId, step),
    `payout ${payoutId} to seller ${input.sellerId} ${step}`,
    currency,
    [
      [from, "DEBIT", amountMinor],
      [to, "CREDIT", amountMinor],
    ],
  );
}

const DISPUTE_STEPS = { OPEN: "open", WON: "won", LOST: "lost" } as const;

export interface DisputeInput {
  disputeId: string;
  paymentId: string;
  currency: string;
  status: "OPEN" | "WON" | "LOST";
  /** Each seller's part of the disputed amount; they add up to it. */
  shares: { sellerId: string; amountMinor: bigint }[];
}

/**
 * A dispute of D, one posting per status: opened, each seller's share is withheld (Dr seller_payable:<seller>,
 * Cr disputed_funds D); won, given back (Dr disputed_funds D, Cr seller_payable:<seller>); lost, written off: the
 * buyer's bank kept the money the PSP owed us (Dr disputed_funds D, Cr psp_receivable D).
 */
export function disputePosting(input: DisputeInput): PostingPlan {
  requireId("dispute_id", input.disputeId);
  const currency = requireCurrency("currency", input.currency);
  if (input.shares.length === 0) throw invalidArgument("shares", "must not be empty");
  const bySeller = new Map<string, bigint>();
  for (const { sellerId, amountMinor } of input.shares) {
    requireId("shares.seller_id", sellerId);
    if (amountMinor <= 0n) throw invalidArgument("shares.amount_minor", `must be positive, got ${amountMinor}`);
    bySeller.set(sellerId, (bySeller.get(sellerId) ?? 0n) + amountMinor);
  }
  const total = [...bySeller.values()].reduce((sum, a) => sum + a, 0n);
  const sellers = (direction: Direction) =>
    [...bySeller].map(([sellerId, a]): [Account, Direction, bigint] => [
      sellerPayable(sellerId, currency),
      direction,
      a,
    ]);
  const held = disputedFunds(currency);
  const lines: Record<DisputeInput["status"], [Account, Direction, bigint][]> = {
    OPEN: [...sellers("DEBIT"), [held, "CREDIT", total]],
    WON: [[held, "DEBIT", total], ...sellers("CREDIT")],
    LOST: [
      [held, "DEBIT", total],
      [pspReceivable(currency), "CREDIT", total],
    ],
  };
  const step = DISPUTE_STEPS[input.status];
  return planOf(
    disputeTransactionId(input.disputeId, step),
    `dispute ${input.disputeId} on payment ${input.paymentId} ${step}`,
    currency,
    lines[input.status],
  );
}
