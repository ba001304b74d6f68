import type { PaymentObject } from "../../psp-simulator/payments.js";
import type { PayoutObject } from "../../psp-simulator/payouts.js";
import type { RefundObject } from "../../psp-simulator/refunds.js";
import type { DeliveryView } from "../../psp-simulator/webhooks.js";
import { unary, type GrpcJsClient } from "../support/grpc-js.js";
import type { PspApi } from "../support/psp-api.js";

/** A payment as our ListPayments returns it over grpc-js (enums by name, int64 as strings). */
export interface OurPayment {
  paymentId: string;
  checkoutId: string;
  status: string;
  pspPaymentId: string;
  total: { amountMinor: string; currency: string };
  orders: { orderId: string; sellerId: string; amount: { amountMinor: string; currency: string }; status: string }[];
}

/** The statuses of a payment that was charged: refunds leave it charged, for less. */
export const CHARGED_STATUSES = [
  "PAYMENT_STATUS_SUCCEEDED",
  "PAYMENT_STATUS_PARTIALLY_REFUNDED",
  "PAYMENT_STATUS_REFUNDED",
];
export const FINAL_STATUSES = [...CHARGED_STATUSES, "PAYMENT_STATUS_FAILED"];

/** A refund as our ListRefunds returns it over grpc-js. */
export interface OurRefund {
  refundId: string;
  paymentId: string;
  orderId: string;
  sellerId: string;
  amount: { amountMinor: string; currency: string };
  platformFeeReversed: { amountMinor: string; currency: string };
  sellerDebit: { amountMinor: string; currency: string };
  status: string;
  pspRefundId: string;
}

export const FINAL_REFUND_STATUSES = ["REFUND_STATUS_SUCCEEDED", "REFUND_STATUS_FAILED"];

/** A payout as the wallet's ListPayouts returns it over grpc-js. */
export interface OurPayout {
  payoutId: string;
  sellerId: string;
  amount: { amountMinor: string; currency: string };
  status: string;
  pspPayoutId: string;
}

export const FINAL_PAYOUT_STATUSES = ["PAYOUT_STATUS_PAID", "PAYOUT_STATUS_FAILED"];

/** Every payment the payment service has, page by page. */
export async function listOurPayments(payments: GrpcJsClient): Promise<OurPayment[]> {
  const all: OurPayment[] = [];
  let pageToken = "";
  do {
    const page = await unary(payments, "listPayments", { pageSize: 100, pageToken });
    all.push(...page.payments);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

/** The refunds of each payment, oldest first. */
export async function listOurRefunds(payments: GrpcJsClient, paymentIds: string[]): Promise<OurRefund[]> {
  const all: OurRefund[] = [];
  for (const paymentId of paymentIds) all.push(...(await unary(payments, "listRefunds", { paymentId })).refunds);
  return all;
}

/** Every payout of each seller, page by page. */
export async function listOurPayouts(wallet: GrpcJsClient, sellerIds: string[]): Promise<OurPayout[]> {
  const all: OurPayout[] = [];
  for (const sellerId of sellerIds) {
    let pageToken = "";
    do {
      const page = await unary(wallet, "listPayouts", { sellerId, pageSize: 100, pageToken });
      all.push(...page.payouts);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
  }
  return all;
}

async function pspList<T>(pspApi: PspApi, path: string): Promise<T[]> {
  const res = await pspApi(path);
  if (!res.ok) throw new Error(`PSP GET ${path} answered HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()).data;
}

/** Every payment at the PSP, whoever created it. */
export const listPspPayments = (pspApi: PspApi) => pspList<PaymentObject>(pspApi, "/v1/payments");

/** Every refund at the PSP; ours carry our refund_id in their metadata. */
export const listPspRefunds = (pspApi: PspApi) => pspList<RefundObject>(pspApi, "/v1/refunds");

/** Every payout at the PSP; ours have our payout_id as their reference. */
export const listPspPayouts = (pspApi: PspApi) => pspList<PayoutObject>(pspApi, "/v1/payouts");

/** Every webhook delivery the PSP made or dropped, in the order the events were published. */
export const listWebhookDeliveries = (pspApi: PspApi) =>
  pspList<DeliveryView>(pspApi, "/v1/test_helpers/webhook_deliveries");
