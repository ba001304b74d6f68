import type { Readable } from "node:stream";
import type { Account } from "../../contracts/accounting/accounts.js";
import type { Posting } from "../../contracts/accounting/postings.js";
import type { ExceptionStatus, FoundException, Run, StoredException } from "../domain/exception.js";
import type { LedgerTransaction, TransactionEntries } from "../domain/matching.js";
import type { SettlementInput } from "../domain/settlement-posting.js";

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
  listTransactionIds(query: {
    postedFrom: Date;
    postedBefore: Date;
    idPrefixes: string[];
    pageToken: string;
  }): Promise<{ transactionIds: string[]; nextPageToken: string }>;
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

/**
 * One execution per settlement day at a time, whichever instance runs it. The lock only keeps other executions out:
 * what `work` records commits as it goes (every step of a run is idempotent, and a run that died half-way is run again).
 */
export interface DayLocks {
  /** Runs `work` holding the day; undefined when another execution holds it. */
  withDayLock<T>(date: string, work: () => Promise<T>): Promise<{ value: T } | undefined>;
}

/** The runs: one per settlement day and file (by checksum), executed again when the file is run again. */
export interface Runs {
  /** The run of this day and file, created or taken up again (status running, one more execution); call it holding the day. */
  claimRun(
    date: string,
    checksum: string,
    source: string,
    cutAt: Date | undefined,
  ): Promise<{ run: Run; created: boolean }>;
  /** A finished run of the day whose file supersedes this one: cut later, or cut at the same time and reconciled after this file's own run. */
  supersedingRun(date: string, checksum: string, cutAt: Date | undefined): Promise<Run | undefined>;
  /** Whether the day wants a run: none finished it since its last failure (or ever), or its last execution fixed a missing charge automatically. */
  dayIsDue(date: string): Promise<boolean>;
  /** Records the run's outcome; true when its lines or report differ from what the last execution recorded. */
  finishRun(runId: bigint, outcome: RunOutcome): Promise<boolean>;
  failRun(runId: bigint, error: string): Promise<void>;
  getRun(runId: bigint): Promise<Run | undefined>;
  /** The run whose file stands for the latest day before `date` that a run finished: of its finished runs, the file cut latest (the whole day last), then the newest. */
  latestFinishedRunBefore(date: string): Promise<Run | undefined>;
}

/** What an execution found, recorded on its run as it finishes. */
export type RunOutcome = Pick<Run, "lines" | "report" | "closingBalances" | "balanceCheckNote">;

/** An execution of a run: what it finds and claims is stamped with it, so that what it did not find again can be told apart. */
export type Execution = Pick<Run, "id" | "executions">;

export interface ExceptionQuery {
  runId?: bigint;
  date?: string;
  status?: ExceptionStatus;
  afterId?: bigint;
  limit: number;
}

/** The exceptions runs find, one per day and key. */
export interface Exceptions {
  /** Inserts new ones, updates those found again with other details, reopens those closed automatically, stamps them all with `run`; how many it wrote and reopened. */
  upsertExceptions(
    date: string,
    run: Execution,
    found: FoundException[],
  ): Promise<{ written: number; reopened: number }>;
  /** Closes the day's open exceptions that `run` did not find again; how many. */
  resolveNotFoundAgain(date: string, run: Execution): Promise<number>;
  /** Oldest first: those a run last found, or those of a day. */
  listExceptions(query: ExceptionQuery): Promise<StoredException[]>;
  /** False when it was no longer open. */
  markAutoFixed(exceptionId: bigint, resolution: string): Promise<boolean>;
  /** Says why an open exception could not be fixed automatically; true when that is news. */
  noteNotFixed(exceptionId: bigint, why: string): Promise<boolean>;
}

export interface RecordedSettlement extends SettlementInput {
  status: "pending" | "posted";
}

/** A movement a settlement line settles: its line type and the ledger transaction it names. */
export interface SettledMovement {
  lineType: string;
  transactionId: string;
}

/** What each day settled: its postings, and the movements its file claimed. */
export interface Settlements {
  /** The day's settlement postings, by currency and sequence; `pending` ones an interrupted run may not have posted. */
  settlements(date: string): Promise<RecordedSettlement[]>;
  /** Records a settlement posting before it is posted, so that whatever happens next, the next run posts it. */
  recordPendingSettlement(settlement: SettlementInput, transactionId: string, runId: bigint): Promise<void>;
  markSettlementPosted(settlement: Pick<SettlementInput, "date" | "currency" | "sequence">): Promise<void>;
  /** Claims the movements for the day, unless another day settled them first: answers that day for those (by `<line type>|<transaction id>`). */
  claimSettled(date: string, run: Execution, movements: SettledMovement[]): Promise<Map<string, string>>;
  /** Releases the day's claims that `run` did not make again (its file no longer settles them); how many. */
  releaseUnclaimed(date: string, run: Execution): Promise<number>;
  /** The transactions the day's file matched near its end. */
  boundaryMatches(date: string): Promise<Set<string>>;
  saveBoundaryMatches(date: string, transactionIds: string[]): Promise<void>;
}

/** What a run of a day reads and records. */
export type RunRecords = DayLocks & Runs & Exceptions & Settlements;

/** An adjustment as it is claimed, before the ledger posts it. */
export interface ClaimedAdjustment {
  posting: Posting;
  operatorId: string;
  reason: string;
  idempotencyKey: string;
}

/** Finance's adjustments of exceptions: claimed, then completed or released once the ledger answers. */
export interface Adjustments {
  getException(exceptionId: bigint): Promise<StoredException | undefined>;
  /** Takes an open exception for the adjustment (status adjusting, with the whole posting, who and why); false when it was no longer open. */
  claimAdjustment(exceptionId: bigint, adjustment: ClaimedAdjustment): Promise<boolean>;
  /** The ledger refused the adjustment: the exception is open again, as it was. */
  releaseAdjustment(exceptionId: bigint): Promise<void>;
  /** The ledger has the adjustment: its audit record and the exception's closing commit together. Answers the exception as it is after. */
  completeAdjustment(exceptionId: bigint): Promise<StoredException>;
}
