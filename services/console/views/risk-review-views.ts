import { PaymentStatus, ReviewOutcome, type Payment } from "../../../gen/payment/v1/payment_pb.js";
import { Decision } from "../../../gen/risk/v1/risk_pb.js";
import type { Operator } from "../domain/operators.js";
import { csrfField, enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

/** Held by the risk service until a person approves or rejects it (as the payment service's awaitsReview). */
const awaitsReview = (p: Payment): boolean =>
  p.status === PaymentStatus.NOT_STARTED &&
  p.risk?.decision === Decision.REVIEW &&
  p.risk.reviewOutcome === ReviewOutcome.UNSPECIFIED;

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
  if (operator.role !== "finance")
    return html`${described}${notice("info", "Waits for a risk review: deciding needs the finance role.")}`;
  return html`${described}
<form method="post" action="${reviewPath(p.paymentId)}">${csrfField(csrf)}
<p><label>Note (why, for the audit trail) <input name="note" required maxlength="500"></label></p>
<p><button type="submit" name="outcome" value="approve">Approve: send it to the PSP</button> <button type="submit" name="outcome" value="reject">Reject: fail it</button></p>
</form>`;
}

/** A page of the payments waiting for a review, and a link to the next. */
export function riskReviewList(listed: { payments: Payment[]; nextPageToken: string }): SafeHtml {
  const rows = listed.payments.map(
    (p) =>
      html`<tr><td><a href="${path("payments", p.paymentId)}">${p.paymentId}</a></td><td>${p.buyerId} (${p.buyerCountry || "-"})</td><td class="num">${money(p.total)}</td><td>${p.risk!.reasons.map((r) => r.message).join("; ")}</td><td>${time(p.createdAt)}</td></tr>`,
  );
  const more = listed.nextPageToken
    ? html`<p><a href="/risk-reviews${query({ page: listed.nextPageToken })}">More</a></p>`
    : "";
  return html`${table(["payment", "buyer", "total", "why", "created (UTC)"], rows, "No payment waits for a review.")}${more}`;
}
