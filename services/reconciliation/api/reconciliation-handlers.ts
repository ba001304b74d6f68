import { actorOf } from "../../lib/auth/caller.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { ReconciliationService, StandardCorrection } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { pageSize, pageTokens, type PageTokenKey, type PageTokens } from "../../lib/page-token.js";
import { postAdjustment } from "../app/adjustments.js";
import type { LedgerPort } from "../app/ports.js";
import type { Reconciliation } from "../app/reconciliation.js";
import { requireSettlementDate } from "../domain/settlement-day.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";
import { directionFromProto, exceptionStatusFromProto, exceptionToProto, runToProto, transactionToProto } from "./reconciliation-proto.js";

const optionalDate = (field: string, value: string) => (value === "" ? undefined : requireSettlementDate(field, value));

/** The next page's token: the id to continue from, when the page is full. */
const nextToken = <T extends { id: bigint }>(pages: PageTokens<{ id: bigint }>, items: T[], limit: number) =>
  items.length === limit ? pages.encode({ id: items.at(-1)!.id }) : "";

/** gRPC reconciliation.v1.ReconciliationService: validate, delegate, translate. */
export function reconciliationRoutes(reconciliation: Reconciliation, store: ReconciliationStore, ledger: LedgerPort, tokenKey: PageTokenKey) {
  const runPages = pageTokens(tokenKey, "reconciliation.v1.ReconciliationService/ListRuns", { id: "bigint" });
  const exceptionPages = pageTokens(tokenKey, "reconciliation.v1.ReconciliationService/ListExceptions", { id: "bigint" });
  return (router: ConnectRouter) =>
    router.service(ReconciliationService, {
      async runReconciliation(req) {
        const date = requireSettlementDate("date", req.date);
        const { run, changes } = await reconciliation.run(date, req.filePath === "" ? undefined : req.filePath);
        return { run: runToProto(run), changes };
      },
      async listRuns(req) {
        const limit = pageSize(req.pageSize, 20, 100);
        const runs = await store.listRuns({ date: optionalDate("date", req.date), beforeId: runPages.decode(req.pageToken)?.id, limit });
        return { runs: runs.map(runToProto), nextPageToken: nextToken(runPages, runs, limit) };
      },
      async getRun(req) {
        const run = await store.getRun(req.runId);
        if (run === undefined) throw notFound(`run ${req.runId} does not exist`);
        return { run: runToProto(run) };
      },
      async getException(req) {
        const exception = await store.getException(req.exceptionId);
        if (exception === undefined) throw notFound(`exception ${req.exceptionId} does not exist`);
        return { exception: exceptionToProto(exception) };
      },
      async listExceptions(req) {
        const date = optionalDate("date", req.date);
        const runId = req.runId === 0n ? undefined : req.runId;
        if (runId !== undefined && date !== undefined) throw invalidArgument("run_id", "give at most one of run_id and date");
        const limit = pageSize(req.pageSize, 100, 500);
        const exceptions = await store.listExceptions({ runId, date, status: exceptionStatusFromProto(req.status), afterId: exceptionPages.decode(req.pageToken)?.id, limit });
        return { exceptions: exceptions.map(exceptionToProto), nextPageToken: nextToken(exceptionPages, exceptions, limit) };
      },
      async postAdjustment(req, ctx) {
        const { exception, transaction } = await postAdjustment(store, ledger, {
          exceptionId: req.exceptionId,
          operatorId: actorOf(ctx),
          reason: req.reason,
          idempotencyKey: req.idempotencyKey,
          entries: req.entries.map((e) => ({ accountCode: e.accountCode, direction: directionFromProto(e.direction), amount: e.amount })),
          correction: req.correction === StandardCorrection.SETTLE_AS_REPORTED ? "settle_as_reported" : undefined,
        });
        return { exception: exceptionToProto(exception), transaction: transactionToProto(transaction) };
      },
    });
}
