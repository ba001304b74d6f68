import { ReviewOutcome } from "../../../gen/payment/v1/payment_pb.js";
import { attempt, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import { describeFailure } from "../views/outcome.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { backLink, concat, notice, path, query } from "../views/html.js";
import { riskReviewList } from "../views/risk-review-views.js";

const PAGE_SIZE = 50;

/** Payments the risk service held for a person, and their decision (finance), audited. */
export function riskReviewRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/risk-reviews$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() =>
          clients.payments.listPayments({ awaitingRiskReview: true, pageSize: PAGE_SIZE, pageToken }),
        );
        if (!listed.ok)
          return ctx.page(
            "Risk reviews",
            notice("error", describeFailure("payment service", listed.error)),
            httpStatusOf(listed.error),
          );
        return ctx.page("Risk reviews", riskReviewList(listed.value));
      },
    },
    {
      method: "POST",
      pattern: /^\/payments\/([^/]+)\/review$/,
      role: "finance",
      handle: async (ctx) => {
        const paymentId = ctx.params[0]!;
        const outcomeText = ctx.form.get("outcome");
        const note = (ctx.form.get("note") ?? "").trim();
        const back = backLink(path("payments", paymentId), "Back to the payment");
        if (outcomeText !== "approve" && outcomeText !== "reject")
          return ctx.page("Not decided", concat(notice("error", "Choose Approve or Reject."), back), 400);
        if (note === "")
          return ctx.page("Not decided", concat(notice("error", "Write a note: why, for the audit trail."), back), 400);
        const outcome = outcomeText === "approve" ? ReviewOutcome.APPROVED : ReviewOutcome.REJECTED;
        return sendOperatorRequest(ctx, {
          name: "risk review",
          doneAs: "decided",
          service: "payment service",
          target: `payment ${paymentId}`,
          details: { outcome: outcomeText, note },
          send: () => clients.payments.decideRiskReview({ paymentId, outcome, note }, onBehalfOf(ctx.operator.id)),
          // The review is recorded before the payment goes on to the PSP: a failure after it leaves the decision made.
          recorded: async () => {
            const { risk } = (await clients.payments.getPayment({ paymentId })).payment!;
            return risk?.reviewOutcome === outcome && risk.reviewer === ctx.operator.id && risk.reviewNote === note;
          },
          doneLocation: path("payments", paymentId) + query({ reviewed: outcomeText }),
          back,
        });
      },
    },
  ];
}
