import type { Readable } from "node:stream";
import type { Account } from "../../contracts/accounting/accounts.js";
import type { Posting } from "../../contracts/accounting/postings.js";
import type { LedgerTransaction, TransactionEntries } from "../domain/matching.js";

/** Which part of each transaction a lookup brings back: the entries on some accounts, and which fields. */
export interface LookupView {
  accountPrefixes: string[];
  fields: ("description" | "entries" | "posted_at")[];
}

/** The ledger, as reconciliation reads and posts to it (gRPC ledger.v1.LedgerService). */
export interface LedgerPort {
  /** Up to 1000 ids; those never posted are left out. Whole transactions unless a view narrows them. */
  lookupTransactions(transactionIds: string[], view?: LookupView): Promise<LedgerTransaction[]>;
  /** The entries on accounts with these prefixes of up to 1000 transactions; those never posted are left out. */
  lookupEntries(transactionIds: string[], accountPrefixes: string[]): Promise<TransactionEntries[]>;
  listTransactionIds(query: { postedFrom: Date; postedBefore: Date; idPrefixes: string[]; pageToken: string }): Promise<{ transactionIds: string[]; nextPageToken: string }>;
  openAccounts(accounts: Account[]): Promise<void>;
  /** Idempotent on the id; the ledger's refusals (bad entries, unknown accounts, the id taken by other content) are DomainErrors. */
  post(posting: Posting): Promise<LedgerTransaction>;
}

/** A settlement file on this machine, opened. */
export interface SettlementFile {
  /** Reads it from its start; each call is a new pass. */
  read(): Readable;
  /** For people: where it came from. */
  source: string;
  /** When the PSP cut it (a file cut before the day's end covers the day up to then); undefined: the whole day. */
  cutAt?: Date;
  /** Removes a downloaded copy. */
  release(): Promise<void>;
}

/** The settlement files operators put where this service reads them (SETTLEMENT_DIR). */
export interface SettlementFiles {
  /** The file `name` names (a file name or a relative path); the caller's mistakes are DomainErrors. */
  open(name: string): Promise<SettlementFile>;
}

/** The PSP's REST API, as far as reconciliation needs it. */
export interface PspPort {
  /** The day's file (GET /v1/settlements/:date and its /file), downloaded; NOT_FOUND when the PSP has none. */
  settlementFile(date: string): Promise<SettlementFile>;
  /** The PSP's payment (GET /v1/payments/:id); undefined when it does not know it. */
  payment(pspPaymentId: string): Promise<{ status: string; reference: string } | undefined>;
}

/** The payment service (gRPC payment.v1.PaymentService). */
export interface PaymentsPort {
  /** RefreshPayment: applies the PSP's view at once. Undefined when the payment service does not know the payment. */
  refreshPayment(paymentId: string): Promise<{ status: string } | undefined>;
}
