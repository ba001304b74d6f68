export type DeclineCode =
  | "generic_decline"
  | "insufficient_funds"
  | "expired_card"
  | "incorrect_cvc"
  | "authentication_failed"
  | "fraudulent";

export type PendingReason = "three_d_secure" | "manual_review";

/** What happens later to a payment made with the card: its refunds fail, or it gets disputed once captured. */
export type CardQuirk = "refund_fails" | "disputed";

export type CardOutcome =
  | { kind: "succeed"; quirk?: CardQuirk }
  | { kind: "decline"; declineCode: DeclineCode }
  | { kind: "pending"; reason: PendingReason };

/** Stripe's test card numbers; any other Luhn-valid number succeeds. */
const TEST_CARDS: ReadonlyMap<string, CardOutcome> = new Map<string, CardOutcome>([
  ["4242424242424242", { kind: "succeed" }],
  ["4000000000000002", { kind: "decline", declineCode: "generic_decline" }],
  ["4000000000009995", { kind: "decline", declineCode: "insufficient_funds" }],
  ["4000000000000069", { kind: "decline", declineCode: "expired_card" }],
  ["4000000000000127", { kind: "decline", declineCode: "incorrect_cvc" }],
  ["4000000000003220", { kind: "pending", reason: "three_d_secure" }],
  ["4000000000004954", { kind: "pending", reason: "manual_review" }],
  ["4000000000005126", { kind: "succeed", quirk: "refund_fails" }],
  ["4000000000000259", { kind: "succeed", quirk: "disputed" }],
]);

const BRANDS: ReadonlyArray<[brand: string, prefix: RegExp]> = [
  ["visa", /^4/],
  ["mastercard", /^(5[1-5]|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/],
  ["amex", /^3[47]/],
  ["discover", /^(6011|64[4-9]|65)/],
  ["diners", /^3(0[0-5]|[689])/],
  ["jcb", /^35(2[89]|[3-8])/],
  ["unionpay", /^62/],
];

export function cardBrand(digits: string): string {
  return BRANDS.find(([, prefix]) => prefix.test(digits))?.[0] ?? "unknown";
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface CardForm {
  cardNumber: string;
  exp: string;
  cvc: string;
}

/** What survives validation: the full number is deliberately dropped here and never stored. */
export interface ValidCard {
  brand: string;
  last4: string;
  outcome: CardOutcome;
}

export type CardValidation = { ok: true; card: ValidCard } | { ok: false; field: keyof CardForm; message: string };

export function validateCard(form: CardForm, now: Date): CardValidation {
  const digits = form.cardNumber.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
    return { ok: false, field: "cardNumber", message: "Your card number is invalid." };
  }
  const exp = /^(\d{2})\s*\/\s*(\d{2})$/.exec(form.exp.trim());
  const month = Number(exp?.[1]);
  if (!exp || month < 1 || month > 12) {
    return { ok: false, field: "exp", message: "Your card's expiration date is invalid. Use MM/YY." };
  }
  // A card is valid through the last day of its expiry month, so compare (year, month) pairs.
  const year = 2000 + Number(exp[2]);
  if (year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) {
    return { ok: false, field: "exp", message: "Your card's expiration date is in the past." };
  }
  if (!/^\d{3,4}$/.test(form.cvc.trim())) {
    return { ok: false, field: "cvc", message: "Your card's security code is invalid." };
  }
  return {
    ok: true,
    card: { brand: cardBrand(digits), last4: digits.slice(-4), outcome: TEST_CARDS.get(digits) ?? { kind: "succeed" } },
  };
}
