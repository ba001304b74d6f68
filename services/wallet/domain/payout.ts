import { alreadyExists, failedPrecondition, invalidArgument, type DomainError } from "../../lib/errors.js";
import { formatMoney, type Money } from "../../lib/money.js";
import { requireId, requirePositiveMoney } from "../../lib/validate.js";

/** PENDING -> PAID | FAILED; a failed payout's amount returns to the balance. */
export const PAYOUT_STATUSES = ["PENDING", "PAID", "FAILED"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export interface PayoutFailure {
  code: string;
  message: string;
}

export interface Payout {
  payoutId: string;
  sellerId: string;
  amount: Money;
  status: PayoutStatus;
  /** The seller's payout account when the payout was requested. */
  destination: string;
  pspPayoutId?: string;
  failure?: PayoutFailure;
  createdAt: Date;
  updatedAt: Date;
}

export interface PayoutRequest {
  payoutId: string;
  sellerId: string;
  amount: Money;
}

/** A payout reaches PAID or FAILED once; until then it is PENDING. */
export type PayoutOutcome = { status: "PAID" } | { status: "FAILED"; failure: PayoutFailure };

/** The PSP's limit on a destination. */
export const MAX_DESTINATION_LENGTH = 255;

export function validatePayoutRequest(input: {
  payoutId: string;
  sellerId: string;
  amount: Money | undefined;
}): PayoutRequest {
  return {
    payoutId: requireId("payout_id", input.payoutId),
    sellerId: requireId("seller_id", input.sellerId),
    amount: requirePositiveMoney("amount", input.amount),
  };
}

export function requireDestination(field: string, destination: string): string {
  if (destination === "") throw invalidArgument(field, "is required: the seller's bank account id at the PSP");
  if (destination.length > MAX_DESTINATION_LENGTH) {
    throw invalidArgument(field, `must be at most ${MAX_DESTINATION_LENGTH} characters, got ${destination.length}`);
  }
  return destination;
}

/** The payout already under `request.payoutId` answers the request only if it is the same request. */
export function sameRequestOrConflict(existing: Payout, request: PayoutRequest): Payout {
  const same =
    existing.sellerId === request.sellerId &&
    existing.amount.currency === request.amount.currency &&
    existing.amount.amountMinor === request.amount.amountMinor;
  if (same) return existing;
  throw alreadyExists(
    `payout_id "${existing.payoutId}" was already used for a payout of ${formatMoney(existing.amount)} to seller "${existing.sellerId}"; ` +
      "use a new payout_id for another payout",
  );
}

export function insufficientBalance(request: PayoutRequest, availableMinor: bigint): DomainError {
  const available = formatMoney({ amountMinor: availableMinor, currency: request.amount.currency });
  return failedPrecondition(
    `amount: ${formatMoney(request.amount)} is more than the ${available} available to seller "${request.sellerId}"`,
  );
}

export const noPayoutAccount = (sellerId: string): DomainError =>
  failedPrecondition(`seller "${sellerId}" has no payout account; set one with SetPayoutAccount first`);
