import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml } from "../../services/lib/escape-html.js";
import { httpServerWithTimeouts } from "../../services/lib/http-timeouts.js";
import { listen } from "../../services/lib/listen.js";

/** The shop's checkout, created at the payment service for a page of `origin` (registered as its embed origin). */
export type CreateCheckout = (embedOrigin: string) => Promise<{ paymentId: string; hostedPageUrl: string }>;

export interface DemoMerchantOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Where buyers reach the shop, when not at http://127.0.0.1:<port> (e.g. behind a balancer). */
  origin?: string;
  /** The PSP simulator, whose SDK the checkout page loads. */
  pspUrl: string;
  createCheckout: CreateCheckout;
}

export interface DemoMerchant {
  origin: string;
  close(): Promise<void>;
}

const SHOP_JS = readFileSync(new URL("./public/shop.js", import.meta.url), "utf8");

function page(title: string, body: string, scripts = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
#messages { font-family: ui-monospace, monospace; font-size: 0.8rem; overflow-wrap: anywhere; }
</style>
${scripts}</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

const shopPage = () =>
  page(
    "Demo shop",
    `<p>Your cart is ready.</p>
<form method="post" action="/checkout"><button type="submit">Check out</button></form>`,
  );

function checkoutPage(pspUrl: string, checkout: { paymentId: string; hostedPageUrl: string }): string {
  return page(
    "Checkout",
    `<p>Pay below: the card form is the PSP's, in a frame; this shop never sees the card.</p>
<div id="checkout" data-payment-id="${escapeHtml(checkout.paymentId)}" data-hosted-page-url="${escapeHtml(checkout.hostedPageUrl)}"></div>
<p id="outcome" role="status">Waiting for the payment.</p>
<h2>Messages from the frame</h2>
<ol id="messages"></ol>`,
    `<script src="${escapeHtml(new URL("/sdk/v1/checkout.js", pspUrl).href)}" defer></script>
<script src="/shop.js" defer></script>
`,
  );
}

/**
 * A merchant's web shop on an origin of its own, for `npm start`: its checkout page mounts the PSP's card form with
 * the PSP's SDK and shows the frame's messages. The shop itself loads scripts and frames from nowhere else.
 */
export async function startDemoMerchant(options: DemoMerchantOptions): Promise<DemoMerchant> {
  const pspOrigin = new URL(options.pspUrl).origin;
  const headers = {
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; script-src 'self' ${pspOrigin}; frame-src ${pspOrigin}; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  };
  const send = (res: ServerResponse, status: number, contentType: string, body: string) => {
    res.writeHead(status, { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  let origin = "";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const route = `${req.method} ${req.url}`;
    if (route === "GET /") return send(res, 200, "text/html; charset=utf-8", shopPage());
    if (route === "GET /shop.js") return send(res, 200, "text/javascript; charset=utf-8", SHOP_JS);
    if (route === "POST /checkout") {
      req.resume();
      return send(
        res,
        200,
        "text/html; charset=utf-8",
        checkoutPage(options.pspUrl, await options.createCheckout(origin)),
      );
    }
    send(res, 404, "text/plain; charset=utf-8", "Not found\n");
  };
  const server = httpServerWithTimeouts((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("demo merchant:", err);
      if (!res.headersSent)
        send(
          res,
          502,
          "text/plain; charset=utf-8",
          `The payment service did not take the checkout: ${(err as Error).message}\n`,
        );
    });
  });
  const port = await listen(server, options.port, "127.0.0.1");
  origin = options.origin ?? `http://127.0.0.1:${port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
