import { randomUUID } from "node:crypto";
import { PaymentStatus, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { answerThreeDSecure, payOnHostedPage, TEST_CARDS, type PageResult } from "../../scripts/buyer.js";
import { usd } from "../support/checkouts.js";
import type { PspApi } from "../support/psp-api.js";

/** What a buyer does on the PSP's hosted page, and how the payment must end. */
export const JOURNEYS = {
  success: PaymentStatus.SUCCEEDED,
  decline: PaymentStatus.FAILED,
  "3ds-approve": PaymentStatus.SUCCEEDED,
  "3ds-deny": PaymentStatus.FAILED,
  "review-approve": PaymentStatus.SUCCEEDED,
  "review-reject": PaymentStatus.FAILED,
} as const;

export type Journey = keyof typeof JOURNEYS;

/** One round of checkouts: every journey, the plain success three times, as in a real mix. */
export const JOURNEY_MIX: Journey[] = [
  "success",
  "decline",
  "3ds-approve",
  "success",
  "3ds-deny",
  "review-approve",
  "success",
  "review-reject",
];

const SELLERS = ["seller-books", "seller-games", "seller-music", "seller-garden", "seller-tools"];

export interface Checkout {
  journey: Journey;
  /** A CreatePaymentRequest, sent as it is on every retry. */
  request: {
    checkoutId: string;
    buyerId: string;
    buyerCountry: string;
    orders: { orderId: string; sellerId: string; amount: { amountMinor: bigint; currency: string } }[];
  };
}

/**
 * A checkout of one to three orders for different `sellers`, with a buyer of its own (risk velocity is per buyer), its
 * amounts drawn from `random`.
 */
export function newCheckout(
  journey: Journey,
  index: number,
  sellers: string[] = SELLERS,
  random: () => number = Math.random,
): Checkout {
  const orders = Array.from({ length: 1 + (index % 3) }, (_, i) => ({
    orderId: `order-${i + 1}`,
    sellerId: sellers[(index + i) % sellers.length]!,
    amount: usd(100 + Math.floor(random() * 99_900)),
  }));
  return {
    journey,
    request: { checkoutId: `cart-${randomUUID()}`, buyerId: `buyer-${randomUUID()}`, buyerCountry: "US", orders },
  };
}

/** The parts of a payment that the buyer needs. */
export type CreatedPayment = Pick<Payment, "paymentId" | "hostedPageUrl" | "pspPaymentId">;

/** The PSP's manual review desk. */
export type PspReview = (pspPaymentId: string, outcome: "approve" | "reject") => Promise<void>;

/** The simulator's review desk, through its test helper. */
export function pspReviewDesk(pspApi: PspApi): PspReview {
  return async (pspPaymentId, outcome) => {
    const res = await pspApi(`/v1/test_helpers/payments/${pspPaymentId}/review`, {
      method: "POST",
      body: JSON.stringify({ outcome }),
    });
    if (res.status !== 200)
      throw new Error(`PSP review of ${pspPaymentId} answered HTTP ${res.status}: ${await res.text()}`);
  };
}

function expectPage(page: PageResult, status: string): PageResult {
  if (page.status !== status)
    throw new Error(`the hosted page ${page.url} says ${page.status ?? `HTTP ${page.httpStatus}`}, expected ${status}`);
  return page;
}

/** The buyer's part of a checkout that CreatePayment returned: pays on the hosted page, authenticates, or is reviewed. */
export async function buyerPays(journey: Journey, payment: CreatedPayment, review: PspReview): Promise<void> {
  const pay = (card: string) => payOnHostedPage(payment.hostedPageUrl, card);
  switch (journey) {
    case "success":
      expectPage(await pay(TEST_CARDS.success), "succeeded");
      return;
    case "decline":
      expectPage(await pay(TEST_CARDS.declined), "failed");
      return;
    case "3ds-approve":
    case "3ds-deny": {
      const challenge = await pay(TEST_CARDS.threeDSecure);
      const outcome = journey === "3ds-approve" ? "approve" : "deny";
      expectPage(await answerThreeDSecure(challenge, outcome), outcome === "approve" ? "succeeded" : "failed");
      return;
    }
    case "review-approve":
    case "review-reject":
      expectPage(await pay(TEST_CARDS.manualReview), "processing");
      await review(payment.pspPaymentId, journey === "review-approve" ? "approve" : "reject");
  }
}
