import { createLogger } from "../../../lib/log.js";
import type { LedgerTransaction } from "../../domain/matching.js";
import { defaultReconciliationConfig, Reconciliation } from "../reconciliation.js";
import { InMemoryLedger } from "./in-memory-ledger.js";
import { InMemoryRecords } from "./in-memory-records.js";
import { FakePayments, FakePsp, InMemorySettlementFiles } from "./settlement-files.js";

/** The ledger's pay-in of `paymentId`: `amountMinor` on psp_receivable, posted at `postedAt`. */
export const bookedPayin = (
  paymentId: string,
  amountMinor: bigint,
  postedAt: string,
  currency = "EUR",
): LedgerTransaction => ({
  transactionId: `payin:${paymentId}`,
  description: `pay-in of ${paymentId}`,
  postedAt: new Date(postedAt),
  entries: [
    { accountCode: `psp_receivable:${currency}`, direction: "DEBIT", amount: { amountMinor, currency } },
    { accountCode: `seller_payable:seller_a:${currency}`, direction: "CREDIT", amount: { amountMinor, currency } },
  ],
});

/** A Reconciliation on in-memory ports, in batches of two lines. */
export function inMemoryReconciliation() {
  const ports = {
    records: new InMemoryRecords(),
    ledger: new InMemoryLedger(),
    files: new InMemorySettlementFiles(),
    psp: new FakePsp(),
    payments: new FakePayments(),
  };
  const reconciliation = new Reconciliation({
    ...ports,
    store: ports.records,
    config: { ...defaultReconciliationConfig, batchSize: 2, concurrency: 2 },
    log: createLogger("reconciliation-test"),
  });
  return { ...ports, reconciliation };
}
