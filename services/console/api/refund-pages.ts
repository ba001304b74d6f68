import { randomUUID } from "node:crypto";
import { PaymentStatus, RefundStatus, type Payment, type Refund } from "../../../gen/payment/v1/payment_pb.js";
import { attempt, describeFailure, httpStatusOf, onBehalfOf, type ConsoleClients, type Outcome } from "../adapters/clients.js";
import type { Operator } from "../domain/operators.js";
import { amountInput, readAmount } from "./amount-field.js";
import type { Route } from "./http-app.js";
import { sendOperatorRequest } from "./operator-request.js";
import { csrfField, enumName, html, money, notice, path, query, table, time, type SafeHtml } from "./html.js";

const REFUNDABLE = [PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED];

function refundRow(r: Refund): SafeHtml {
  const why = [r.reason, r.failureReason].filter((s) => s !== "").join("; ");
  return html`<tr data-refund-id="${r.refundId}"><td>${r.refundId}</td><td>${r.orderId}</td><td class="num">${money(r.amount)}</td><td class="num">${money(r.platformFeeReversed)}</td><td class="num">${money(r.sellerDebit)}</td><td class="status">${enumName(RefundStatus, r.status, "REFUND_STATUS_")}</td><td>${r.pspRefundId || "-"}</td><td class="wrap">${why}</td><td>${time(r.createdAt)}</td></tr>`;
}

/** The payment page's refunds: those made, and (finance) the form giving money back for one order. */
export function refundSection(p: Payment, refunds: Outcome<{ refunds: Refund[] }>, operator: Operator, csrf: string): SafeHtml {
  const listed = refunds.ok
    ? table(["refund", "order", "amount", "fee reversed", "seller debit", "status", "PSP refund", "why", "created (UTC)"], refunds.value.refunds.map(refundRow), "No refunds.")
    : notice("info", `Refunds unavailable. ${describeFailure("payment service", refunds.error)}`);
  const orders = p.orders.filter((o) => REFUNDABLE.includes(o.status));
  if (operator.role !== "finance" || !REFUNDABLE.includes(p.status) || orders.length === 0) return listed;
  return html`${listed}
<form method="post" action="${path("payments", p.paymentId, "refunds")}" class="inline">${csrfField(csrf)}
<input type="hidden" name="refund_id" value="${`console-${randomUUID()}`}">
<label>Order <select name="order_id">${orders.map((o) => html`<option value="${o.orderId}">${o.orderId} (${o.sellerId}, ${money(o.amount)})</option>`)}</select></label>
${amountInput(p.total!.currency)}
<label>Reason <input name="reason" required maxlength="500"></label>
<button type="submit">Refund</button></form>`;
}

/** Finance gives money back for one order of a payment (RefundPayment under the form's own key), audited. */
export function refundRoutes(clients: ConsoleClients): Route[] {
  return [
    {
      method: "POST",
      pattern: /^\/payments\/([^/]+)\/refunds$/,
      role: "finance",
      handle: async (ctx) => {
        const paymentId = ctx.params[0]!;
        const back = html`<p><a href="${path("payments", paymentId)}">Back to the payment</a></p>`;
        const got = await attempt(() => clients.payments.getPayment({ paymentId }));
        if (!got.ok) return ctx.page("Not refunded", html`${notice("error", describeFailure("payment service", got.error))}${back}`, httpStatusOf(got.error));
        const currency = got.value.payment!.total!.currency;
        const read = readAmount(ctx.form.get("amount") ?? "", currency);
        if ("problem" in read) return ctx.page("Not refunded", html`${notice("error", read.problem)}${back}`, 400);
        const { amount } = read;
        const reason = (ctx.form.get("reason") ?? "").trim();
        if (reason === "") return ctx.page("Not refunded", html`${notice("error", "Write a reason: why, for the buyer's and the seller's records.")}${back}`, 400);
        const refundId = ctx.form.get("refund_id") ?? "";
        const orderId = ctx.form.get("order_id") ?? "";
        return sendOperatorRequest(ctx, {
          name: "refund",
          service: "payment service",
          target: `payment ${paymentId}`,
          details: { refund_id: refundId, order_id: orderId, amount: money(amount), reason },
          send: () => clients.payments.refundPayment({ refundId, paymentId, orderId, amount, reason }, onBehalfOf(ctx.operator.id)),
          recorded: async () => (await clients.payments.listRefunds({ paymentId })).refunds.some((r) => r.refundId === refundId),
          doneLocation: path("payments", paymentId) + query({ refunded: refundId }),
          resubmit: { action: path("payments", paymentId, "refunds"), fields: { refund_id: refundId, order_id: orderId, amount: ctx.form.get("amount") ?? "", reason } },
          back,
        });
      },
    },
  ];
}
