import { formatMoney, type Money } from "../../lib/money.js";

export type Decision = "APPROVE" | "REVIEW" | "REJECT";

export interface Reason {
  code: string;
  message: string;
  decision: Exclude<Decision, "APPROVE">;
}

export interface Assessment {
  decision: Decision;
  reasons: Reason[];
}

export interface AmountLimit {
  /** Above this, a person reviews the payment. */
  review: bigint;
  /** Above this, the payment is refused. */
  reject: bigint;
}

export interface RiskRules {
  /** Per currency; a currency without a limit goes to review. */
  amountLimits: Record<string, AmountLimit>;
  velocity: {
    windowSeconds: number;
    /** More attempts than this in the window (this one included) are refused: card testing. */
    maxAttempts: number;
    /** Per currency: more than this charged in the window (this one included) goes to review. */
    maxSum: Record<string, bigint>;
  };
  /** ISO 3166-1 alpha-2 codes. */
  sanctionedCountries: string[];
}

// Per supported currency, in its minor units: review above about USD 5,000, reject above about USD 10,000.
const REVIEW_AND_REJECT: Record<string, [bigint, bigint]> = {
  USD: [500_000n, 1_000_000n],
  EUR: [500_000n, 1_000_000n],
  GBP: [400_000n, 800_000n],
  CHF: [450_000n, 900_000n],
  CAD: [700_000n, 1_400_000n],
  AUD: [750_000n, 1_500_000n],
  SEK: [5_000_000n, 10_000_000n],
  NOK: [5_000_000n, 10_000_000n],
  DKK: [3_500_000n, 7_000_000n],
  PLN: [2_000_000n, 4_000_000n],
  JPY: [750_000n, 1_500_000n],
  KRW: [7_000_000n, 14_000_000n],
  KWD: [1_500_000n, 3_000_000n],
  BHD: [1_900_000n, 3_800_000n],
};

export const defaultRiskRules: RiskRules = {
  amountLimits: Object.fromEntries(
    Object.entries(REVIEW_AND_REJECT).map(([currency, [review, reject]]) => [currency, { review, reject }]),
  ),
  velocity: {
    windowSeconds: 600,
    maxAttempts: 10,
    maxSum: Object.fromEntries(Object.entries(REVIEW_AND_REJECT).map(([currency, [, reject]]) => [currency, reject])),
  },
  sanctionedCountries: ["CU", "IR", "KP", "SY"],
};

export interface AssessmentInput {
  buyerId: string;
  buyerCountry: string;
  amount: Money;
}

/** What the store knows about the buyer, read under the buyer's lock. */
export interface BuyerHistory {
  blockedReason: string | undefined;
  /** Earlier assessments of this buyer inside the velocity window, whatever their outcome. */
  recentAttempts: number;
  /** Earlier approved or reviewed amounts of this buyer in the window, in the payment's currency. */
  recentSum: bigint;
}

const severity: Record<Decision, number> = { APPROVE: 0, REVIEW: 1, REJECT: 2 };

/** Applies every rule; the decision is the most severe one that fired. Pure: no I/O, no clock. */
export function assess(input: AssessmentInput, history: BuyerHistory, rules: RiskRules): Assessment {
  const reasons: Reason[] = [];
  const { amount } = input;

  if (history.blockedReason !== undefined) {
    reasons.push({
      code: "blocked_buyer",
      decision: "REJECT",
      message: `buyer ${input.buyerId} is blocked: ${history.blockedReason}`,
    });
  }
  if (rules.sanctionedCountries.includes(input.buyerCountry)) {
    reasons.push({
      code: "sanctioned_country",
      decision: "REJECT",
      message: `buyer country ${input.buyerCountry} is sanctioned`,
    });
  }

  const limit = rules.amountLimits[amount.currency];
  if (limit === undefined) {
    reasons.push({
      code: "no_amount_limit",
      decision: "REVIEW",
      message: `no amount limit is configured for ${amount.currency}`,
    });
  } else if (amount.amountMinor > limit.reject) {
    reasons.push({
      code: "amount_limit",
      decision: "REJECT",
      message: `${formatMoney(amount)} exceeds the limit of ${formatMoney({ amountMinor: limit.reject, currency: amount.currency })}`,
    });
  } else if (amount.amountMinor > limit.review) {
    reasons.push({
      code: "amount_review",
      decision: "REVIEW",
      message: `${formatMoney(amount)} exceeds the review threshold of ${formatMoney({ amountMinor: limit.review, currency: amount.currency })}`,
    });
  }

  const { velocity } = rules;
  const attempts = history.recentAttempts + 1;
  if (attempts > velocity.maxAttempts) {
    reasons.push({
      code: "velocity_count",
      decision: "REJECT",
      message: `${attempts} payment attempts in ${velocity.windowSeconds}s exceed the maximum of ${velocity.maxAttempts}`,
    });
  }
  const maxSum = velocity.maxSum[amount.currency];
  const sum = history.recentSum + amount.amountMinor;
  if (maxSum !== undefined && sum > maxSum) {
    reasons.push({
      code: "velocity_amount",
      decision: "REVIEW",
      message: `${formatMoney({ amountMinor: sum, currency: amount.currency })} in ${velocity.windowSeconds}s exceeds ${formatMoney({ amountMinor: maxSum, currency: amount.currency })}`,
    });
  }

  const decision = reasons.reduce<Decision>(
    (worst, r) => (severity[r.decision] > severity[worst] ? r.decision : worst),
    "APPROVE",
  );
  return { decision, reasons };
}
