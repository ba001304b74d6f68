import type { Posting } from "../../contracts/accounting/postings.js";
import { failedPrecondition, type DomainError } from "../../lib/errors.js";
import type { Money } from "../../lib/money.js";
import type { ExceptionClass, ReportRow } from "./report.js";

export const EXCEPTION_STATUSES = ["open", "auto_fixed", "adjusted", "adjusting"] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/** A difference a run found. `key` identifies it within its settlement day, so that a re-run finds the same one. */
export interface FoundException {
  class: ExceptionClass;
  key: string;
  lineNumber?: number;
  pspReference: string;
  ourReference: string;
  lineType: string;
  fileAmount?: Money;
  /** The PSP's fee on the line. */
  fileFee?: bigint;
  ledgerAmount?: Money;
  ledgerTransactionId: string;
  detail: string;
}

export interface AdjustmentRecord {
  transactionId: string;
  operatorId: string;
  reason: string;
  idempotencyKey: string;
  adjustedAt: Date;
  /** The ledger transaction as recorded before it was posted. */
  posting: Posting;
}

export interface StoredException extends FoundException {
  id: bigint;
  date: string;
  lastRunId: bigint;
  status: ExceptionStatus;
  resolution: string;
  adjustment?: AdjustmentRecord;
  createdAt: Date;
  updatedAt: Date;
}

export const RUN_STATUSES = ["running", "finished", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface Run {
  id: bigint;
  date: string;
  checksum: string;
  source: string;
  status: RunStatus;
  lines: number;
  report: ReportRow[];
  closingBalances: Money[];
  /** Why the closing balances were not checked against the previous day's; undefined: they were (or not yet run). */
  balanceCheckNote?: string;
  error: string;
  executions: number;
  /** When the PSP cut the file; undefined: the whole day. */
  cutAt?: Date;
  startedAt: Date;
  finishedAt?: Date;
}

/** Refuses a file of `date` cut at `cutAt` that the file of `newer`, a finished run, supersedes: running it again would undo what that run settled. */
export function supersededBy(
  newer: Pick<Run, "id" | "cutAt" | "source">,
  date: string,
  cutAt: Date | undefined,
): DomainError {
  const cut = (at?: Date) => (at ? `cut at ${at.toISOString()}` : "the whole day");
  return failedPrecondition(
    `run ${newer.id} already reconciled a newer settlement file of ${date} (${cut(newer.cutAt)}, ${newer.source}); ` +
      `this file (${cut(cutAt)}) is older, and running it again would undo what that run settled`,
  );
}
