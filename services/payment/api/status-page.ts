import { present } from "../../lib/invariant.js";
import { addLogFields } from "../../lib/log.js";
import { formatMoney } from "../../lib/money.js";
import { awaitsReview, isSettled, type Payment } from "../domain/payment.js";
import type { PaymentStore } from "../store/payment-store.js";
import type { HttpRoute } from "./http-server.js";

export const STATUS_PAGE_PATH = "/payments/:id/status";
// While the payment is in flight the page reloads itself; that is all the buyer's browser needs.
const REFRESH_SECONDS = 2;

// The page loads nothing and runs nothing (it reloads itself with a meta refresh), so it may fetch nothing, and no
// other site may frame it to dress it up as its own.
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  // The address names the payment; the shop the buyer goes back to need not learn it.
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

export function statusPageUrl(origin: string, paymentId: string): string {
  return `${origin}${STATUS_PAGE_PATH.replace(":id", encodeURIComponent(paymentId))}`;
}

function headline(p: Payment): string {
  switch (p.status) {
    case "NOT_STARTED":
      return awaitsReview(p) ? "Your payment is being reviewed" : "Your payment is being prepared";
    case "EXECUTING":
      return "Waiting for your payment";
    case "PENDING":
      return p.pendingReason === "THREE_D_SECURE"
        ? "Waiting for your bank to confirm it is you"
        : "Your payment is being reviewed by the payment provider";
    case "AUTHORIZED":
      return "Payment authorized: you will be charged when your order is confirmed";
    case "VOIDED":
      return "Payment canceled: you were not charged";
    case "SUCCEEDED":
      return "Payment succeeded";
    case "FAILED":
      return "Payment failed";
    default:
      return "Payment refunded";
  }
}

export function renderStatusPage(p: Payment): string {
  const money = (amountMinor: bigint) => escapeHtml(formatMoney({ amountMinor, currency: p.currency }));
  const orders = p.orders.map((o) => `<li>${escapeHtml(o.sellerId)}: ${money(o.amountMinor)}</li>`).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(headline(p))}</title>
${isSettled(p.status) ? "" : `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`}
</head>
<body>
<main id="payment" data-status="${p.status}" data-payment-id="${escapeHtml(p.id)}">
<h1>${escapeHtml(headline(p))}</h1>
${p.failure ? `<p id="failure">${escapeHtml(p.failure.reason)}</p>` : ""}
<p>Total ${money(p.total)}</p>
<ul>${orders}</ul>
${p.returnUrl ? `<p><a id="back" href="${escapeHtml(p.returnUrl)}">Back to the shop</a></p>` : ""}
</main>
</body>
</html>
`;
}

/** Where the PSP's hosted page sends the buyer back: the payment's current state, from our database. */
export function statusPageRoute(store: PaymentStore): HttpRoute {
  return {
    method: "GET",
    path: new RegExp(`^${STATUS_PAGE_PATH.replace(":id", "([^/]+)")}$`),
    async handle(_req, res, [captured]) {
      const paymentId = present(captured, "the status page path captures a payment id");
      addLogFields({ paymentId });
      const payment = await store.get(paymentId);
      if (!payment) {
        res.writeHead(404, PAGE_HEADERS).end("<!doctype html><title>Not found</title><h1>No such payment</h1>");
        return;
      }
      res.writeHead(200, PAGE_HEADERS).end(renderStatusPage(payment));
    },
  };
}
