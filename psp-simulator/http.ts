import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** A response body sent as it is, instead of as JSON. */
export class TextBody {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: string, headers?: OutgoingHttpHeaders): void {
  send(res, status, "application/json; charset=utf-8", body, headers);
}

/**
 * `frameAncestors`: the origins that may frame the page (the payment's embed_origins, for its embedded checkout);
 * none by default.
 */
export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  frameAncestors: readonly string[] = [],
): void {
  const framed = frameAncestors.length > 0;
  // Inline style and forms posting back here are all the full-page hosted pages use, and no other site may frame
  // them; a framed page also runs the simulator's own script that posts its message to the merchant page.
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    ...(framed ? ["script-src 'self'"] : []),
    "form-action 'self'",
    `frame-ancestors ${framed ? frameAncestors.join(" ") : "'none'"}`,
    "base-uri 'none'",
  ];
  send(res, status, "text/html; charset=utf-8", html, {
    "cache-control": "no-store",
    // The page URL carries the payment token; keep it out of the Referer sent to the merchant's return_url.
    "referrer-policy": "no-referrer",
    "content-security-policy": csp.join("; "),
    // Browsers without frame-ancestors fall back to this; it cannot name origins, so a framed page goes without.
    ...(framed ? {} : { "x-frame-options": "DENY" }),
  });
}
