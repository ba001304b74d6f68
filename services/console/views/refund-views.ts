import { PaymentStatus, RefundStatus, type Payment, type Refund } from "../../../gen/payment/v1/payment_pb.js";
import { describeFailure, type Outcome } from "./outcome.js";
import type { Operator } from "../domain/operators.js";
import { amountInput } from "./amount-input.js";
import { csrfField, enumName, html, money, notice, path, table, time, type SafeHtml } from "./html.js";

const REFUNDABLE = [PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED];

function refundRow(r: Refund): SafeHtml {
  const why = [r.reason, r.failureReason].filter((s) => s !== "").join("; ");
  return html`<tr data-refund-id="${r.refundId}"><td>${r.refundId}</td><td>${r.orderId}</td><td class="num">${money(r.amount)}</td><td class="num">${money(r.platformFeeReversed)}</td><td class="num">${money(r.sellerDebit)}</td><td class="status">${enumName(RefundStatus, r.status, "REFUND_STATUS_")}</td><td>${r.pspRefundId || "-"}</td><td class="wrap">${why}</td><td>${time(r.createdAt)}</td></tr>`;
}

/** The payment page's refunds: those made, and (finance) the form giving money back for one order, under `refundId`. */
export function refundSection(
  p: Payment,
  refunds: Outcome<{ refunds: Refund[] }>,
  operator: Operator,
  csrf: string,
  refundId: string,
): SafeHtml {
  const listed = refunds.ok
    ? table(
        ["refund", "order", "amount", "fee reversed", "seller debit", "status", "PSP refund", "why", "created (UTC)"],
        refunds.value.refunds.map(refundRow),
        "No refunds.",
      )
    : notice("info", `Refunds unavailable. ${describeFailure("payment service", refunds.error)}`);
  const orders = p.orders.filter((o) => REFUNDABLE.includes(o.status));
  if (operator.role !== "finance" || !REFUNDABLE.includes(p.status) || orders.length === 0) return listed;
  return html`${listed}
<form method="post" action="${path("payments", p.paymentId, "refunds")}" class="inline">${csrfField(csrf)}
<input type="hidden" name="refund_id" value="${refundId}">
<label>Order <select name="order_id">${orders.map((o) => html`<option value="${o.orderId}">${o.orderId} (${o.sellerId}, ${money(o.amount)})</option>`)}</select></label>
${amountInput(p.total!.currency)}
<label>Reason <input name="reason" required maxlength="500"></label>
<button type="submit">Refund</button></form>`;
}
