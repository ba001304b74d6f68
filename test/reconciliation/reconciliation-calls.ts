import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout } from "../support/checkouts.js";
import { grpcJsClient, onBehalfOf, unary } from "../support/grpc-js.js";
import type { PlatformUnderTest } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

/** Money moved through the running platform, and the reconciliation service's API, for reconciliation tests. */

export interface PaidPayment {
  paymentId: string;
  pspPaymentId: string;
}

/** A two-order checkout of 35.00 USD paid with the success card; resolves once the ledger booked it. */
export async function paidPayment(under: PlatformUnderTest): Promise<PaidPayment> {
  const { payment } = await unary(under.payments, "createPayment", sampleCheckout());
  await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
  await waitForTransaction(under, `payin:${payment.paymentId}`);
  const { payment: paid } = await unary(under.payments, "getPayment", { paymentId: payment.paymentId });
  return { paymentId: paid.paymentId, pspPaymentId: paid.pspPaymentId };
}

/** Waits until the ledger has the transaction, and returns it. */
export const waitForTransaction = (under: PlatformUnderTest, transactionId: string) =>
  waitFor(
    () => unary(under.ledger, "getTransaction", { transactionId }).then((r) => r.transaction, () => undefined),
    (t) => t !== undefined,
    15_000,
    `ledger transaction ${transactionId}`,
  );

export const newId = (prefix: string) => `${prefix}-${randomUUID()}`;

export async function pspPost(under: PlatformUnderTest, path: string, body: object = {}) {
  const res = await under.platform.pspApi(path, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PSP POST ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * One unary call to the platform's reconciliation service, as operator tools, or as the console on behalf of
 * `operator` (adjustments are a person's decision).
 */
export async function reconciliationCall<T = any>(under: PlatformUnderTest, method: string, request: object = {}, operator?: string): Promise<T> {
  const identity = operator === undefined ? "operator-tools" : "console";
  const client = grpcJsClient("reconciliation/v1/reconciliation.proto", "reconciliation.v1.ReconciliationService", under.platform.reconciliation.url, identity);
  try {
    return await unary<T>(client, method, request, operator === undefined ? undefined : onBehalfOf(operator));
  } finally {
    client.close();
  }
}

/** Every exception of a run, keyed "<class> <line type> <psp reference or ledger transaction>". */
export async function exceptionsOf(under: PlatformUnderTest, runId: string) {
  const { exceptions } = await reconciliationCall(under, "listExceptions", { runId, pageSize: 500 });
  return exceptions as any[];
}

/**
 * Reconciles `date` against a settlement file with one charge (5.00 USD) of a payment we never heard of; resolves with
 * the open missing_in_ledger exception this leaves, as ListExceptions returns it.
 */
export async function openExceptionForUnknownCharge(under: PlatformUnderTest, date = "2024-02-01") {
  const file = `settlement-${date}.csv`;
  writeFileSync(join(under.platform.settlementDir, file), `${SETTLEMENT_HEADER}\npi_ghost,pay_ghost,charge,500,15,485,USD,${date}T10:00:00.000Z\n`);
  const { run } = await reconciliationCall(under, "runReconciliation", { date, filePath: file });
  const { exceptions } = await reconciliationCall(under, "listExceptions", { runId: run.runId, status: "EXCEPTION_STATUS_OPEN" });
  return exceptions[0];
}
