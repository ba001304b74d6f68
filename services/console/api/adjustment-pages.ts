import { randomUUID } from "node:crypto";
import { Direction } from "../../../gen/ledger/v1/ledger_pb.js";
import { ExceptionStatus, StandardCorrection } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { attempt, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { adjustmentForm, exceptionFacts } from "../views/adjustment-views.js";
import { backLink, concat, notice, path, query } from "../views/html.js";

/** The ledger transaction an adjustment is posted as (PostAdjustment's ids are deterministic). */
const adjustmentTransactionId = (exceptionId: bigint) => `adjustment:${exceptionId}`;

const ADJUST = /^\/reconciliation\/exceptions\/(\d{1,18})\/adjust$/;
const ENTRY = /^(DEBIT|CREDIT|Dr|Cr)\s+(\S+)\s+(\d{1,18})\s+([A-Z]{3})$/i;

/** "DEBIT psp_receivable:USD 100 USD" a line: direction, account, amount in minor units, currency. */
export function parseEntries(text: string): {
  entries: { accountCode: string; direction: Direction; amount: { amountMinor: bigint; currency: string } }[];
  problems: string[];
} {
  const entries = [];
  const problems: string[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const m = ENTRY.exec(line);
    if (!m) {
      problems.push(`line ${i + 1} is not "DEBIT|CREDIT <account> <amount in minor units> <currency>": ${line}`);
      continue;
    }
    const debit = /^(debit|dr)$/i.test(m[1]!);
    entries.push({
      accountCode: m[2]!,
      direction: debit ? Direction.DEBIT : Direction.CREDIT,
      amount: { amountMinor: BigInt(m[3]!), currency: m[4]!.toUpperCase() },
    });
  }
  return { entries, problems };
}

/** Finance's adjustment of an exception: the form, and PostAdjustment under the operator's name, audited. */
export function adjustmentRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: ADJUST,
      role: "finance",
      handle: async (ctx) => {
        const exceptionId = ctx.params[0]!;
        const title = `Adjust exception ${exceptionId}`;
        const got = await attempt(() => clients.reconciliation.getException({ exceptionId: BigInt(exceptionId) }));
        if (!got.ok)
          return ctx.page(
            title,
            notice("error", describeFailure("reconciliation service", got.error)),
            httpStatusOf(got.error),
          );
        const e = got.value.exception!;
        if (e.status !== ExceptionStatus.OPEN)
          return ctx.page(
            title,
            concat(notice("info", "This exception is no longer open: there is nothing to adjust."), exceptionFacts(e)),
            409,
          );
        return ctx.page(
          title,
          adjustmentForm(e, {
            exceptionId,
            operatorId: ctx.operator.id,
            csrf: ctx.csrf,
            idempotencyKey: `console-${randomUUID()}`,
          }),
        );
      },
    },
    {
      method: "POST",
      pattern: ADJUST,
      role: "finance",
      handle: async (ctx) => {
        const exceptionId = BigInt(ctx.params[0]!);
        const reason = (ctx.form.get("reason") ?? "").trim();
        const asReported = ctx.form.get("correction") !== "entries";
        const { entries, problems } = asReported
          ? { entries: [], problems: [] }
          : parseEntries(ctx.form.get("entries") ?? "");
        const back = backLink(path("reconciliation", "exceptions", exceptionId.toString(), "adjust"), "Back");
        if (problems.length > 0)
          return ctx.page("Adjustment not posted", concat(...problems.map((p) => notice("error", p)), back), 400);
        const idempotencyKey = ctx.form.get("idempotency_key") ?? "";
        return sendOperatorRequest(ctx, {
          name: "adjustment",
          doneAs: "posted",
          service: "reconciliation service",
          target: `exception ${exceptionId}`,
          details: { reason },
          doneDetails: { transaction_id: adjustmentTransactionId(exceptionId) },
          send: () =>
            clients.reconciliation.postAdjustment(
              {
                exceptionId,
                reason,
                idempotencyKey,
                entries,
                correction: asReported ? StandardCorrection.SETTLE_AS_REPORTED : StandardCorrection.UNSPECIFIED,
              },
              onBehalfOf(ctx.operator.id),
            ),
          // Only once posted: an adjustment left ADJUSTING is completed by the same request again.
          recorded: async () => {
            const { exception } = await clients.reconciliation.getException({ exceptionId });
            return (
              exception?.status === ExceptionStatus.ADJUSTED &&
              exception.adjustment?.operatorId === ctx.operator.id &&
              exception.adjustment.reason === reason
            );
          },
          doneLocation: `/reconciliation/exceptions${query({ adjusted: exceptionId.toString() })}`,
          resubmit: {
            action: path("reconciliation", "exceptions", exceptionId.toString(), "adjust"),
            fields: {
              idempotency_key: idempotencyKey,
              reason,
              correction: ctx.form.get("correction") ?? "",
              entries: ctx.form.get("entries") ?? "",
            },
          },
          back,
        });
      },
    },
  ];
}
