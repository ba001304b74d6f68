import { PaymentStatus, ReviewOutcome, type Payment } from "../../../gen/payment/v1/payment_pb.js";
import { Decision } from "../../../gen/risk/v1/risk_pb.js";
import { attempt, describeFailure, httpStatusOf, onBehalfOf, type ConsoleClients } from "../adapters/clients.js";
import type { Operator } from "../domain/operators.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { csrfField, enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const PAGE_SIZE = 50;

/** Held by the risk service until a person approves or rejects it (as the payment service's awaitsReview). */
export const awaitsReview = (p: Payment): boolean =>
  p.status === PaymentStatus.NOT_STARTED && p.risk?.decision === Decision.REVIEW && p.risk.reviewOutcome === ReviewOutcome.UNSPECIFIED;

const reviewPath = (paymentId: string) => path("payments", paymentId, "review");

/** The payment page's risk part: the risk service's answer and why, the review, and (finance) the decision form. */
export function riskSection(p: Payment, operator: Operator, csrf: string): SafeHtml {
  if (!p.risk) return html`<p class="empty">Not assessed yet.</p>`;
  const reasons = p.risk.reasons.map((r) => html`<li>${r.code}: ${r.message}</li>`);
  const review =
    p.risk.reviewOutcome === ReviewOutcome.UNSPECIFIED
      ? ""
      : html`<dt>Review</dt><dd>${enumName(ReviewOutcome, p.risk.reviewOutcome, "REVIEW_OUTCOME_").toLowerCase()} by ${p.risk.reviewer}${p.risk.reviewNote ? `: ${p.risk.reviewNote}` : ""}</dd>`;
  const described = html`<dl id="risk"><dt>Decision</dt><dd>${enumName(Decision, p.risk.decision, "DECISION_").toLowerCase()}</dd>
${reasons.length > 0 ? html`<dt>Why</dt><dd><ul>${reasons}</ul></dd>` : ""}${review}</dl>`;
  if (!awaitsReview(p)) return described;
  if (operator.role !== "finance") return html`${described}${notice("info", "Waits for a risk review: deciding needs the finance role.")}`;
  return html`${described}
<form method="post" action="${reviewPath(p.paymentId)}">${csrfField(csrf)}
<p><label>Note (why, for the audit trail) <input name="note" required maxlength="500"></label></p>
<p><button type="submit" name="outcome" value="approve">Approve: send it to the PSP</button> <button type="submit" name="outcome" value="reject">Reject: fail it</button></p>
</form>`;
}

/** Payments the risk service held for a person, and their decision (finance), audited. */
export function riskReviewRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/risk-reviews$/,
      handle: async (ctx) => {
        const pageToken = ctx.url.searchParams.get("page") ?? "";
        const listed = await attempt(() => clients.payments.listPayments({ awaitingRiskReview: true, pageSize: PAGE_SIZE, pageToken }));
        if (!listed.ok) return ctx.page("Risk reviews", notice("error", describeFailure("payment service", listed.error)), httpStatusOf(listed.error));
        const rows = listed.value.payments.map(
          (p) =>
            html`<tr><td><a href="${path("payments", p.paymentId)}">${p.paymentId}</a></td><td>${p.buyerId} (${p.buyerCountry || "-"})</td><td class="num">${money(p.total)}</td><td>${p.risk!.reasons.map((r) => r.message).join("; ")}</td><td>${time(p.createdAt)}</td></tr>`,
        );
        const more = listed.value.nextPageToken ? html`<p><a href="/risk-reviews${query({ page: listed.value.nextPageToken })}">More</a></p>` : "";
        return ctx.page("Risk reviews", html`${table(["payment", "buyer", "total", "why", "created (UTC)"], rows, "No payment waits for a review.")}${more}`);
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
        const back = html`<p><a href="${path("payments", paymentId)}">Back to the payment</a></p>`;
        if (outcomeText !== "approve" && outcomeText !== "reject") return ctx.page("Not decided", html`${notice("error", "Choose Approve or Reject.")}${back}`, 400);
        if (note === "") return ctx.page("Not decided", html`${notice("error", "Write a note: why, for the audit trail.")}${back}`, 400);
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
