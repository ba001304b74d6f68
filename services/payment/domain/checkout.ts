import { createHash } from "node:crypto";
import { embedOriginsProblem } from "../../lib/embed-origins.js";
import { alreadyExists, invalidArgument, type DomainError } from "../../lib/errors.js";
import { present } from "../../lib/invariant.js";
import { MAX_MINOR_UNITS, type Money } from "../../lib/money.js";
import { optionalCountry, requireId, requirePositiveMoney } from "../../lib/validate.js";
import { splitOrder } from "./fees.js";

export const MAX_ORDERS_PER_CHECKOUT = 50;
const MAX_URL_LENGTH = 2048;

/** A checkout as the caller sent it, before validation (field names follow the API). */
export type CaptureMethod = "AUTOMATIC" | "MANUAL";

export interface CheckoutInput {
  captureMethod: CaptureMethod;
  checkoutId: string;
  buyerId: string;
  buyerCountry: string;
  returnUrl: string;
  embedOrigins: readonly string[];
  orders: { orderId: string; sellerId: string; amount: Money | undefined }[];
}

export interface Order {
  orderId: string;
  sellerId: string;
  amountMinor: bigint;
}

/** A valid checkout: one currency, 1..50 orders with distinct ids, a total that fits in int64. */
export interface Checkout {
  captureMethod: CaptureMethod;
  checkoutId: string;
  buyerId: string;
  buyerCountry: string;
  returnUrl: string;
  /** The merchant pages that may frame the PSP's card form for this payment (see lib/embed-origins.ts). */
  embedOrigins: string[];
  currency: string;
  total: bigint;
  orders: Order[];
}

/**
 * The hosts a return_url may name (RETURN_URL_HOSTS), spelled as URL.hostname spells them (lower case, punycode);
 * a name that is not a bare host fails at start-up.
 */
export function returnUrlHosts(names: readonly string[]): ReadonlySet<string> {
  return new Set(
    names.map((name) => {
      const url = URL.canParse(`http://${name}`) ? new URL(`http://${name}`) : undefined;
      if (
        !url ||
        url.host !== url.hostname ||
        url.pathname !== "/" ||
        url.username ||
        url.search ||
        url.hash ||
        name.includes("/")
      ) {
        throw new Error(`RETURN_URL_HOSTS: "${name}" is not a host name`);
      }
      return url.hostname;
    }),
  );
}

function optionalReturnUrl(value: string, allowedHosts: ReadonlySet<string> | undefined): string {
  if (value === "") return value;
  if (value.length > MAX_URL_LENGTH)
    throw invalidArgument("return_url", `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument("return_url", `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalidArgument("return_url", "must be an http or https URL");
  if (allowedHosts && !allowedHosts.has(url.hostname)) {
    throw invalidArgument(
      "return_url",
      `host "${url.hostname}" is not one buyers may be sent back to (RETURN_URL_HOSTS: ${[...allowedHosts].join(", ")})`,
    );
  }
  return value;
}

function embedOrigins(values: readonly string[]): string[] {
  const problem = embedOriginsProblem(values);
  if (problem)
    throw invalidArgument(
      problem.index === null ? "embed_origins" : `embed_origins[${problem.index}]`,
      problem.message,
    );
  return [...values];
}

/** `allowedReturnUrlHosts`: see returnUrlHosts; undefined lets return_url name any host. */
export function validateCheckout(input: CheckoutInput, allowedReturnUrlHosts?: ReadonlySet<string>): Checkout {
  const checkoutId = requireId("checkout_id", input.checkoutId);
  const buyerId = requireId("buyer_id", input.buyerId);
  const buyerCountry = optionalCountry("buyer_country", input.buyerCountry);
  const returnUrl = optionalReturnUrl(input.returnUrl, allowedReturnUrlHosts);
  const origins = embedOrigins(input.embedOrigins);
  if (input.orders.length === 0) throw invalidArgument("orders", "must contain at least one order");
  if (input.orders.length > MAX_ORDERS_PER_CHECKOUT) {
    throw invalidArgument(
      "orders",
      `must contain at most ${MAX_ORDERS_PER_CHECKOUT} orders, got ${input.orders.length}`,
    );
  }

  const seen = new Set<string>();
  let currency: string | undefined;
  let total = 0n;
  const orders = input.orders.map((order, i) => {
    const orderId = requireId(`orders[${i}].order_id`, order.orderId);
    if (seen.has(orderId))
      throw invalidArgument(`orders[${i}].order_id`, `"${orderId}" appears more than once in the checkout`);
    seen.add(orderId);
    const sellerId = requireId(`orders[${i}].seller_id`, order.sellerId);
    const amount = requirePositiveMoney(`orders[${i}].amount`, order.amount);
    currency ??= amount.currency;
    if (amount.currency !== currency) {
      throw invalidArgument(
        `orders[${i}].amount.currency`,
        `is ${amount.currency} but orders[0] is ${currency}; a checkout has one currency`,
      );
    }
    total += amount.amountMinor;
    if (total > MAX_MINOR_UNITS) throw invalidArgument("orders", "the total of the orders is too large");
    return { orderId, sellerId, amountMinor: amount.amountMinor };
  });
  return {
    captureMethod: input.captureMethod,
    checkoutId,
    buyerId,
    buyerCountry,
    returnUrl,
    embedOrigins: origins,
    currency: present(currency, "a checkout with orders has their currency"),
    total,
    orders,
  };
}

/** Identifies the request behind an idempotency key: the same checkout always hashes the same. */
export function checkoutFingerprint(checkout: Checkout): string {
  const canonical = JSON.stringify([
    checkout.checkoutId,
    checkout.buyerId,
    checkout.buyerCountry,
    checkout.returnUrl,
    checkout.currency,
    checkout.orders.map((o) => [o.orderId, o.sellerId, o.amountMinor.toString()]),
    // Only when manual, so that fingerprints of requests made before capture methods existed still match.
    ...(checkout.captureMethod === "MANUAL" ? ["MANUAL"] : []),
    // Likewise only when there are some, tagged so that they can never be read as another field.
    ...(checkout.embedOrigins.length > 0 ? [{ embedOrigins: checkout.embedOrigins }] : []),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** The checkout_id came back with a different checkout than the one it was first used for. */
export function checkoutIdReused(checkoutId: string, paymentId: string): DomainError {
  return alreadyExists(
    `checkout_id "${checkoutId}" was already used for a different checkout (payment ${paymentId}); ` +
      "retry with the identical request, or use a new checkout_id",
  );
}

export interface PricedOrder extends Order {
  platformFeeMinor: bigint;
}

/** A checkout with the platform fee fixed on each order at the rate in force when it was created. */
export interface PricedCheckout extends Checkout {
  platformFeeBps: number;
  orders: PricedOrder[];
}

export function priceCheckout(checkout: Checkout, platformFeeBps: number): PricedCheckout {
  return {
    ...checkout,
    platformFeeBps,
    orders: checkout.orders.map((o) => ({
      ...o,
      platformFeeMinor: splitOrder(o.amountMinor, platformFeeBps).platformFeeMinor,
    })),
  };
}
