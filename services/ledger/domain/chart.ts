import { invalidArgument } from "../../lib/errors.js";
import { MAX_MINOR_UNITS } from "../../lib/money.js";
import { requireCurrency, requireId } from "../../lib/validate.js";
import type { Account, Direction } from "./account.js";
import { validatePosting, type Entry, type Posting, type PostingInput } from "./posting.js";

/**
 * The platform's chart of accounts (DESIGN.md, Ledger). Every code ends with its currency, since an account
 * holds one currency.
 */
export const pspReceivable = (currency: string): Account => ({ code: `psp_receivable:${currency}`, type: "ASSET", currency });
export const platformFeeRevenue = (currency: string): Account => ({ code: `platform_fee_revenue:${currency}`, type: "REVENUE", currency });
export const bankPlatform = (currency: string): Account => ({ code: `bank:platform:${currency}`, type: "ASSET", currency });
export const pspFeeExpense = (currency: string): Account => ({ code: `psp_fee_expense:${currency}`, type: "EXPENSE", currency });
/** Paid out of the sellers' balances, not yet out of the platform's bank account. */
export const payoutsInTransit = (currency: string): Account => ({ code: `payouts_in_transit:${currency}`, type: "LIABILITY", currency });
/** What the PSP settled beyond (or short of) what we booked, written off by finance: a loss when debited. */
export const reconciliationDifferences = (currency: string): Account => ({ code: `reconciliation_differences:${currency}`, type: "EXPENSE", currency });
/** Sellers' money withheld while a dispute is open. */
export const disputedFunds = (currency: string): Account => ({ code: `disputed_funds:${currency}`, type: "LIABILITY", currency });

export const SELLER_PAYABLE_PREFIX = "seller_payable:";

/** What the platform owes one seller. */
export const sellerPayable = (sellerId: string, currency: string): Account => ({
  code: `${SELLER_PAYABLE_PREFIX}${sellerId}:${currency}`,
  type: "LIABILITY",
  currency,
});

/** The seller and currency of a seller_payable code; undefined for any other code. Seller ids may contain ':'. */
export function sellerOfPayable(code: string): { sellerId: string; currency: string } | undefined {
  if (!code.startsWith(SELLER_PAYABLE_PREFIX)) return undefined;
  const separator = code.lastIndexOf(":");
  const sellerId = code.slice(SELLER_PAYABLE_PREFIX.length, separator);
  const currency = code.slice(separator + 1);
  return sellerId === "" || currency === "" ? undefined : { sellerId, currency };
}

export interface PayInInput {
  paymentId: string;
  currency: string;
  /** The platform fee of each order is computed upstream, by the payment service. */
  orders: { sellerId: string; amountMinor: bigint; platformFeeMinor: bigint }[];
}

/** A posting and the accounts it needs open. */
export interface PostingPlan {
  posting: Posting;
  accounts: Account[];
}

function validatePayIn(input: PayInInput): void {
  requireId("payment_id", input.paymentId);
  requireCurrency("currency", input.currency);
  if (input.orders.length === 0) throw invalidArgument("orders", "must contain at least one order");
  input.orders.forEach((order, i) => {
    requireId(`orders[${i}].seller_id`, order.sellerId);
    if (order.amountMinor <= 0n) throw invalidArgument(`orders[${i}].amount_minor`, `must be positive, got ${order.amountMinor}`);
    if (order.platformFeeMinor < 0n || order.platformFeeMinor > order.amountMinor) {
      throw invalidArgument(`orders[${i}].platform_fee_minor`, `must be between 0 and the order amount ${order.amountMinor}, got ${order.platformFeeMinor}`);
    }
  });
}

type Line = [Account, Direction, bigint];

/** Entries are strictly positive: zero amounts are left out. */
const nonZero = (lines: Line[]): Line[] => lines.filter(([, , amountMinor]) => amountMinor !== 0n);

const entriesOf = (currency: string, lines: Line[]): Entry[] =>
  lines.map(([account, direction, amountMinor]): Entry => ({ accountCode: account.code, direction, amount: { amountMinor, currency } }));

/** The posting of `lines`, zero amounts left out, with the accounts it needs open. */
function planOf(transactionId: string, description: string, currency: string, lines: Line[]): PostingPlan {
  const kept = nonZero(lines);
  return { posting: { transactionId, description, entries: entriesOf(currency, kept) }, accounts: kept.map(([account]) => account) };
}

/** One line per account from its net move (debit minus credit): a debit when positive, a credit when negative. */
const netLines = (moves: [Account, bigint][]): Line[] => moves.map(([account, amount]) => (amount >= 0n ? [account, "DEBIT", amount] : [account, "CREDIT", -amount]));

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
    netBySeller.set(order.sellerId, (netBySeller.get(order.sellerId) ?? 0n) + order.amountMinor - order.platformFeeMinor);
  }
  if (total > MAX_MINOR_UNITS) throw invalidArgument("orders", "the total of the orders is too large");
  return planOf(`payin:${input.paymentId}`, `pay-in of payment ${input.paymentId}`, currency, [
    [pspReceivable(currency), "DEBIT", total],
    ...[...netBySeller].map(([sellerId, net]): [Account, Direction, bigint] => [sellerPayable(sellerId, currency), "CREDIT", net]),
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
    throw invalidArgument("amount_minor", `${amountMinor} must equal platform_fee_reversed ${fee} + seller_debit ${debit}, both at least 0`);
  }
  return planOf(`refund:${input.refundId}`, `refund ${input.refundId} of payment ${input.paymentId}`, currency, [
    [sellerPayable(input.sellerId, currency), "DEBIT", debit],
    [platformFeeRevenue(currency), "DEBIT", fee],
    [pspReceivable(currency), "CREDIT", amountMinor],
  ]);
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
  return planOf(`payout:${payoutId}:${step}`, `payout ${payoutId} to seller ${input.sellerId} ${step}`, currency, [
    [from, "DEBIT", amountMinor],
    [to, "CREDIT", amountMinor],
  ]);
}

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
  const sellers = (direction: Direction) => [...bySeller].map(([sellerId, a]): [Account, Direction, bigint] => [sellerPayable(sellerId, currency), direction, a]);
  const held = disputedFunds(currency);
  const lines: Record<DisputeInput["status"], [Account, Direction, bigint][]> = {
    OPEN: [...sellers("DEBIT"), [held, "CREDIT", total]],
    WON: [[held, "DEBIT", total], ...sellers("CREDIT")],
    LOST: [
      [held, "DEBIT", total],
      [pspReceivable(currency), "CREDIT", total],
    ],
  };
  const step = input.status.toLowerCase();
  return planOf(`dispute:${input.disputeId}:${step}`, `dispute ${input.disputeId} on payment ${input.paymentId} ${step}`, currency, lines[input.status]);
}

/** What one settlement file moved in one currency, per kind of matched line, in minor units (see settlementPosting). */
export interface SettlementTotals {
  /** Charges: what the buyers paid (gross) and what the PSP kept of it (fee). */
  chargesGross: bigint;
  chargesFee: bigint;
  refunds: bigint;
  chargebacks: bigint;
  chargebackReversals: bigint;
  disputeFees: bigint;
}

export const NO_SETTLEMENT: SettlementTotals = { chargesGross: 0n, chargesFee: 0n, refunds: 0n, chargebacks: 0n, chargebackReversals: 0n, disputeFees: 0n };

export interface SettlementInput {
  /** The settlement day, YYYY-MM-DD. */
  date: string;
  currency: string;
  /** 1 for the day's first posting in the currency; a later run of the day posts only what changed, as the next one. */
  sequence: number;
  /** Signed: a later run may settle less than an earlier one did. */
  totals: SettlementTotals;
}

const SETTLEMENT_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The PSP settles the matched lines of a day's file (DESIGN.md: gross A with fee P, Dr bank:platform A-P, Dr
 * psp_fee_expense P, Cr psp_receivable A), one posting per currency rather than per line: charges Dr bank net,
 * Dr psp_fee_expense fee, Cr psp_receivable gross; refunds and chargebacks Dr psp_receivable, Cr bank; reversals Dr
 * bank, Cr psp_receivable; dispute fees Dr psp_fee_expense, Cr bank. Payouts hit the bank when paid, so they add
 * nothing. Each account gets one entry, the net of those moves (a debit or a credit by its sign); undefined when
 * nothing moves. Id `settlement:<date>:<currency>:<sequence>`.
 */
export function settlementPosting(input: SettlementInput): PostingPlan | undefined {
  if (!SETTLEMENT_DATE.test(input.date)) throw invalidArgument("date", `must be YYYY-MM-DD, got "${input.date}"`);
  const currency = requireCurrency("currency", input.currency);
  if (!Number.isSafeInteger(input.sequence) || input.sequence < 1) throw invalidArgument("sequence", `must be a positive integer, got ${input.sequence}`);
  const t = input.totals;
  // Debit minus credit per account; they add up to zero.
  const moves: [Account, bigint][] = [
    [bankPlatform(currency), t.chargesGross - t.chargesFee - t.refunds - t.chargebacks + t.chargebackReversals - t.disputeFees],
    [pspFeeExpense(currency), t.chargesFee + t.disputeFees],
    [pspReceivable(currency), t.refunds + t.chargebacks - t.chargesGross - t.chargebackReversals],
  ];
  if (moves.every(([, amount]) => amount === 0n)) return undefined;
  const breakdown = Object.entries(t)
    .filter(([, amount]) => amount !== 0n)
    .map(([kind, amount]) => `${kind} ${amount}`)
    .join(", ");
  return planOf(
    `settlement:${input.date}:${currency}:${input.sequence}`,
    `PSP settlement of ${input.date} in ${currency} (${breakdown})`,
    currency,
    netLines(moves),
  );
}

export interface AdjustmentInput {
  /** The reconciliation exception it corrects; one adjustment per exception. */
  exceptionId: string;
  operatorId: string;
  reason: string;
  entries: PostingInput["entries"];
}

export const MAX_ADJUSTMENT_REASON_LENGTH = 500;

/**
 * A person's correction of a reconciliation exception: the entries they chose, under id `adjustment:<exception id>`,
 * with who and why in the description (the journal is the audit trail: the posting can never change).
 */
export function adjustmentPosting(input: AdjustmentInput): Posting {
  requireId("exception_id", input.exceptionId);
  requireId("operator_id", input.operatorId);
  const reason = input.reason.trim();
  if (reason === "") throw invalidArgument("reason", "is required: say why the books are corrected");
  if (reason.length > MAX_ADJUSTMENT_REASON_LENGTH) {
    throw invalidArgument("reason", `must be at most ${MAX_ADJUSTMENT_REASON_LENGTH} characters, got ${reason.length}`);
  }
  return validatePosting({
    transactionId: `adjustment:${input.exceptionId}`,
    description: `adjustment of reconciliation exception ${input.exceptionId} by ${input.operatorId}: ${reason}`,
    entries: input.entries,
  });
}

export interface SettleAsReportedInput {
  exceptionId: string;
  operatorId: string;
  reason: string;
  lineType: "charge" | "refund" | "payout" | "chargeback" | "chargeback_reversal";
  currency: string;
  /** |gross| and fee of the PSP's line. */
  reportedMinor: bigint;
  reportedFeeMinor: bigint;
  /** What the ledger booked on the PSP's side. */
  bookedMinor: bigint;
}

/**
 * The standard correction of an amount mismatch: settle the line as the PSP reported it and write the difference off.
 * Money in (charge, reversal): Dr bank:platform reported - fee, Dr psp_fee_expense fee, Cr psp_receivable booked;
 * money out (refund, chargeback): Dr psp_receivable booked, Cr bank:platform reported; a payout already left the bank
 * as booked: Cr bank:platform the difference. The difference (reported - booked) goes to reconciliation_differences:
 * credited when the PSP brought in more or sent out less than booked, debited otherwise. Id `adjustment:<exception id>`.
 */
export function settleAsReportedPosting(input: SettleAsReportedInput): PostingPlan {
  const currency = requireCurrency("currency", input.currency);
  const { reportedMinor: reported, reportedFeeMinor: fee, bookedMinor: booked } = input;
  if (reported < 0n || fee < 0n || booked < 0n) throw invalidArgument("amounts", "reported, fee and booked amounts must not be negative");
  const difference = reported - booked;
  const moneyIn = input.lineType === "charge" || input.lineType === "chargeback_reversal";
  // Debit minus credit per account; they add up to zero.
  const moves: [Account, bigint][] =
    input.lineType === "payout"
      ? [
          [bankPlatform(currency), -difference],
          [reconciliationDifferences(currency), difference],
        ]
      : moneyIn
        ? [
            [bankPlatform(currency), reported - fee],
            [pspFeeExpense(currency), fee],
            [pspReceivable(currency), -booked],
            [reconciliationDifferences(currency), -difference],
          ]
        : [
            [pspReceivable(currency), booked],
            [bankPlatform(currency), -reported],
            [reconciliationDifferences(currency), difference],
          ];
  const lines = nonZero(netLines(moves));
  const posting = adjustmentPosting({ exceptionId: input.exceptionId, operatorId: input.operatorId, reason: input.reason, entries: entriesOf(currency, lines) });
  return { posting, accounts: lines.map(([account]) => account) };
}
