import type { Payment } from "./payments.js";

/** The query (GET) or form (POST) field naming the merchant page that frames the hosted page; see sdk/checkout.js. */
export const PARENT_ORIGIN_FIELD = "parent_origin";

/** Where the hosted page is shown: full page, or framed by a merchant page of an origin registered for the payment. */
export type Embedding = { framed: false } | { framed: true; parentOrigin: string };

export const FULL_PAGE: Embedding = { framed: false };

/** The `parent_origin` given, checked against the payment's embed_origins; null when the payment may not be framed there. */
export function embeddingFor(payment: Payment, parentOrigin: string | null): Embedding | null {
  if (parentOrigin === null) return FULL_PAGE;
  return payment.embedOrigins.includes(parentOrigin) ? { framed: true, parentOrigin } : null;
}

export type CheckoutMessageType = "three_d_secure" | "pending" | "succeeded" | "failed" | "canceled";

/** What the framed page posts to the merchant page; never card data. Documented in docs/architecture.md (Embeddable checkout). */
export interface CheckoutMessage {
  source: "psp-checkout";
  version: 1;
  type: CheckoutMessageType;
  payment_id: string;
  status: Payment["status"];
  decline_code: string | null;
  failure_message: string | null;
}

function messageType(payment: Payment): CheckoutMessageType | undefined {
  switch (payment.status) {
    case "requires_payment_method":
      return undefined;
    case "processing":
      return payment.pendingReason === "three_d_secure" ? "three_d_secure" : "pending";
    case "requires_capture":
    case "succeeded":
      return "succeeded";
    case "failed":
      return "failed";
    case "canceled":
      return "canceled";
  }
}

/** The message for the payment as it stands, or undefined while it still awaits the card. */
export function checkoutMessage(payment: Payment): CheckoutMessage | undefined {
  const type = messageType(payment);
  return (
    type && {
      source: "psp-checkout",
      version: 1,
      type,
      payment_id: payment.id,
      status: payment.status,
      decline_code: payment.declineCode,
      failure_message: payment.failureMessage,
    }
  );
}
