import { escapeHtml } from "../services/lib/escape-html.js";
import { formatAmount } from "./currencies.js";
import { checkoutMessage, PARENT_ORIGIN_FIELD, type Embedding } from "./embed.js";
import type { Payment } from "./payments.js";

// The page's amount format, defined next to the currency table.
export { formatAmount };

/** What a framed page tells the merchant page, read and posted by sdk/frame.js (inline scripts are refused by the CSP). */
function messageFor(payment: Payment, embedding: Embedding): string {
  const message = checkoutMessage(payment);
  if (!embedding.framed || message === undefined) return "";
  return `<div id="psp-checkout-message" hidden data-parent-origin="${escapeHtml(embedding.parentOrigin)}" data-message="${escapeHtml(JSON.stringify(message))}"></div>
<script src="/sdk/v1/frame.js"></script>
`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
label { display: block; margin-top: 0.75rem; }
input { display: block; width: 100%; padding: 0.4rem; box-sizing: border-box; font-size: 1rem; }
button { margin-top: 1rem; padding: 0.5rem 1rem; font-size: 1rem; }
.error { color: #b00020; }
.amount { font-size: 1.5rem; font-weight: bold; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function summary(payment: Payment): string {
  const description = payment.description ? `<p class="description">${escapeHtml(payment.description)}</p>` : "";
  return `<p class="amount">${escapeHtml(formatAmount(payment.amount, payment.currency))}</p>
${description}<p class="reference">Order ${escapeHtml(payment.reference)}</p>`;
}

function errorLine(error: string | undefined): string {
  return error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : "";
}

/** The token, and in a frame the merchant origin, so that the page answering the form is framed alike. */
function hiddenInputs(payment: Payment, embedding: Embedding): string {
  const parent = embedding.framed
    ? `\n<input type="hidden" name="${PARENT_ORIGIN_FIELD}" value="${escapeHtml(embedding.parentOrigin)}">`
    : "";
  return `<input type="hidden" name="token" value="${escapeHtml(payment.token)}">${parent}`;
}

/** The card form. Only the cardholder name is echoed back after an error, never card data. */
export function paymentFormPage(payment: Payment, embedding: Embedding, error?: string, name = ""): string {
  return layout(
    "Pay",
    `<h1>Pay</h1>
${summary(payment)}
${errorLine(error)}<form method="post" action="/pay/${escapeHtml(payment.id)}">
${hiddenInputs(payment, embedding)}
<label>Card number <input name="card_number" inputmode="numeric" autocomplete="cc-number" required></label>
<label>Expiry (MM/YY) <input name="exp" placeholder="MM/YY" autocomplete="cc-exp" required></label>
<label>CVC <input name="cvc" inputmode="numeric" autocomplete="cc-csc" required></label>
<label>Name on card <input name="name" autocomplete="cc-name" value="${escapeHtml(name)}"></label>
<button type="submit">Pay ${escapeHtml(formatAmount(payment.amount, payment.currency))}</button>
</form>`,
  );
}

export function threeDSecurePage(payment: Payment, embedding: Embedding, error?: string): string {
  return layout(
    "3-D Secure authentication",
    `<h1>3-D Secure authentication</h1>
${summary(payment)}
<p>Your bank asks you to confirm this payment.</p>
${errorLine(error)}<form method="post" action="/pay/${escapeHtml(payment.id)}/3ds">
${hiddenInputs(payment, embedding)}
<button type="submit" name="outcome" value="approve">Authenticate</button>
<button type="submit" name="outcome" value="deny">Fail authentication</button>
</form>
${messageFor(payment, embedding)}`,
  );
}

const STATUS_TEXT: Record<Payment["status"], string> = {
  requires_payment_method: "Awaiting payment.",
  processing: "Your payment is being processed.",
  requires_capture: "Payment authorized.",
  succeeded: "Payment successful.",
  failed: "Payment failed.",
  canceled: "Payment canceled.",
};

/**
 * Shows where the payment stands; `notice` explains why the buyer sees this instead of what they asked for. In a
 * frame, the merchant page takes over from the message: no link leads the frame away.
 */
export function resultPage(payment: Payment, embedding: Embedding, notice?: string): string {
  const declineAttr = payment.declineCode ? ` data-decline-code="${escapeHtml(payment.declineCode)}"` : "";
  const reason = payment.failureMessage ? `<p class="error">${escapeHtml(payment.failureMessage)}</p>\n` : "";
  const back =
    payment.returnUrl && !embedding.framed
      ? `<p><a href="${escapeHtml(payment.returnUrl)}">Return to merchant</a></p>\n`
      : "";
  return layout(
    STATUS_TEXT[payment.status],
    `${notice ? `<p class="notice">${escapeHtml(notice)}</p>\n` : ""}<div id="result" data-status="${payment.status}"${declineAttr}>
<h1>${STATUS_TEXT[payment.status]}</h1>
${summary(payment)}
${reason}</div>
${back}${messageFor(payment, embedding)}`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
