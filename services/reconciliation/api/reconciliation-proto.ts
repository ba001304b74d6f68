import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Direction } from "../../../gen/ledger/v1/ledger_pb.js";
import {
  ExceptionStatus as ProtoExceptionStatus,
  LineClass,
  RunStatus as ProtoRunStatus,
  type ReconciliationExceptionSchema,
  type RunSchema,
} from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { EXCEPTION_STATUSES, type ExceptionStatus, type Run, type StoredException } from "../domain/exception.js";
import type { LedgerTransaction } from "../domain/matching.js";
import type { LineClass as DomainLineClass } from "../domain/report.js";

/** Translation between the reconciliation domain and its protobuf messages; proto enum names are the domain's, upper case. */
const upper = (name: string) => name.toUpperCase() as Uppercase<string>;

const lineClassToProto = (c: DomainLineClass) => LineClass[upper(c) as keyof typeof LineClass];

/** undefined for UNSPECIFIED: every status. */
export const exceptionStatusFromProto = (status: ProtoExceptionStatus): ExceptionStatus | undefined =>
  EXCEPTION_STATUSES.find((s) => upper(s) === ProtoExceptionStatus[status]);

export const directionFromProto = (direction: Direction): "DEBIT" | "CREDIT" | undefined =>
  direction === Direction.DEBIT ? "DEBIT" : direction === Direction.CREDIT ? "CREDIT" : undefined;

export const runToProto = (run: Run): MessageInitShape<typeof RunSchema> => ({
  runId: run.id,
  date: run.date,
  checksum: run.checksum,
  source: run.source,
  status: ProtoRunStatus[upper(run.status) as keyof typeof ProtoRunStatus],
  lines: BigInt(run.lines),
  report: run.report.map((r) => ({
    lineClass: lineClassToProto(r.class),
    currency: r.currency,
    count: BigInt(r.count),
    amountMinor: r.amountMinor,
  })),
  closingBalances: run.closingBalances,
  balanceCheckNote: run.balanceCheckNote ?? "",
  error: run.error,
  executions: run.executions,
  startedAt: timestampFromDate(run.startedAt),
  finishedAt: run.finishedAt && timestampFromDate(run.finishedAt),
});

export const exceptionToProto = (e: StoredException): MessageInitShape<typeof ReconciliationExceptionSchema> => ({
  exceptionId: e.id,
  runId: e.lastRunId,
  date: e.date,
  lineClass: lineClassToProto(e.class),
  lineNumber: BigInt(e.lineNumber ?? 0),
  pspReference: e.pspReference,
  ourReference: e.ourReference,
  lineType: e.lineType,
  fileAmount: e.fileAmount,
  ledgerAmount: e.ledgerAmount,
  ledgerTransactionId: e.ledgerTransactionId,
  detail: e.detail,
  status: ProtoExceptionStatus[upper(e.status) as keyof typeof ProtoExceptionStatus],
  resolution: e.resolution,
  adjustment: e.adjustment && {
    transactionId: e.adjustment.transactionId,
    operatorId: e.adjustment.operatorId,
    reason: e.adjustment.reason,
    adjustedAt: timestampFromDate(e.adjustment.adjustedAt),
  },
  createdAt: timestampFromDate(e.createdAt),
  updatedAt: timestampFromDate(e.updatedAt),
});

export const transactionToProto = (t: LedgerTransaction) => ({
  transactionId: t.transactionId,
  description: t.description,
  entries: t.entries.map((e) => ({ accountCode: e.accountCode, direction: Direction[e.direction], amount: e.amount })),
  postedAt: timestampFromDate(t.postedAt),
});
