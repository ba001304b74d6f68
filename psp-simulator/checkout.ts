import type { IncomingMessage, ServerResponse } from "node:http";
import { validateCard } from "./cards.js";
import type { Clock } from "./clock.js";
import { messagePage, paymentFormPage, resultPage, threeDSecurePage } from "./hosted-page.js";
import { BodyTooLargeError, readBody, sendHtml } from "./http.js";
import { isPendingFor, type Payment, type Payments } from "./payments.js";
import type { Store } from "./store.js";
import { secretsEqual } from "./tokens.js";

export interface CheckoutContext {
  store: Store;
  /** Card expiry is checked against the simulator's clock. */
  clock: Clock;
  payments: Payments;
}

interface Page {
  status: number;
  html: string;
}

const notFound: Page = { status: 404, html: messagePage("Not found", "This payment page does not exist.") };

const CANCELED_NOTICE: Record<NonNullable<Payment["cancellationReason"]>, string> = {
  requested_by_customer: "This payment has been canceled.",
  expired: "This payment has been canceled.",
  abandoned: "This payment has expired: it was not paid in time. Return to the merchant to start again.",
};

/** What the buyer sees for the payment as it stands now. */
function currentPage(payment: Payment): Page {
  if (payment.status === "requires_payment_method") return { status: 200, html: paymentFormPage(payment) };
  if (isPendingFor(payment, "three_d_secure")) return { status: 200, html: threeDSecurePage(payment) };
  return { status: 200, html: resultPage(payment) };
}

/** The hosted payment page: `GET /pay/:id`, `POST /pay/:id` (card form) and `POST /pay/:id/3ds`. */
export function createCheckoutHandler(ctx: CheckoutContext) {
  function pay(payment: Payment, form: URLSearchParams): Page {
    if (payment.status === "canceled") return { status: 409, html: resultPage(payment, CANCELED_NOTICE[payment.cancellationReason ?? "requested_by_customer"]) };
    if (payment.status !== "requires_payment_method") {
      return { status: 409, html: resultPage(payment, "This payment has already been submitted.") };
    }
    const validation = validateCard(
      { cardNumber: form.get("card_number") ?? "", exp: form.get("exp") ?? "", cvc: form.get("cvc") ?? "" },
      new Date(ctx.clock.now()),
    );
    if (!validation.ok) return { status: 400, html: paymentFormPage(payment, validation.message, form.get("name") ?? "") };
    ctx.payments.charge(payment, validation.card);
    return currentPage(payment);
  }

  function authenticate(payment: Payment, form: URLSearchParams): Page {
    if (!isPendingFor(payment, "three_d_secure")) {
      return { status: 409, html: resultPage(payment, "This payment is not awaiting 3-D Secure authentication.") };
    }
    const outcome = form.get("outcome");
    if (outcome !== "approve" && outcome !== "deny") {
      return { status: 400, html: threeDSecurePage(payment, "Please choose whether to authenticate.") };
    }
    ctx.payments.completeThreeDSecure(payment, outcome === "approve");
    return currentPage(payment);
  }

  async function route(req: IncomingMessage, url: URL): Promise<Page> {
    const match = /^\/pay\/([^/]+)(\/3ds)?$/.exec(url.pathname);
    const threeDSecure = match?.[2] !== undefined;
    if (!match || !(req.method === "POST" || (req.method === "GET" && !threeDSecure))) return notFound;
    const payment = ctx.store.payments.get(match[1] ?? "");
    if (!payment) return notFound;

    let form = url.searchParams;
    if (req.method === "POST") {
      if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
        return { status: 415, html: messagePage("Unsupported form encoding", "Submit the form as application/x-www-form-urlencoded.") };
      }
      form = new URLSearchParams(await readBody(req));
    }
    if (!secretsEqual(form.get("token") ?? "", payment.token)) {
      return { status: 403, html: messagePage("Forbidden", "This payment link is invalid or incomplete.") };
    }
    if (req.method === "GET") return currentPage(payment);
    return threeDSecure ? authenticate(payment, form) : pay(payment, form);
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let page: Page;
    try {
      page = await route(req, url);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        page = { status: 413, html: messagePage("Request too large", error.message) };
      } else {
        console.error("psp-simulator: unexpected error", error);
        page = { status: 500, html: messagePage("Something went wrong", "Please try again.") };
      }
    }
    sendHtml(res, page.status, page.html);
  };
}
