import type { IncomingMessage, ServerResponse } from "node:http";
import { validateCard } from "./cards.js";
import type { Clock } from "./clock.js";
import { embeddingFor, PARENT_ORIGIN_FIELD, type Embedding } from "./embed.js";
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
  /** The origins that may frame it; none unless it is a payment's page shown in a frame (see embed.ts). */
  frameAncestors?: readonly string[];
}

const notFound: Page = { status: 404, html: messagePage("Not found", "This payment page does not exist.") };

const CANCELED_NOTICE: Record<NonNullable<Payment["cancellationReason"]>, string> = {
  requested_by_customer: "This payment has been canceled.",
  expired: "This payment has been canceled.",
  abandoned: "This payment has expired: it was not paid in time. Return to the merchant to start again.",
};

/** What the buyer sees for the payment as it stands now. */
function currentPage(payment: Payment, embedding: Embedding): string {
  if (payment.status === "requires_payment_method") return paymentFormPage(payment, embedding);
  if (isPendingFor(payment, "three_d_secure")) return threeDSecurePage(payment, embedding);
  return resultPage(payment, embedding);
}

/**
 * The hosted payment page: `GET /pay/:id`, `POST /pay/:id` (card form) and `POST /pay/:id/3ds`; with
 * `parent_origin`, the same pages for a frame on that merchant page (the embeddable checkout).
 */
export function createCheckoutHandler(ctx: CheckoutContext) {
  function pay(payment: Payment, embedding: Embedding, form: URLSearchParams): Page {
    if (payment.status === "canceled")
      return {
        status: 409,
        html: resultPage(payment, embedding, CANCELED_NOTICE[payment.cancellationReason ?? "requested_by_customer"]),
      };
    if (payment.status !== "requires_payment_method") {
      return { status: 409, html: resultPage(payment, embedding, "This payment has already been submitted.") };
    }
    const validation = validateCard(
      { cardNumber: form.get("card_number") ?? "", exp: form.get("exp") ?? "", cvc: form.get("cvc") ?? "" },
      new Date(ctx.clock.now()),
    );
    if (!validation.ok)
      return { status: 400, html: paymentFormPage(payment, embedding, validation.message, form.get("name") ?? "") };
    ctx.payments.charge(payment, validation.card);
    return { status: 200, html: currentPage(payment, embedding) };
  }

  function authenticate(payment: Payment, embedding: Embedding, form: URLSearchParams): Page {
    if (!isPendingFor(payment, "three_d_secure")) {
      return {
        status: 409,
        html: resultPage(payment, embedding, "This payment is not awaiting 3-D Secure authentication."),
      };
    }
    const outcome = form.get("outcome");
    if (outcome !== "approve" && outcome !== "deny") {
      return { status: 400, html: threeDSecurePage(payment, embedding, "Please choose whether to authenticate.") };
    }
    ctx.payments.completeThreeDSecure(payment, outcome === "approve");
    return { status: 200, html: currentPage(payment, embedding) };
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
        return {
          status: 415,
          html: messagePage("Unsupported form encoding", "Submit the form as application/x-www-form-urlencoded."),
        };
      }
      form = new URLSearchParams(await readBody(req));
    }
    if (!secretsEqual(form.get("token") ?? "", payment.token)) {
      return { status: 403, html: messagePage("Forbidden", "This payment link is invalid or incomplete.") };
    }
    const embedding = embeddingFor(payment, form.get(PARENT_ORIGIN_FIELD));
    if (embedding === null) {
      return { status: 403, html: messagePage("Forbidden", "This payment may not be shown in a frame on this site.") };
    }
    const page =
      req.method === "GET"
        ? { status: 200, html: currentPage(payment, embedding) }
        : threeDSecure
          ? authenticate(payment, embedding, form)
          : pay(payment, embedding, form);
    return { ...page, frameAncestors: embedding.framed ? payment.embedOrigins : [] };
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
    sendHtml(res, page.status, page.html, page.frameAncestors);
  };
}
