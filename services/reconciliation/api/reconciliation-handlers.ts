import { actorOf } from "../../lib/auth/caller.js";
import type { ConnectRouter } from "@connectrpc/connect";
import { ReconciliationService, StandardCorrection } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { invalidArgument, notFound } from "../../lib/errors.js";
import { listPages } from "../../lib/page-cursor.js";
import type { PageTokenKey } from "../../lib/page-token.js";
import { postAdjustment } from "../app/adjustments.js";
import type { LedgerPort } from "../app/ports.js";
import type { Reconciliation } from "../app/reconciliation.js";
import { requireSettlementDate } from "../domain/settlement-day.js";
import type { ReconciliationStore } from "../store/reconciliation-store.js";
import {
  directionFromProto,
  exceptionStatusFromProto,
  exceptionToProto,
  runToProto,
  transactionToProto,
} from "./reconciliation-proto.js";

const optionalDate = (field: string, value: string) => (value === "" ? undefined : requireSettlementDate(field, value));

/** gRPC reconciliation.v1.ReconciliationService: validate, delegate, translate. */
export function reconciliationRoutes(
  reconciliation: Reconciliation,
  store: ReconciliationStore,
  ledger: LedgerPort,
  tokenKey: PageTokenKey,
) {
  const runPages = listPages(
    tokenKey,
    "reconciliation.v1.ReconciliationService/ListRuns",
    { id: "bigint" },
    { default: 20, max: 100 },
  );
  const exceptionPages = listPages(
    tokenKey,
    "reconciliation.v1.ReconciliationService/ListExceptions",
    { id: "bigint" },
    { default: 100, max: 500 },
  );
  const byId = (item: { id: bigint }) => ({ id: item.id });
  return (router: ConnectRouter) =>
    router.service(ReconciliationService, {
      async runReconciliation(req) {
        const date = requireSettlementDate("date", req.date);
        const { run, changes } = await reconciliation.run(date, req.filePath === "" ? undefined : req.filePath);
        return { run: runToProto(run), changes };
      },
      async listRuns(req) {
        const { after, limit } = runPages.request(req);
        const runs = await store.listRuns({ date: optionalDate("date", req.date), beforeId: after?.id, limit });
        return { runs: runs.map(runToProto), nextPageToken: runPages.next(runs, limit, byId) };
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
        if (runId !== undefined && date !== undefined)
          throw invalidArgument("run_id", "give at most one of run_id and date");
        const { after, limit } = exceptionPages.request(req);
        const exceptions = await store.listExceptions({
          runId,
          date,
          status: exceptionStatusFromProto(req.status),
          afterId: after?.id,
          limit,
        });
        return {
          exceptions: exceptions.map(exceptionToProto),
          nextPageToken: exceptionPages.next(exceptions, limit, byId),
        };
      },
      async postAdjustment(req, ctx) {
        const { exception, transaction } = await postAdjustment(store, ledger, {
          exceptionId: req.exceptionId,
          operatorId: actorOf(ctx),
          reason: req.reason,
          idempotencyKey: req.idempotencyKey,
          entries: req.entries.map((e) => ({
            accountCode: e.accountCode,
            direction: directionFromProto(e.direction),
            amount: e.amount,
          })),
          correction: req.correction === StandardCorrection.SETTLE_AS_REPORTED ? "settle_as_reported" : undefined,
        });
        return { exception: exceptionToProto(exception), transaction: transactionToProto(transaction) };
      },
    });
}
