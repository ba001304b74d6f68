import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { ExceptionStatus, LineClass } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { requestPayout, waitForPayout } from "../payouts/payout-calls.js";
import { sampleCheckout, usd } from "../support/checkouts.js";
import type { ServiceClient } from "../support/clients.js";
import type { PlatformUnderTest } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

/** Money moved through the running platform, and the reconciliation service's API, for reconciliation tests. */

export interface PaidPayment {
  paymentId: string;
  pspPaymentId: string;
}

/** A two-order checkout of 35.00 USD paid with the success card; resolves once the ledger booked it. */
export async function paidPayment(under: PlatformUnderTest): Promise<PaidPayment> {
  const payments = under.client("payment", "marketplace");
  const { payment } = await payments.createPayment(sampleCheckout());
  await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success);
  await waitForTransaction(under, `payin:${payment!.paymentId}`);
  const { payment: paid } = await payments.getPayment({ paymentId: payment!.paymentId });
  return { paymentId: paid!.paymentId, pspPaymentId: paid!.pspPaymentId };
}

/** Waits until the ledger has the transaction, and returns it. */
export const waitForTransaction = (under: PlatformUnderTest, transactionId: string) =>
  waitFor(
    () =>
      under
        .client("ledger", "operator-tools")
        .getTransaction({ transactionId })
        .then(
          (r) => r.transaction,
          () => undefined,
        ),
    (t) => t !== undefined,
    15_000,
    `ledger transaction ${transactionId}`,
  );

export const newId = (prefix: string) => `${prefix}-${randomUUID()}`;

export interface Refund {
  refundId: string;
  pspRefundId: string;
}

/** Refunds `amountMinor` USD cents of the payment's first order (order-1); the ledger books it on the webhook. */
export async function refund(under: PlatformUnderTest, payment: PaidPayment, amountMinor: number): Promise<Refund> {
  const refundId = newId("rf");
  const { refund } = await under
    .client("payment", "marketplace")
    .refundPayment({ refundId, paymentId: payment.paymentId, orderId: "order-1", amount: usd(amountMinor) });
  return { refundId, pspRefundId: refund!.pspRefundId };
}

export interface Payout {
  payoutId: string;
  pspPayoutId: string;
}

/** Pays `amountMinor` USD cents out to the seller (who has a payout account); resolves once the ledger booked it paid. */
export async function paidOut(under: PlatformUnderTest, sellerId: string, amountMinor: number): Promise<Payout> {
  const payoutId = newId("po");
  await requestPayout(under.platform, payoutId, sellerId, amountMinor);
  const { pspPayoutId } = await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
  await waitForTransaction(under, `payout:${payoutId}:paid`);
  return { payoutId, pspPayoutId };
}

export async function pspPost(under: PlatformUnderTest, path: string, body: object = {}) {
  const res = await under.platform.pspApi(path, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PSP POST ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** The platform's reconciliation service as operator tools. */
export const reconciliation = (under: PlatformUnderTest): ServiceClient<"reconciliation"> =>
  under.client("reconciliation", "operator-tools");

/** The platform's reconciliation service as the console, which adjusts on behalf of an operator (onBehalfOf): adjustments are a person's decision. */
export const reconciliationAsConsole = (under: PlatformUnderTest): ServiceClient<"reconciliation"> =>
  under.client("reconciliation", "console");

/** An exception's line class as the run's report names it, e.g. "balance_break". */
export const classOf = (e: { lineClass: LineClass }) => LineClass[e.lineClass].toLowerCase();

/** Every exception of a run, keyed "<class> <line type> <psp reference or ledger transaction>". */
export async function exceptionsOf(under: PlatformUnderTest, runId: bigint) {
  return (await reconciliation(under).listExceptions({ runId, pageSize: 500 })).exceptions;
}

/**
 * Reconciles `date` against a settlement file with one charge (5.00 USD) of a payment we never heard of; resolves with
 * the open missing_in_ledger exception this leaves, as ListExceptions returns it.
 */
export async function openExceptionForUnknownCharge(under: PlatformUnderTest, date = "2024-02-01") {
  const file = `settlement-${date}.csv`;
  writeFileSync(
    join(under.platform.settlementDir, file),
    `${SETTLEMENT_HEADER}\npi_ghost,pay_ghost,charge,500,15,485,USD,${date}T10:00:00.000Z\n`,
  );
  const { run } = await reconciliation(under).runReconciliation({ date, filePath: file });
  const { exceptions } = await reconciliation(under).listExceptions({
    runId: run!.runId,
    status: ExceptionStatus.OPEN,
  });
  return exceptions[0]!;
}
