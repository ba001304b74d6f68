import { LineClass, type ReconciliationException } from "../../../gen/reconciliation/v1/reconciliation_pb.js";
import { csrfField, html, money, path, type SafeHtml } from "./html.js";
import { lineClassName } from "./reconciliation-chart.js";
import { differenceOf, exceptionStatus } from "./reconciliation-views.js";

/** What finance adjusts: the exception's class, day and line, references, both sides' amounts and status. */
export function exceptionFacts(e: ReconciliationException): SafeHtml {
  const balanceBreak = e.lineClass === LineClass.BALANCE_BREAK;
  const difference = differenceOf(e);
  return html`<dl id="exception" data-status="${exceptionStatus(e.status)}">
<dt>Class</dt><dd>${lineClassName(e.lineClass)}</dd>
<dt>Settlement day</dt><dd><a href="${path("reconciliation", "runs", e.runId.toString())}">${e.date}</a>${e.lineNumber ? `, line ${e.lineNumber}` : ""}</dd>
<dt>Line type</dt><dd>${e.lineType || "-"}</dd>
<dt>References</dt><dd>ours ${e.ourReference || "-"}, the PSP's ${e.pspReference || "-"}</dd>
<dt>${balanceBreak ? html`The file's closing balance` : html`The PSP's file says`}</dt><dd>${money(e.fileAmount)}</dd>
<dt>${balanceBreak ? html`The previous closing balance plus the day's movements` : html`The ledger says`}</dt><dd>${money(e.ledgerAmount)}</dd>
${difference ? html`<dt>Difference (file - ledger)</dt><dd>${money(difference)}</dd>` : ""}
<dt>Detail</dt><dd>${e.detail}</dd>
<dt>Status</dt><dd class="status">${exceptionStatus(e.status)}${e.resolution ? ` (${e.resolution})` : ""}</dd>
</dl>`;
}

export interface AdjustmentFormView {
  exceptionId: string;
  /** Who posts it: the adjustment carries their name. */
  operatorId: string;
  csrf: string;
  idempotencyKey: string;
}

/** The exception, then the form: a reason, and the standard correction or entries typed one a line. */
export const adjustmentForm = (e: ReconciliationException, v: AdjustmentFormView): SafeHtml => html`${exceptionFacts(e)}
<p>The adjustment is a ledger transaction under your name (${v.operatorId}); it can never be changed, and it closes the exception.</p>
<form method="post" action="${path("reconciliation", "exceptions", v.exceptionId, "adjust")}">${csrfField(v.csrf)}
<input type="hidden" name="idempotency_key" value="${v.idempotencyKey}">
<p><label>Reason <input name="reason" required maxlength="500"></label></p>
<p><label class="choice"><input type="radio" name="correction" value="settle_as_reported" checked> Settle as the PSP reported it (amount mismatches)</label>
<label class="choice"><input type="radio" name="correction" value="entries"> These entries, one a line: <code>DEBIT psp_receivable:USD 100 USD</code></label></p>
<p><textarea name="entries" rows="4" cols="50"></textarea></p>
<button type="submit">Post the adjustment</button></form>`;
