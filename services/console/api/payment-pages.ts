import { PaymentStatus, PendingReason, type Payment, type TimelineEntry } from "../../../gen/payment/v1/payment_pb.js";
import { attempt, describeFailure, httpStatusOf, type ConsoleClients } from "../adapters/clients.js";
import { redirect, type Route } from "./http-app.js";
import { enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";
import { refundSection } from "./refund-pages.js";
import { riskSection } from "./risk-review-pages.js";

const statusName = (s: PaymentStatus) => enumName(PaymentStatus, s, "PAYMENT_STATUS_");
const STATUSES = Object.values(PaymentStatus).filter((v): v is PaymentStatus => typeof v === "number" && v !== PaymentStatus.UNSPECIFIED);
const PAGE_SIZE = 50;

/** The ledger transaction a pay-in is booked as (the ledger's ids are deterministic). */
export const payinTransactionId = (paymentId: string) => `payin:${paymentId}`;

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

export function paymentRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/payments$/,
      handle: async (ctx) => {
        const q = ctx.url.searchParams;
        const paymentId = (q.get("payment_id") ?? "").trim();
        if (paymentId) return redirect(path("payments", paymentId));
        const buyer = (q.get("buyer") ?? "").trim();
        const seller = (q.get("seller") ?? "").trim();
        const statusText = q.get("status") ?? "";
        const status = STATUSES.find((s) => statusName(s) === statusText);
        const pageToken = q.get("page") ?? "";
        const form = html`<form class="inline" method="get" action="/payments">
<label>Payment id <input name="payment_id" placeholder="pay_..."></label><button type="submit">Open</button></form>
<form class="inline" method="get" action="/payments">
<label>Buyer <input name="buyer" value="${buyer}"></label>
<label>Seller <input name="seller" value="${seller}"></label>
<label>Status <select name="status"><option value="">any</option>${STATUSES.map((s) => html`<option${statusName(s) === statusText ? html` selected` : ""}>${statusName(s)}</option>`)}</select></label>
<button type="submit">Search</button></form>`;
        const listed = await attempt(() =>
          clients.payments.listPayments({ buyerId: buyer, sellerId: seller, status: status ?? PaymentStatus.UNSPECIFIED, pageSize: PAGE_SIZE, pageToken }),
        );
        if (!listed.ok) return ctx.page("Payments", html`${form}${notice("error", describeFailure("payment service", listed.error))}`, httpStatusOf(listed.error));
        const next = listed.value.nextPageToken
          ? html`<p><a href="/payments${query({ buyer, seller, status: statusText, page: listed.value.nextPageToken })}">Next page</a></p>`
          : "";
        return ctx.page(
          "Payments",
          html`${form}${table(["payment", "buyer", "sellers", "status", "total", "created (UTC)"], listed.value.payments.map(paymentRow), "No payments match.")}${next}`,
        );
      },
    },
    {
      method: "GET",
      pattern: /^\/payments\/([^/]+)$/,
      handle: async (ctx) => {
        const paymentId = ctx.params[0]!;
        const [got, timeline, refunds] = await Promise.all([
          attempt(() => clients.payments.getPayment({ paymentId })),
          attempt(() => clients.payments.getPaymentTimeline({ paymentId })),
          attempt(() => clients.payments.listRefunds({ paymentId })),
        ]);
        if (!got.ok) return ctx.page(`Payment ${paymentId}`, notice("error", describeFailure("payment service", got.error)), httpStatusOf(got.error));
        const p = got.value.payment!;
        const orders = p.orders.map(
          (o) =>
            html`<tr><td>${o.orderId}</td><td><a href="${path("payments") + query({ seller: o.sellerId })}">${o.sellerId}</a></td><td class="num">${money(o.amount)}</td><td class="num">${o.requestedAmount ? money(o.requestedAmount) : "-"}</td><td class="status">${statusName(o.status)}</td></tr>`,
        );
        const timelineHtml = timeline.ok
          ? table(["time (UTC)", "what", "detail"], timeline.value.entries.map(timelineRow), "No timeline entries.")
          : notice("info", `Timeline unavailable. ${describeFailure("payment service", timeline.error)}`);
        const pending = p.pendingReason === PendingReason.UNSPECIFIED ? "" : ` (${enumName(PendingReason, p.pendingReason, "PENDING_REASON_")})`;
        const ledgerId = payinTransactionId(p.paymentId);
        const reviewed = ctx.url.searchParams.get("reviewed");
        const refunded = ctx.url.searchParams.get("refunded");
        return ctx.page(
          `Payment ${p.paymentId}`,
          html`${reviewed === "approve" || reviewed === "reject" ? notice("info", `Review recorded: ${reviewed === "approve" ? "approved" : "rejected"}.`) : ""}${refunded ? notice("info", `Refund ${refunded} sent to the PSP; its status follows below.`) : ""}<dl id="payment" data-status="${statusName(p.status)}">
<dt>Status</dt><dd class="status">${statusName(p.status)}${pending}</dd>
<dt>Total</dt><dd>${money(p.total)}</dd>
<dt>Checkout</dt><dd>${p.checkoutId}</dd>
<dt>Buyer</dt><dd><a href="${"/payments" + query({ buyer: p.buyerId })}">${p.buyerId}</a> (${p.buyerCountry})</dd>
<dt>PSP payment</dt><dd>${p.pspPaymentId || "-"}</dd>
${p.failureReason ? html`<dt>Failure</dt><dd>${p.failureReason}${p.declineCode ? ` (${p.declineCode})` : ""}</dd>` : ""}
<dt>Created</dt><dd>${time(p.createdAt)}</dd>
<dt>Updated</dt><dd>${time(p.updatedAt)}</dd>
<dt>Ledger</dt><dd><a href="${path("ledger", "transactions", ledgerId)}">${ledgerId}</a></dd>
</dl>
<h2>Orders</h2>
${table(["order", "seller", "amount", "requested", "status"], orders)}
<h2>Risk</h2>
${riskSection(p, ctx.operator, ctx.csrf)}
<h2>Refunds</h2>
${refundSection(p, refunds, ctx.operator, ctx.csrf)}
<h2>Timeline</h2>
${timelineHtml}`,
        );
      },
    },
  ];
}
