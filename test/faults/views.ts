import type { PaymentObject } from "../../psp-simulator/payments.js";
import type { PayoutObject } from "../../psp-simulator/payouts.js";
import type { RefundObject } from "../../psp-simulator/refunds.js";
import type { DeliveryView } from "../../psp-simulator/webhooks.js";
import { PaymentStatus, RefundStatus, type Payment, type Refund } from "../../gen/payment/v1/payment_pb.js";
import { PayoutStatus, type Payout } from "../../gen/wallet/v1/wallet_pb.js";
import type { ServiceClient } from "../support/clients.js";
import type { PspApi } from "../support/psp-api.js";

/** The statuses of a payment that was charged: refunds leave it charged, for less. */
export const CHARGED_STATUSES = [PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED];
export const FINAL_STATUSES = [...CHARGED_STATUSES, PaymentStatus.FAILED];
export const FINAL_REFUND_STATUSES = [RefundStatus.SUCCEEDED, RefundStatus.FAILED];
export const FINAL_PAYOUT_STATUSES = [PayoutStatus.PAID, PayoutStatus.FAILED];

/** Every payment the payment service has, page by page. */
export async function listOurPayments(payments: ServiceClient<"payment">): Promise<Payment[]> {
  const all: Payment[] = [];
  let pageToken = "";
  do {
    const page = await payments.listPayments({ pageSize: 100, pageToken });
    all.push(...page.payments);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

/** The refunds of each payment, oldest first. */
export async function listOurRefunds(payments: ServiceClient<"payment">, paymentIds: string[]): Promise<Refund[]> {
  const all: Refund[] = [];
  for (const paymentId of paymentIds) all.push(...(await payments.listRefunds({ paymentId })).refunds);
  return all;
}

/** Every payout of each seller, page by page. */
export async function listOurPayouts(wallet: ServiceClient<"wallet">, sellerIds: string[]): Promise<Payout[]> {
  const all: Payout[] = [];
  for (const sellerId of sellerIds) {
    let pageToken = "";
    do {
      const page = await wallet.listPayouts({ sellerId, pageSize: 100, pageToken });
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
