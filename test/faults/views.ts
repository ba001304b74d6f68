import type { PaymentObject } from "../../psp-simulator/payments.js";
import type { DeliveryView } from "../../psp-simulator/webhooks.js";
import { unary, type GrpcJsClient } from "../support/grpc-js.js";

/** A payment as our ListPayments returns it over grpc-js (enums by name, int64 as strings). */
export interface OurPayment {
  paymentId: string;
  checkoutId: string;
  status: string;
  pspPaymentId: string;
  total: { amountMinor: string; currency: string };
  orders: { orderId: string; sellerId: string; amount: { amountMinor: string; currency: string }; status: string }[];
}

export const FINAL_STATUSES = ["PAYMENT_STATUS_SUCCEEDED", "PAYMENT_STATUS_FAILED"];

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

export type PspApi = (path: string, init?: RequestInit) => Promise<Response>;

async function pspList<T>(pspApi: PspApi, path: string): Promise<T[]> {
  const res = await pspApi(path);
  if (!res.ok) throw new Error(`PSP GET ${path} answered HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()).data;
}

/** Every payment at the PSP, whoever created it. */
export const listPspPayments = (pspApi: PspApi) => pspList<PaymentObject>(pspApi, "/v1/payments");

/** Every webhook delivery the PSP made or dropped, in the order the events were published. */
export const listWebhookDeliveries = (pspApi: PspApi) => pspList<DeliveryView>(pspApi, "/v1/test_helpers/webhook_deliveries");
