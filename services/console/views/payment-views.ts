import {
  PaymentStatus,
  PendingReason,
  type Payment,
  type Refund,
  type TimelineEntry,
} from "../../../gen/payment/v1/payment_pb.js";
import { describeFailure, type Outcome } from "./outcome.js";
import type { Operator } from "../domain/operators.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";
import { refundSection } from "./refund-views.js";
import { riskSection } from "./risk-review-views.js";

export const statusName = (s: PaymentStatus) => enumName(PaymentStatus, s, "PAYMENT_STATUS_");
export const PAYMENT_STATUSES = Object.values(PaymentStatus).filter(
  (v): v is PaymentStatus => typeof v === "number" && v !== PaymentStatus.UNSPECIFIED,
);

/** The ledger transaction a pay-in is booked as (the ledger's ids are deterministic). */
const payinTransactionId = (paymentId: string) => `payin:${paymentId}`;

/** What the payments list is filtered by, as typed (the status by its name). */
export interface PaymentFilters {
  buyer: string;
  seller: string;
  status: string;
}

function paymentRow(p: Payment): SafeHtml {
  const sellers = [...new Set(p.orders.map((o) => o.sellerId))].join(", ");
  return html`<tr><td><a href="${path("payments", p.paymentId)}">${p.paymentId}</a></td><td>${p.buyerId}</td><td>${sellers}</td><td class="status">${statusName(p.status)}</td><td class="num">${money(p.total)}</td><td>${time(p.createdAt)}</td></tr>`;
}

function timelineRow(e: TimelineEntry): SafeHtml {
  switch (e.what.case) {
    case "status":
      return html`<tr><td>${time(e.at)}</td><td>status</td><td class="status">${statusName(e.what.value)}${e.reason ? ` (${e.reason})` : ""}</td></tr>`;
    case "webhook":
      return html`<tr><td>${time(e.at)}</td><td>webhook received</td><td>${e.what.value.type} ${e.what.value.eventId} (${e.what.value.outcome})</td></tr>`;
    case "event":
      return html`<tr><td>${time(e.at)}</td><td>event published</td><td>${e.what.value.subject} ${e.what.value.eventId}${e.what.value.publishedAt ? ` at ${time(e.what.value.publishedAt)}` : " (not yet published)"}</td></tr>`;
    default:
      return html`<tr><td>${time(e.at)}</td><td>-</td><td>-</td></tr>`;
  }
}

/** Opening a payment by id, and searching by buyer, seller and status. */
export const paymentSearch = ({
  buyer,
  seller,
  status,
}: PaymentFilters): SafeHtml => html`<form class="inline" method="get" action="/payments">
<label>Payment id <input name="payment_id" placeholder="pay_..."></label><button type="submit">Open</button></form>
<form class="inline" method="get" action="/payments">
<label>Buyer <input name="buyer" value="${buyer}"></label>
<label>Seller <input name="seller" value="${seller}"></label>
<label>Status <select name="status"><option value="">any</option>${PAYMENT_STATUSES.map((s) => html`<option${statusName(s) === status ? html` selected` : ""}>${statusName(s)}</option>`)}</select></label>
<button type="submit">Search</button></form>`;

/** The search, then a page of the payments it found and a link to the next. */
export function paymentList(filters: PaymentFilters, listed: { payments: Payment[]; nextPageToken: string }): SafeHtml {
  const next = listed.nextPageToken
    ? html`<p><a href="/payments${query({ ...filters, page: listed.nextPageToken })}">Next page</a></p>`
    : "";
  return html`${paymentSearch(filters)}${table(["payment", "buyer", "sellers", "status", "total", "created (UTC)"], listed.payments.map(paymentRow), "No payments match.")}${next}`;
}

export interface PaymentView {
  payment: Payment;
  timeline: Outcome<{ entries: TimelineEntry[] }>;
  refunds: Outcome<{ refunds: Refund[] }>;
  operator: Operator;
  csrf: string;
  /** The refund form's own refund_id. */
  refundId: string;
  /** What the operator just did, from the address: a review decided ("approve", "reject"), a refund sent. */
  reviewed: string | null;
  refunded: string | null;
}

const doneNotices = (reviewed: string | null, refunded: string | null): SafeHtml =>
  html`${reviewed === "approve" || reviewed === "reject" ? notice("info", `Review recorded: ${reviewed === "approve" ? "approved" : "rejected"}.`) : ""}${refunded ? notice("info", `Refund ${refunded} sent to the PSP; its status follows below.`) : ""}`;

const orderRows = (p: Payment): SafeHtml[] =>
  p.orders.map(
    (o) =>
      html`<tr><td>${o.orderId}</td><td><a href="${path("payments") + query({ seller: o.sellerId })}">${o.sellerId}</a></td><td class="num">${money(o.amount)}</td><td class="num">${o.requestedAmount ? money(o.requestedAmount) : "-"}</td><td class="status">${statusName(o.status)}</td></tr>`,
  );

function paymentFacts(p: Payment): SafeHtml {
  const pending =
    p.pendingReason === PendingReason.UNSPECIFIED
      ? ""
      : ` (${enumName(PendingReason, p.pendingReason, "PENDING_REASON_")})`;
  const ledgerId = payinTransactionId(p.paymentId);
  return html`<dl id="payment" data-status="${statusName(p.status)}">
<dt>Status</dt><dd class="status">${statusName(p.status)}${pending}</dd>
<dt>Total</dt><dd>${money(p.total)}</dd>
<dt>Checkout</dt><dd>${p.checkoutId}</dd>
<dt>Buyer</dt><dd><a href="${`/payments${query({ buyer: p.buyerId })}`}">${p.buyerId}</a> (${p.buyerCountry})</dd>
<dt>PSP payment</dt><dd>${p.pspPaymentId || "-"}</dd>
${p.failureReason ? html`<dt>Failure</dt><dd>${p.failureReason}${p.declineCode ? ` (${p.declineCode})` : ""}</dd>` : ""}
<dt>Created</dt><dd>${time(p.createdAt)}</dd>
<dt>Updated</dt><dd>${time(p.updatedAt)}</dd>
<dt>Ledger</dt><dd><a href="${path("ledger", "transactions", ledgerId)}">${ledgerId}</a></dd>
</dl>`;
}

/** A payment: its facts, orders, risk (with the review form), refunds (with the refund form) and timeline. */
export function paymentDetail(v: PaymentView): SafeHtml {
  const p = v.payment;
  const timelineHtml = v.timeline.ok
    ? table(["time (UTC)", "what", "detail"], v.timeline.value.entries.map(timelineRow), "No timeline entries.")
    : notice("info", `Timeline unavailable. ${describeFailure("payment service", v.timeline.error)}`);
  return html`${doneNotices(v.reviewed, v.refunded)}${paymentFacts(p)}
<h2>Orders</h2>
${table(["order", "seller", "amount", "requested", "status"], orderRows(p))}
<h2>Risk</h2>
${riskSection(p, v.operator, v.csrf)}
<h2>Refunds</h2>
${refundSection(p, v.refunds, v.operator, v.csrf, v.refundId)}
<h2>Timeline</h2>
${timelineHtml}`;
}
