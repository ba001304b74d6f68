/**
 * A buyer's browser, reduced to HTTP: loads the PSP's hosted payment page and submits its form, exactly as a
 * person would. Card data goes to the PSP only. Used by the demo and by end-to-end tests.
 */
export const TEST_CARDS = {
  success: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  threeDSecure: "4000000000003220",
  manualReview: "4000000000004954",
} as const;

export interface PageResult {
  httpStatus: number;
  url: string;
  html: string;
  /** The PSP's status shown on the result page, e.g. "succeeded". */
  status?: string;
  declineCode?: string;
}

interface Form {
  action: URL;
  fields: Record<string, string>;
}

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

function readForm(html: string, pageUrl: string): Form {
  const formTag = html.match(/<form\b[^>]*>/)?.[0];
  const action = formTag && attr(formTag, "action");
  if (!action) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of html.match(/<input\b[^>]*type="hidden"[^>]*>/g) ?? []) {
    const name = attr(input, "name");
    if (name) fields[name] = unescapeHtml(attr(input, "value") ?? "");
  }
  return { action: new URL(unescapeHtml(action), pageUrl), fields };
}

async function submit(form: Form, extra: Record<string, string>): Promise<PageResult> {
  const res = await fetch(form.action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, ...extra }).toString(),
  });
  return readPage(res);
}

async function readPage(res: Response): Promise<PageResult> {
  const html = await res.text();
  const result = html.match(/<[^>]*\bdata-status="[^"]*"[^>]*>/)?.[0];
  return {
    httpStatus: res.status,
    url: res.url,
    html,
    status: result && attr(result, "data-status"),
    declineCode: result && attr(result, "data-decline-code"),
  };
}

/** An expiry date three years ahead, in the hosted page's MM/YY. */
export function farExpiry(): string {
  return `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`;
}

/** Opens the hosted page and pays with `cardNumber` (and `cvc`). */
export async function payOnHostedPage(hostedPageUrl: string, cardNumber: string, cvc = "123"): Promise<PageResult> {
  const page = await fetch(hostedPageUrl);
  if (!page.ok) throw new Error(`hosted page ${hostedPageUrl} answered HTTP ${page.status}`);
  const form = readForm(await page.text(), hostedPageUrl);
  return submit(form, { card_number: cardNumber, exp: farExpiry(), cvc, name: "Ada Buyer" });
}

/** Answers the 3-D Secure challenge page that a previous step returned. */
export function answerThreeDSecure(challenge: PageResult, outcome: "approve" | "deny"): Promise<PageResult> {
  return submit(readForm(challenge.html, challenge.url), { outcome });
}

/** Follows the PSP result page's link back to the merchant, as the buyer would: our payment status page. */
export async function returnToMerchant(result: PageResult): Promise<PageResult> {
  const href = result.html.match(/<a href="([^"]*)">Return to merchant<\/a>/)?.[1];
  if (!href) throw new Error(`no return link on ${result.url}: ${result.html.slice(0, 500)}`);
  return readPage(await fetch(new URL(unescapeHtml(href), result.url)));
}
